// Spelling suggestions: the closest name within a third of the name's length, and the same answer whatever order
// the candidates come in (a full and an incremental analysis list the definitions in different orders).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { closestName } from '../../src/core/suggest.ts';

test('the closest name: nearest first, then the one sharing more of the start, then alphabetical', () => {
  assert.equal(closestName('sinn', ['sign', 'sin']), 'sin');
  assert.equal(closestName('sinn', ['sin', 'sign']), 'sin');
  assert.equal(closestName('wieght', ['height', 'weight']), 'weight');
  assert.equal(closestName('abcx', ['abcy', 'abcz']), 'abcy');
  assert.equal(closestName('w', ['W', 'v']), 'W');
  assert.equal(closestName('zzzz', ['w', 'x']), undefined);
});

test('the suggestion does not depend on the order of the candidates', () => {
  const name = fc.stringMatching(/^[a-c]{1,5}$/);
  fc.assert(
    fc.property(name, fc.uniqueArray(name, { maxLength: 8 }), fc.nat(), (typed, candidates, k) => {
      const rotated = [...candidates.slice(k % (candidates.length || 1)), ...candidates.slice(0, k % (candidates.length || 1))];
      assert.equal(closestName(typed, rotated.reverse()), closestName(typed, candidates));
    }),
    { numRuns: 500 },
  );
});
