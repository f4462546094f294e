import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { tokenSplice } from '../../src/extension/semanticTokenEdits.ts';

function apply(previous: Uint32Array, s: ReturnType<typeof tokenSplice>): number[] {
  return [...previous.slice(0, s.start), ...s.data, ...previous.slice(s.start + s.deleteCount)];
}

/** Whole tokens of 5 small integers (small, so that neighbouring tokens often repeat and prefixes overlap suffixes). */
const tokens = fc.array(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 5, maxLength: 5 }), { maxLength: 12 });

test('the splice applied to the previous tokens gives the next ones, and cuts whole tokens only', () => {
  fc.assert(
    fc.property(tokens, tokens, tokens, (head, middle, tail) => {
      const previous = new Uint32Array([...head, ...tail].flat());
      const next = new Uint32Array([...head, ...middle, ...tail].flat());
      for (const [from, to] of [[previous, next], [next, previous]]) {
        const s = tokenSplice(from, to);
        assert.deepEqual(apply(from, s), [...to]);
        assert.equal(s.start % 5, 0);
        assert.equal(s.deleteCount % 5, 0);
        assert.equal(s.data.length % 5, 0);
      }
    }),
  );
});

test('an insertion between equal tokens is sent as just the inserted tokens', () => {
  const a = [1, 0, 1, 0, 0];
  const b = [2, 3, 4, 1, 1];
  const s = tokenSplice(new Uint32Array([...a, ...a]), new Uint32Array([...a, ...b, ...a]));
  assert.deepEqual({ ...s, data: [...s.data] }, { start: 5, deleteCount: 0, data: b });
});

test('equal tokens give an empty splice', () => {
  const data = new Uint32Array([0, 1, 2, 3, 0, 1, 0, 2, 1, 1]);
  const s = tokenSplice(data, data.slice());
  assert.equal(s.deleteCount, 0);
  assert.equal(s.data.length, 0);
});
