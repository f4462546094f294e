// Hessian sandwiches (sandwich.ts): Xᵀ diag(d) X in one blocked pass against the definition over random sizes
// (n = 1, odd n, rows not a multiple of the block, one d for all rows) on the SIMD and the JavaScript tiles,
// the two paths bit for bit, the engine's Hessians of batch losses through
// the reference evaluator against the compiled plan (1e-12 relative), their weights d from a compiled plan
// with the reference's bits (and from the reference walk where d is not finite), and no N×N: a Hessian whose diagonal
// alone would be 3.2 GB evaluates in a moment.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze } from '../../src/core/analyze.ts';
import { differentiate } from '../../src/core/diff/engine.ts';
import { type Node, topoOrder } from '../../src/core/ir.ts';
import { compile } from '../../src/core/numeric/compile.ts';
import { evaluate, evaluateAll } from '../../src/core/numeric/evaluate.ts';
import { createRng } from '../../src/core/numeric/random.ts';
import { sandwich, sandwichParts } from '../../src/core/numeric/sandwich.ts';
import { simdTiles } from '../../src/core/numeric/sandwich-simd.ts';
import type { Tensor } from '../../src/core/numeric/tensor.ts';

const tensor = (rows: number, cols: number, rng: ReturnType<typeof createRng>): Tensor => ({ rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.uniform(-1, 1)) });

function hessianOf(source: string): Node {
  const a = analyze(source);
  const r = differentiate(a.builder, a.definition('L')!.node!, a.variable('w')!, 'hessian', 'numerator', { kind: 'matrix', m: 'n', n: 'n' });
  assert.equal(r.kind, 'matrix');
  return (r as { value: Node }).value;
}

