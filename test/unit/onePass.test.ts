// The one-pass training kernel (fusedObjective.ts, rowKernel.ts, rowThreads.ts): which losses it takes, the
// same loss and gradients as the plain compiled plan over random link functions and sizes (1e-12 relative),
// and the same trajectory bit for bit on 1, 2 and 3 threads.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createRng, shuffleInPlace } from '../../src/core/numeric/random.ts';
import { prepareProblem, type Problem, type TrainOptions } from '../../src/core/numeric/train/problem.ts';
import { runTraining } from '../../src/core/numeric/train/trainer.ts';
import { CHUNK_ROWS } from '../../src/core/numeric/train/rowKernel.ts';
import { linkArb } from './helpers/links.ts';

const HEADER = 'dim N, n\nX: matrix[N, n]\ny: vector[N]\nw: vector[n]\nb: scalar\n';

/** CSV text of `rows` rows: X1…Xn uniform in ±1, y = ±1 or uniform (seeded). */
function csv(rows: number, n: number, seed: number, labels = false): string {
  const rng = createRng(seed, 'one-pass-test');
  const lines = [[...Array.from({ length: n }, (_, k) => `X${k + 1}`), 'y'].join(',')];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: n }, () => rng.uniform(-1, 1).toFixed(6));
    lines.push([...x, labels ? (rng.uniform(0, 1) < 0.5 ? '-1' : '1') : rng.uniform(-1, 1).toFixed(6)].join(','));
  }
  return lines.join('\n') + '\n';
}

function options(loss: string, rows: number, n: number, seed: number, extra: Partial<TrainOptions> = {}): TrainOptions {
  return { source: HEADER + `loss = ${loss}\n`, loss: 'loss', params: ['w', 'b'], data: { csvText: csv(rows, n, seed) }, seed, ...extra };
}

/** Loss and gradients of the problem's objective at its current parameters over positions [start, end) of idx. */
function evaluateAt(p: Problem, idx: Int32Array | null, start: number, end: number) {
  const grads = p.params.map((q) => new Float64Array(q.value.data.length));
  const loss = p.objective.evaluate(idx, start, end, grads);
  return { loss, grads };
}

function assertClose(got: number, want: number, scale: number, what: string): void {
  const tol = 1e-12 * Math.max(Math.abs(want), scale);
  if (Number.isNaN(want)) assert.ok(Number.isNaN(got), `${what}: ${got}, expected NaN`);
  else assert.ok(Math.abs(got - want) <= tol, `${what}: ${got} vs ${want} (difference ${Math.abs(got - want)}, tolerance ${tol})`);
}

describe('one-pass kernel: which losses', () => {
  const cases: Array<[string, boolean]> = [
    ['mean((y - max(0, X * w + b))^2)', true],
    ['sum(log(1 + exp(-(y ⊗ (X * w)))))', true],
    ['mean((X * w + b - y)^2)', true],
    ['sum((y - X * w)^2) / N', true],
    ['-2 * mean(tanh(X * w) ⊗ y)', true],
    ['mean((y - X * w)^2) + 0.1 * sum(w^2)', false],
    ['log(sum(exp(X * w)))', false],
    ['mean(y - X * w) * mean(X * w)', false],
  ];
  for (const [loss, fused] of cases) {
    test(`${loss} → ${fused ? 'one pass' : 'the plain plan'}`, () => {
      const p = prepareProblem(options(loss, 50, 3, 1));
      assert.equal(p.objective.kernel === 'one-pass', fused);
    });
  }
  test('kernel: "plan" keeps the plain plan', () => {
    assert.equal(prepareProblem(options('mean((y - X * w)^2)', 50, 3, 1, { kernel: 'plan' })).objective.kernel, undefined);
  });
  test('the per-sample neuron of the paper is rewritten into batch form and then fused', () => {
    const source = 'dim n\nb, y: scalar\nw, x: vector[n]\nz = w · x + b\na = max(0, z)\nloss = (y - a)^2\n';
    const p = prepareProblem({ source, loss: 'loss', params: ['w', 'b'], data: { synthetic: 100 }, dims: { n: 4 }, seed: 2 });
    assert.equal(p.method, 'batch-rewrite');
    assert.equal(p.objective.kernel, 'one-pass');
  });
});

