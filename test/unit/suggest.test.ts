// Spelling suggestions: the closest name within a third of the name's length, and the same answer whatever order
// the candidates come in (a full and an incremental analysis list the definitions in different orders).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { closestName, editDistanceWithin } from '../../src/core/suggest.ts';

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

test('the distance within a limit is the edit distance when that is within it, and limit + 1 when not', () => {
  /** The textbook table, in full. */
  const distance = (a: string, b: string): number => {
    const t = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) t[i][j] = Math.min(t[i - 1][j] + 1, t[i][j - 1] + 1, t[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return t[a.length][b.length];
  };
  const word = fc.stringMatching(/^[a-d]{0,40}$/);
  fc.assert(
    fc.property(word, word, fc.nat(6), (a, b, limit) => {
      assert.equal(editDistanceWithin(a, b, limit), Math.min(distance(a, b), limit + 1));
    }),
    { numRuns: 1000 },
  );
});
