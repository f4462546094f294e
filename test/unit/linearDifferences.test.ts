// One-pass central differences of c·Σφ(X w, …) (linearDifferences.ts): the same differences as 2n whole
// evaluations of f over random links and sizes, and a full-Jacobian check of n = 1,000 parameters that still
// tells a wrong claim from a right one.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze } from '../../src/core/analyze.ts';
import { lowerDerivatives } from '../../src/core/diff/engine.ts';
import { compile } from '../../src/core/numeric/compile.ts';
import { centralJacobian } from '../../src/core/numeric/check/finiteDifferences.ts';
import { checkDocument } from '../../src/core/numeric/gradcheck.ts';
import { linearDifferences } from '../../src/core/numeric/linearDifferences.ts';
import { createRng } from '../../src/core/numeric/random.ts';
import { linkArb } from './helpers/links.ts';

const HEADER = 'dim N, n\nX: matrix[N, n]\ny: vector[N]\nw: vector[n]\nb: scalar\n';

describe('one-pass finite differences', () => {
  test('random links and sizes: the differences of 2n whole evaluations of f', () => {
    let used = 0;
    fc.assert(
      fc.property(linkArb(3), fc.constantFrom('mean', 'sum'), fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 2 ** 30 }), (link, reduce, N, n, seed) => {
        const body = link.includes('U') ? link : `(${link}) ⊗ U`;
        const a = analyze(HEADER + `L = ${reduce}(${body.replaceAll('U', '(X * w + b)')})\n`);
        const f = lowerDerivatives(a.builder, a.definition('L')!.node!, a.layout, (name) => a.variable(name));
        const w = a.variable('w')!;
        const dims = new Map([['N', N], ['n', n]]);
        const columns = linearDifferences(a.builder, f, { name: 'w', shape: w.shape, node: w.node }, dims);
        assert.ok(columns, `${body} should have a linear form`);
        used++;
        const rng = createRng(seed, 'linear-differences');
        const t = (rows: number) => ({ rows, cols: 1, data: Float64Array.from({ length: rows }, () => rng.uniform(-1, 1)) });
        const vars = new Map([['X', { rows: N, cols: n, data: Float64Array.from({ length: N * n }, () => rng.uniform(-1, 1)) }], ['y', t(N)], ['w', t(n)], ['b', t(1)]]);
        const h = 1e-6;
        const got = columns({ vars, dims }, h);
        const plan = compile([f], dims);
        const want = centralJacobian(vars.get('w')!.data, () => Float64Array.from(plan.run(vars)[0].data), 1, h);
        const fScale = Math.abs(plan.run(vars)[0].data[0]) + 1;
        // Both are differences of the same f; they differ by rounding of f, about ε·|f| / h.
        got.forEach((g, j) => assert.ok(Math.abs(g - want[j]) <= 1e-8 * fScale + 1e-9 * Math.abs(want[j]) || (Number.isNaN(g) && Number.isNaN(want[j])), `column ${j}: ${g} vs ${want[j]}`));
      }),
      { numRuns: 30, seed: 8 },
    );
    assert.equal(used, 30);
  });

  test('n = 1,000: a right claim passes and a wrong one fails', () => {
    const a = analyze(
      'X: matrix[N, n]\nw: vector[n]\ny: vector[N]\nL = sum(log(1 + exp(-(y ⊗ (X*w)))))\n' +
        'check d(L)/d(w) = -(y ⊗ σ(-(y ⊗ (X*w))))ᵀ * X\ncheck d(L)/d(w) = -(y ⊗ σ(y ⊗ (X*w)))ᵀ * X\n',
    );
    const report = checkDocument(a, { dims: new Map([['N', 200], ['n', 1000]]), points: 1, seed: 5 });
    assert.deepEqual(report.results.map((r) => r.passed), [true, false]);
  });
});