describe('one-pass kernel: the same numbers as the plain plan', () => {
  test('random links, sizes and mini-batches: loss and gradients to 1e-12 relative', () => {
    let fusedCount = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        linkArb(3),
        fc.constantFrom('mean', 'sum', '0.5 * mean'),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: CHUNK_ROWS + 700 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (link, reduce, bias, twoTerms, rows, n, seed) => {
          const u = bias ? '(X * w + b)' : '(X * w)';
          const body = link.includes('U') ? link : `(${link}) ⊗ U`;
          const loss = `${reduce}(${body.replaceAll('U', u)})` + (twoTerms ? ` - ${reduce}(${u})` : '');
          const o = options(loss, rows, n, seed, { init: 'random' });
          const fused = prepareProblem(o);
          const plain = prepareProblem({ ...o, kernel: 'plan' });
          runs++;
          if (fused.objective.kernel !== 'one-pass') return;
          fusedCount++;
          const order = Int32Array.from({ length: rows }, (_, i) => i);
          shuffleInPlace(order, createRng(seed, 'order'));
          const k = Math.max(1, rows >> 1);
          for (const [idx, start, end] of [[null, 0, rows], [order, rows - k, rows]] as const) {
            const a = evaluateAt(fused, idx, start, end);
            const b = evaluateAt(plain, idx, start, end);
            const scale = Math.max(...b.grads.flatMap((g) => Array.from(g, Math.abs)), Math.abs(b.loss));
            assertClose(a.loss, b.loss, scale, `loss of ${loss}`);
            a.grads.forEach((g, j) => g.forEach((v, i) => assertClose(v, b.grads[j][i], scale, `gradient ${fused.params[j].name}[${i}] of ${loss}`)));
          }
        },
      ),
      { numRuns: 40, seed: 12 },
    );
    assert.ok(fusedCount >= runs * 0.9, `only ${fusedCount} of ${runs} random losses took the one-pass kernel`);
  });
});

describe('one-pass kernel: threads', () => {
  // 20,000 rows × 20 = 400,000 elements: large enough for helper threads; 5 chunks to share.
  const rows = 20_000;
  const n = 20;
  const text = csv(rows, n, 5, true);
  const run = (threads: number, batch: 'full' | number) => {
    const o: TrainOptions = { source: HEADER + 'loss = sum(log(1 + exp(-(y ⊗ (X * w + b)))))\n', loss: 'loss', params: ['w', 'b'], data: { csvText: text }, seed: 3, optimizer: 'adam', lr: 0.01, epochs: 20, batch, threads };
    const problem = prepareProblem(o);
    const result = runTraining(problem, o);
    return { ...result, helperChunks: problem.objective.helperChunks ?? 0 };
  };
  for (const batch of ['full', 6000] as const) {
    test(`a seed gives the same trajectory bit for bit on 1, 2 and 3 threads (batch ${batch})`, () => {
      const [one, two, three] = [1, 2, 3].map((t) => run(t, batch));
      assert.deepEqual([one.threads, two.threads, three.threads], [1, 2, 3]);
      assert.equal(one.kernel, 'one-pass');
      // The helpers must have done some of the work, or the comparison would prove nothing.
      assert.equal(one.helperChunks, 0);
      assert.ok(two.helperChunks > 0 && three.helperChunks > 0, `helper threads computed ${two.helperChunks} and ${three.helperChunks} chunks`);
      for (const other of [two, three]) {
        assert.ok(Object.is(other.loss, one.loss), `loss ${other.loss} vs ${one.loss}`);
        assert.deepEqual(other.history, one.history);
        assert.deepEqual(other.params, one.params);
      }
    });
  }
});