describe('sandwich', () => {
  /** Asserts H = Σᵢ dᵢ aᵢ aᵢᵀ element by element within 1e-12 of the sum of the terms' magnitudes. */
  function assertDefinition(A: Tensor, d: Tensor, H: Tensor): void {
    const [rows, n] = [A.rows, A.cols];
    assert.deepEqual([H.rows, H.cols], [n, n]);
    for (let a = 0; a < n; a++) {
      for (let c = 0; c < n; c++) {
        let want = 0;
        let scale = 0;
        for (let i = 0; i < rows; i++) {
          const t = (d.data.length === 1 ? d.data[0] : d.data[i]) * A.data[i * n + a] * A.data[i * n + c];
          want += t;
          scale += Math.abs(t);
        }
        assert.ok(Math.abs(H.data[a * n + c] - want) <= 1e-12 * Math.max(scale, 1e-300), `H[${a}, ${c}] = ${H.data[a * n + c]}, expected ${want}`);
      }
    }
  }

  // Sizes straddle the 128-row blocks and the four-column panels (n = 1, odd n, n one past a panel); runs
  // alternate sizes, so a kernel memory reused from a larger call must not leak into a smaller one.
  const sizes = { rows: fc.integer({ min: 1, max: 400 }), n: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 13 })) };

  test('Aᵀ diag(d) A equals the definition Σᵢ dᵢ aᵢ aᵢᵀ on both paths (random sizes, one d for all rows)', () => {
    fc.assert(
      fc.property(sizes.rows, sizes.n, fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 2 ** 30 }), (rows, n, one, simd, seed) => {
        const rng = createRng(seed, 'sandwich');
        const A = tensor(rows, n, rng);
        const d = one ? tensor(1, 1, rng) : tensor(rows, 1, rng);
        assertDefinition(A, d, sandwich(A, d, simd));
      }),
      { numRuns: 80, seed: 4 },
    );
  });

  test('the WebAssembly SIMD tiles and the JavaScript tiles give the same bits', () => {
    assert.ok(simdTiles, 'Node has WebAssembly SIMD, so the fast path should be the one that runs');
    fc.assert(
      fc.property(sizes.rows, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2 ** 30 }), (rows, n, seed) => {
        const rng = createRng(seed, 'sandwich-paths');
        const A = tensor(rows, n, rng);
        const d = tensor(rows, 1, rng);
        assert.deepEqual(sandwich(A, d, true).data, sandwich(A, d, false).data);
      }),
      { numRuns: 40, seed: 5 },
    );
  });

  const losses = [
    'X: matrix[N, n]\nw: vector[n]\ny: vector[N]\nL = sum(log(1 + exp(-(y ⊗ (X*w)))))\n',
    'X: matrix[N, n]\nw: vector[n]\ny: vector[N]\nL = mean((y - tanh(X*w))^2)\n',
    'A: matrix[N, n]\nw: vector[n]\nL = sum(exp(A*w))\n',
  ];
  for (const source of losses) {
    test(`the Hessian of ${source.split('\n').find((l) => l.startsWith('L ='))} is a sandwich and evaluates as the compiled plan does`, () => {
      const H = hessianOf(source);
      assert.ok(topoOrder([H]).some((m) => sandwichParts(m)), 'the engine should write this Hessian with Xᵀ * diag(d) * X');
      const rng = createRng(9, 'sandwich-hessian');
      const [N, n] = [517, 7];
      const vars = new Map([['X', tensor(N, n, rng)], ['A', tensor(N, n, rng)], ['y', tensor(N, 1, rng)], ['w', tensor(n, 1, rng)]]);
      const dims = new Map([['N', N], ['n', n]]);
      const got = evaluate(H, { vars, dims }).data;
      const want = compile([H], dims).run(vars)[0].data;
      const scale = Math.max(...Array.from(want, Math.abs));
      got.forEach((v, k) => assert.ok(Math.abs(v - want[k]) <= 1e-12 * Math.max(Math.abs(want[k]), scale), `H[${k}] = ${v}, the plan gives ${want[k]}`));
    });
  }

  test('the weights d come from a compiled plan with the reference evaluator\'s bits; where d is not finite, from the reference walk, every subexpression kept', () => {
    for (const source of losses) {
      const H = hessianOf(source);
      const { d } = sandwichParts(H) ?? topoOrder([H]).map(sandwichParts).find((p) => p)!;
      const rng = createRng(11, 'sandwich-weights');
      const [N, n] = [301, 5];
      const vars = new Map([['X', tensor(N, n, rng)], ['A', tensor(N, n, rng)], ['y', tensor(N, 1, rng)], ['w', tensor(n, 1, rng)]]);
      const env = { vars, dims: new Map([['N', N], ['n', n]]) };
      const values = evaluateAll([H], env);
      assert.deepEqual(values.get(d)!.data, evaluate(d, env).data, source);
      assert.ok(!topoOrder([d]).some((m) => m !== d && m.op === 'matmul' && values.has(m)), 'with finite weights, d\'s own subexpressions should not be evaluated one by one');
    }
    const H = hessianOf(losses[2]);
    const { d } = sandwichParts(H)!;
    const [N, n] = [40, 2];
    const vars = new Map([['A', { rows: N, cols: n, data: new Float64Array(N * n).fill(1) }], ['w', { rows: n, cols: 1, data: Float64Array.of(400, 400) }]]);
    const values = evaluateAll([H], { vars, dims: new Map([['N', N], ['n', n]]) });
    assert.ok(values.get(d)!.data.every((v) => v === Infinity), 'exp(800) overflows');
    const product = topoOrder([d]).find((m) => m.op === 'matmul')!;
    assert.deepEqual(Array.from(values.get(product)!.data), new Array(N).fill(800), 'the walk keeps A*w, so a domain note can name where d leaves the finite numbers');
  });

  test('no N×N: the logistic Hessian at N = 20,000 (a 3.2 GB diagonal) evaluates without it', () => {
    const H = hessianOf(losses[0]);
    const rng = createRng(2, 'sandwich-big');
    const [N, n] = [20_000, 3];
    const vars = new Map([['X', tensor(N, n, rng)], ['y', tensor(N, 1, rng)], ['w', tensor(n, 1, rng)]]);
    const before = process.memoryUsage().rss;
    const v = evaluate(H, { vars, dims: new Map([['N', N], ['n', n]]) });
    assert.equal(v.data.length, n * n);
    assert.ok(process.memoryUsage().rss - before < 200 * 2 ** 20, 'evaluating the Hessian should not allocate anything like N×N');
  });
});
