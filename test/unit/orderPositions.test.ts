// OrderPositions (the places of definitions in a dependency order that patches keep replacing runs of) against
// the places read off the order itself, over long random series of runs: more than it keeps before mapping anew.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { OrderPositions } from '../../src/core/orderPositions.ts';

test('the places of the names after any series of replaced runs are those in the order itself', () => {
  const runArb = fc.record({ at: fc.nat(), removed: fc.nat({ max: 3 }), added: fc.nat({ max: 3 }) });
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 12 }), fc.array(runArb, { minLength: 1, maxLength: 80 }), (size, runs) => {
      let order = Array.from({ length: size }, (_, i) => `d${i}`);
      const positions = new OrderPositions(order);
      let fresh = size;
      const taken: string[] = [];
      for (const r of runs) {
        const at = r.at % (order.length + 1);
        const removed = Math.min(r.removed, order.length - at);
        // A name taken out, now or by an earlier run, may come back (a definition renamed and renamed back).
        taken.push(...order.slice(at, at + removed));
        const added = Array.from({ length: r.added }, (_, k) => (k % 2 === 0 && taken.length ? taken.pop()! : `d${fresh++}`));
        order = [...order.slice(0, at), ...added, ...order.slice(at + removed)];
        positions.follow({ at, head: at, removed, added }, order);
        order.forEach((name, i) => assert.equal(positions.get(name), i, `${name} after ${JSON.stringify(r)}`));
      }
    }),
    { numRuns: 300 },
  );
});
