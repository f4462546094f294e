// Training: optimisers against PyTorch's recurrences worked by hand, the batch rewrite of per-sample losses
// against independent per-row evaluation and finite differences, convergence to the least-squares solution,
// reproducibility, data mapping and its errors, the CLI and the worker.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/core/analyze.ts';
import { lowerDerivatives } from '../../src/core/diff/engine.ts';
import { evaluate } from '../../src/core/numeric/evaluate.ts';
import { createRng } from '../../src/core/numeric/random.ts';
import type { Tensor } from '../../src/core/numeric/tensor.ts';
import { Adam, SGD } from '../../src/core/numeric/train/optimizers.ts';
import { DataError, readCsv } from '../../src/core/numeric/train/data.ts';
import { prepareProblem, TrainError, type TrainOptions } from '../../src/core/numeric/train/problem.ts';
import { train } from '../../src/core/numeric/train/trainer.ts';
import { runTrainingInWorker } from '../../src/core/workers/trainClient.ts';
import { runMcalc } from './helpers/cli.ts';

const NEURON = readFileSync(join(__dirname, '../../examples/neuron.mcalc'), 'utf8');
const LINEAR = 'dim n\nb, y: scalar\nw, x: vector[n]\nloss = (y - (w · x + b))^2\n';
const BATCH_LINEAR = 'dim N, n\nX: matrix[N, n]\ny: vector[N]\nw: vector[n]\nb: scalar\nloss = mean((y - (X * w + b))^2)\n';

/** Rows of (x, y) with y = x·w* + b* + noise, from the test's own generator. */
function linearData(rows: number, n: number, seed: number, noise = 0.1): { X: number[][]; y: number[] } {
  const rng = createRng(seed, 'test-data');
  const wStar = Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * (1 + i / 2));
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: n }, () => rng.normal());
    X.push(x);
    y.push(x.reduce((s, v, k) => s + v * wStar[k], 0.3) + noise * rng.normal());
  }
  return { X, y };
}

function csvOf(X: number[][], y: number[], style = (k: number) => `x${k}`): string {
  const n = X[0].length;
  const header = [...Array.from({ length: n }, (_, k) => style(k + 1)), 'y'].join(',');
  return [header, ...X.map((x, i) => [...x, y[i]].join(','))].join('\n') + '\n';
}

/** Solves (AᵀA)β = Aᵀy for A = [X 1] by Gaussian elimination with partial pivoting: [w…, b]. */
function leastSquares(X: number[][], y: number[]): number[] {
  const n = X[0].length + 1;
  const M = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  X.forEach((x, i) => {
    const a = [...x, 1];
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) M[r][c] += a[r] * a[c];
      M[r][n] += a[r] * y[i];
    }
  });
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let r = k + 1; r < n; r++) if (Math.abs(M[r][k]) > Math.abs(M[p][k])) p = r;
    [M[k], M[p]] = [M[p], M[k]];
    for (let r = k + 1; r < n; r++) {
      const f = M[r][k] / M[k][k];
      for (let c = k; c <= n; c++) M[r][c] -= f * M[k][c];
    }
  }
  const beta = new Array<number>(n).fill(0);
  for (let k = n - 1; k >= 0; k--) {
    let s = M[k][n];
    for (let c = k + 1; c < n; c++) s -= M[k][c] * beta[c];
    beta[k] = s / M[k][k];
  }
  return beta;
}

/**
 * The mean per-sample loss evaluated row by row with the reference interpreter straight from the document —
 * independent of the batch rewrite, the compiled evaluator and the trainer.
 */
function perRowMeanLoss(source: string, loss: string, params: Record<string, number[] | number>, X: number[][], y: number[]): number {
  const a = analyze(source);
  const node = lowerDerivatives(a.builder, a.definition(loss)!.node!, 'numerator', (v) => a.variable(v));
  const n = X[0].length;
  const vars = new Map<string, Tensor>();
  for (const [k, v] of Object.entries(params)) {
    vars.set(k, typeof v === 'number' ? { rows: 1, cols: 1, data: Float64Array.of(v) } : { rows: v.length, cols: 1, data: Float64Array.from(v) });
  }
  let total = 0;
  X.forEach((x, i) => {
    vars.set('x', { rows: n, cols: 1, data: Float64Array.from(x) });
    vars.set('y', { rows: 1, cols: 1, data: Float64Array.of(y[i]) });
    total += evaluate(node, { vars, dims: new Map([['n', n]]) }).data[0];
  });
  return total / X.length;
}

function close(actual: number, expected: number, atol: number, rtol = 0, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected), `${what} ${actual} vs ${expected} (atol ${atol}, rtol ${rtol})`);
}

describe('optimisers (PyTorch semantics, worked by hand)', () => {
  const run = (opt: SGD | Adam, grads: number[]) => {
    const p = [Float64Array.of(1)];
    return grads.map((g) => {
      opt.step(p, [Float64Array.of(g)]);
      return p[0][0];
    });
  };

  test('SGD with momentum: b₁ = g₁, then b = μb + g; θ −= lr·b', () => {
    // g = 1, 2, 3; lr 0.1, μ 0.9: b = 1, 2.9, 5.61 → θ = 0.9, 0.61, 0.049
    const got = run(new SGD({ lr: 0.1, momentum: 0.9 }), [1, 2, 3]);
    [0.9, 0.61, 0.049].forEach((v, i) => close(got[i], v, 1e-15, 0, `step ${i + 1}`));
  });

  test('Nesterov: θ −= lr·(g + μb)', () => {
    // b = 1, 2.9, 5.61; g + μb = 1.9, 4.61, 8.049 → θ = 0.81, 0.349, −0.4559
    const got = run(new SGD({ lr: 0.1, momentum: 0.9, nesterov: true }), [1, 2, 3]);
    [0.81, 0.349, -0.4559].forEach((v, i) => close(got[i], v, 1e-15, 0, `step ${i + 1}`));
  });

  test('dampening does not apply to the first step (b₁ = g₁)', () => {
    // τ 0.5: b = 1, 0.9·1 + 0.5·2 = 1.9, 0.9·1.9 + 0.5·3 = 3.21 → θ = 0.9, 0.71, 0.389
    const got = run(new SGD({ lr: 0.1, momentum: 0.9, dampening: 0.5 }), [1, 2, 3]);
    [0.9, 0.71, 0.389].forEach((v, i) => close(got[i], v, 1e-15, 0, `step ${i + 1}`));
  });

  test('plain SGD and weight decay: θ −= lr·(g + λθ)', () => {
    close(run(new SGD({ lr: 0.1 }), [1])[0], 0.9, 1e-15);
    close(run(new SGD({ lr: 0.1, weightDecay: 0.1 }), [1])[0], 1 - 0.1 * 1.1, 1e-15);
  });

  test("Adam's first step is lr·g/(|g| + ε) ≈ lr·sign(g), for any gradient scale", () => {
    const p = [Float64Array.of(1, -2, 3, 0.5)];
    const g = [Float64Array.of(0.5, -3, 1e-3, -250)];
    const adam = new Adam(); // lr 1e-3, betas (0.9, 0.999), eps 1e-8
    adam.step(p, g);
    const before = [1, -2, 3, 0.5];
    for (let i = 0; i < 4; i++) {
      const step = before[i] - p[0][i];
      close(step, 1e-3 * Math.sign(g[0][i]), (2 * 1e-3 * 1e-8) / Math.abs(g[0][i]) + 1e-16, 0, `element ${i}`);
      close(step, (1e-3 * g[0][i]) / (Math.abs(g[0][i]) + 1e-8), 1e-15, 0, `element ${i} (exact, up to rounding of θ)`);
    }
    assert.equal(adam.t, 1);
  });

  test('Adam, second step, against the bias-corrected formula', () => {
    const adam = new Adam({ lr: 0.01 });
    const got = run(adam, [2, -1]);
    const m2 = 0.9 * 0.1 * 2 + 0.1 * -1;
    const v2 = 0.999 * 0.001 * 4 + 0.001 * 1;
    const mhat = m2 / (1 - 0.9 ** 2);
    const vhat = v2 / (1 - 0.999 ** 2);
    close(got[1], got[0] - (0.01 * mhat) / (Math.sqrt(vhat) + 1e-8), 1e-15);
  });

  test('settings PyTorch rejects are rejected', () => {
    assert.throws(() => new SGD({ momentum: 0.9, nesterov: true, dampening: 0.1 }), /Nesterov momentum requires a momentum and zero dampening/);
    assert.throws(() => new SGD({ nesterov: true }), /Nesterov/);
    assert.throws(() => new SGD({ lr: -1 }), /Invalid learning rate/);
    assert.throws(() => new Adam({ betas: [1, 0.999] }), /beta parameter at index 0/);
  });

  test('through the trainer: momentum and nesterov on f(t) = t²/2 from t = 1 (no data)', () => {
    const doc = 't: scalar\nf = t^2 / 2\n';
    const opts = (nesterov: boolean): TrainOptions => ({ source: doc, loss: 'f', params: ['t'], optimizer: 'momentum', lr: 0.1, momentum: 0.9, nesterov, epochs: 3, init: { values: { t: 1 } } });
    // g = t: θ = 0.9, 0.72, 0.486 (momentum); 0.81, 0.5751 (nesterov, two steps)
    const m = train(opts(false));
    close(m.params.t as number, 0.486, 1e-15);
    assert.deepEqual(m.history.map((h) => Number(h.loss.toFixed(12))), [0.5, 0.405, 0.2592]);
    const nv = train({ ...opts(true), epochs: 2 });
    close(nv.params.t as number, 0.5751, 1e-15);
    assert.equal(m.method, 'no-data');
  });
});

describe('the loss and gradient used', () => {
  const { X, y } = linearData(60, 3, 7);
  const csv = csvOf(X, y);

  test('the batch form of a per-sample ReLU loss equals the row-by-row mean, and its gradient equals central differences', () => {
    const p = prepareProblem({ source: NEURON, loss: 'loss', params: ['w', 'b'], data: { csvText: csv }, init: 'random', seed: 3 });
    assert.equal(p.method, 'batch-rewrite');
    const w = Array.from(p.params[0].value.data);
    const b = p.params[1].value.data[0];
    // Stay away from the ReLU's kink so that differences are meaningful.
    const margin = Math.min(...X.map((x) => Math.abs(x.reduce((s, v, k) => s + v * w[k], b))));
    assert.ok(margin > 1e-4, `a row is within ${margin} of the kink`);
    const grads = [new Float64Array(3), new Float64Array(1)];
    const loss = p.objective.evaluate(null, 0, X.length, grads);
    const f = (ww: number[], bb: number) => perRowMeanLoss(NEURON, 'loss', { w: ww, b: bb }, X, y);
    close(loss, f(w, b), 1e-12, 1e-12, 'loss');
    const eps = 1e-6;
    for (let k = 0; k < 3; k++) {
      const plus = w.map((v, i) => (i === k ? v + eps : v));
      const minus = w.map((v, i) => (i === k ? v - eps : v));
      close(grads[0][k], (f(plus, b) - f(minus, b)) / (2 * eps), 1e-5, 1e-3, `∂/∂w${k + 1}`);
    }
    close(grads[1][0], (f(w, b + eps) - f(w, b - eps)) / (2 * eps), 1e-5, 1e-3, '∂/∂b');
    assert.ok(grads[0].some((g) => Math.abs(g) > 1e-3), 'a non-trivial gradient');
    assert.match(p.gradientText.w, /xᵀ/);
    assert.doesNotMatch(p.gradientText.w, /diag/);
  });

  test('a mini-batch gradient is the gradient of the mean loss over those rows', () => {
    const p = prepareProblem({ source: NEURON, loss: 'loss', params: ['w', 'b'], data: { csvText: csv }, seed: 3 });
    const idx = Int32Array.from([5, 17, 2, 40, 33]);
    const grads = [new Float64Array(3), new Float64Array(1)];
    const loss = p.objective.evaluate(idx, 1, 4, grads); // rows 17, 2, 40
    const rows = [17, 2, 40];
    const w = Array.from(p.params[0].value.data);
    const b = p.params[1].value.data[0];
    const f = (bb: number) => perRowMeanLoss(NEURON, 'loss', { w, b: bb }, rows.map((r) => X[r]), rows.map((r) => y[r]));
    close(loss, f(b), 1e-12, 1e-12);
    close(grads[1][0], (f(b + 1e-6) - f(b - 1e-6)) / 2e-6, 1e-5, 1e-3);
  });

  test('batch rewrite, per-row evaluation and a batch document agree', () => {
    const base: TrainOptions = { source: NEURON, loss: 'loss', params: ['w', 'b'], data: { csvText: csv }, optimizer: 'adam', lr: 0.05, epochs: 15, batch: 16, seed: 9 };
    const batch = train(base);
    const perRow = train({ ...base, strategy: 'per-row' });
    const batchNeuron = 'dim N, n\nX: matrix[N, n]\ny: vector[N]\nw: vector[n]\nb: scalar\nz = X * w + b\nloss = mean((y - max(0, z))^2)\n';
    const doc = train({ ...base, source: batchNeuron });
    assert.equal(batch.method, 'batch-rewrite');
    assert.equal(perRow.method, 'per-row');
    assert.equal(doc.method, 'as-is');
    for (const r of [perRow, doc]) {
      (r.params.w as number[]).forEach((v, i) => close(v, (batch.params.w as number[])[i], 1e-12, 1e-10));
      close(r.params.b as number, batch.params.b as number, 1e-12, 1e-10);
      close(r.loss, batch.loss, 1e-12, 1e-10);
    }
  });

  test('a hidden layer and a logistic loss are rewritten into batch form too (gradients match per-row evaluation)', () => {
    const docs = [
      { src: 'dim n, h\ny: scalar\nx: vector[n]\nW: matrix[h, n]\nc, v: vector[h]\nloss = (y - v · relu(W * x + c))^2\n', params: ['W', 'c', 'v'] },
      { src: 'dim n\nb, y: scalar\nw, x: vector[n]\np = sigmoid(w · x + b)\nloss = -(y * log(p) + (1 - y) * log(1 - p))\n', params: ['w', 'b'] },
      { src: 'dim n\nb, y: scalar\nw, x: vector[n]\nloss = norm(w ⊗ x - y)^2 + sum(exp(-x) * b^2) / 10\n', params: ['w', 'b'] },
    ];
    const y01 = y.map((v) => (v > 0 ? 1 : 0));
    for (const d of docs) {
      const o: TrainOptions = { source: d.src, loss: 'loss', params: d.params, data: { csvText: csvOf(X, d.src.includes('sigmoid') ? y01 : y) }, dims: d.src.includes(' h') ? { h: 4 } : {}, seed: 2 };
      const a = prepareProblem(o);
      const r = prepareProblem({ ...o, strategy: 'per-row' });
      assert.equal(a.method, 'batch-rewrite', d.src);
      const ga = a.params.map((p) => new Float64Array(p.value.data.length));
      const gr = r.params.map((p) => new Float64Array(p.value.data.length));
      close(a.objective.evaluate(null, 0, X.length, ga), r.objective.evaluate(null, 0, X.length, gr), 1e-12, 1e-10, d.src);
      ga.forEach((g, j) => g.forEach((v, i) => close(v, gr[j][i], 1e-12, 1e-9, `${d.params[j]}[${i}]`)));
    }
  });

  test('the compiled evaluator agrees with the reference interpreter on the batch forms (no fallback needed)', () => {
    const o: TrainOptions = { source: 'dim n, h\ny: scalar\nx: vector[n]\nW: matrix[h, n]\nc, v: vector[h]\nloss = (y - v · relu(W * x + c))^2\n', loss: 'loss', params: ['W', 'c', 'v'], data: { csvText: csvOf(X, y) }, dims: { h: 4 } };
    const p = prepareProblem(o);
    assert.equal(p.objective.evaluatorNote, undefined);
  });

  test('a per-sample loss with no batch form falls back to row-by-row evaluation (and still matches differences)', () => {
    const doc = 'dim n\nb, y: scalar\nw, x: vector[n]\nloss = (y - w[1] * x[1] - b)^2 + sum(diag(x) * w)^2 / 100\n';
    const p = prepareProblem({ source: doc, loss: 'loss', params: ['w', 'b'], data: { csvText: csv }, seed: 1 });
    assert.equal(p.method, 'per-row');
    assert.match(p.methodNote!, /row by row/);
    const w = Array.from(p.params[0].value.data);
    const b = p.params[1].value.data[0];
    const grads = [new Float64Array(3), new Float64Array(1)];
    p.objective.evaluate(null, 0, X.length, grads);
    const f = (ww: number[]) => perRowMeanLoss(doc, 'loss', { w: ww, b }, X, y);
    for (let k = 0; k < 3; k++) {
      const e = (s: number) => w.map((v, i) => (i === k ? v + s * 1e-6 : v));
      close(grads[0][k], (f(e(1)) - f(e(-1))) / 2e-6, 1e-5, 1e-3, `∂/∂w${k + 1}`);
    }
  });
});

describe('training', () => {
  test('a linear neuron converges to the least-squares solution of the normal equations', () => {
    const { X, y } = linearData(200, 3, 11);
    const beta = leastSquares(X, y);
    for (const [optimizer, lr, epochs] of [['sgd', 0.1, 400], ['momentum', 0.05, 800]] as const) {
      const r = train({ source: LINEAR, loss: 'loss', params: ['w', 'b'], data: { csvText: csvOf(X, y) }, optimizer, lr, epochs, init: 'zeros' });
      assert.equal(r.status, 'completed');
      (r.params.w as number[]).forEach((v, i) => close(v, beta[i], 1e-9, 0, `${optimizer} w${i + 1}`));
      close(r.params.b as number, beta[3], 1e-9, 0, `${optimizer} b`);
      const residual = X.reduce((s, x, i) => s + (y[i] - x.reduce((t, v, k) => t + v * beta[k], beta[3])) ** 2, 0) / X.length;
      close(r.loss, residual, 1e-12, 1e-9, 'loss');
    }
  });

  test("Adam's first epoch moves every parameter by lr against the sign of the gradient", () => {
    const { X, y } = linearData(50, 3, 4);
    const o: TrainOptions = { source: NEURON, loss: 'loss', params: ['w', 'b'], data: { csvText: csvOf(X, y) }, optimizer: 'adam', lr: 0.01, seed: 5 };
    const start = train({ ...o, epochs: 0 });
    const one = train({ ...o, epochs: 1 });
    const w0 = start.params.w as number[];
    const b0 = start.params.b as number;
    const f = (ww: number[], bb: number) => perRowMeanLoss(NEURON, 'loss', { w: ww, b: bb }, X, y);
    const eps = 1e-6;
    w0.forEach((v, k) => {
      const e = (s: number) => w0.map((u, i) => (i === k ? u + s * eps : u));
      const g = (f(e(1), b0) - f(e(-1), b0)) / (2 * eps);
      close((one.params.w as number[])[k] - v, -0.01 * Math.sign(g), 1e-9, 0, `w${k + 1}`);
    });
    const gb = (f(w0, b0 + eps) - f(w0, b0 - eps)) / (2 * eps);
    close((one.params.b as number) - b0, -0.01 * Math.sign(gb), 1e-9, 0, 'b');
  });

  test('the same seed gives the same trajectory (random init, shuffled mini-batches, synthetic data)', () => {
    const o: TrainOptions = { source: NEURON, loss: 'loss', params: ['w', 'b'], data: { synthetic: 300 }, dims: { n: 4 }, optimizer: 'momentum', lr: 0.02, batch: 32, epochs: 8, seed: 42 };
    const a = train(o);
    const b = train(o);
    assert.deepEqual(a.history, b.history);
    assert.deepEqual(a.params, b.params);
    assert.deepEqual(a.teacher, b.teacher);
    assert.equal(a.steps, 8 * Math.ceil(300 / 32));
    const c = train({ ...o, seed: 43 });
    assert.notDeepEqual(c.history, a.history);
    const full = train({ ...o, batch: 'full' });
    assert.notDeepEqual(full.history, a.history);
    assert.ok(a.loss < a.initialLoss / 5, `${a.loss} vs ${a.initialLoss}`);
  });

  test('synthetic data without noise: the trained linear model recovers the teacher', () => {
    const r = train({ source: LINEAR, loss: 'loss', params: ['w', 'b'], data: { synthetic: 100, noise: 0 }, dims: { n: 3 }, lr: 0.2, epochs: 300 });
    (r.params.w as number[]).forEach((v, i) => close(v, (r.teacher!.w as number[])[i], 1e-9));
    close(r.params.b as number, r.teacher!.b as number, 1e-9);
    assert.ok(r.loss < 1e-18);
  });

  test('a dead ReLU at init is reported and nothing moves', () => {
    const warnings: string[] = [];
    const r = train({ source: NEURON, loss: 'loss', params: ['w', 'b'], data: { synthetic: 50 }, dims: { n: 3 }, init: 'zeros', lr: 0.1, epochs: 5 }, { onWarning: (w) => warnings.push(w) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /dead ReLU at init: the pre-activation z = w · x \+ b is ≤ 0 on all 50 rows/);
    assert.deepEqual(r.params, { w: [0, 0, 0], b: 0 });
    assert.deepEqual(r.warnings, warnings);
    const ok = train({ source: NEURON, loss: 'loss', params: ['w', 'b'], data: { synthetic: 50 }, dims: { n: 3 }, epochs: 1 });
    assert.deepEqual(ok.warnings, []);
  });

  test('divergence stops training with a message naming the epoch', () => {
    const r = train({ source: LINEAR, loss: 'loss', params: ['w', 'b'], data: { synthetic: 50 }, dims: { n: 3 }, lr: 5, epochs: 1000 });
    assert.equal(r.status, 'diverged');
    assert.match(r.message!, /^training diverged at epoch (\d+)/);
    const epoch = Number(/epoch (\d+)/.exec(r.message!)![1]);
    assert.ok(epoch < 1000 && epoch >= r.epochs, r.message);
    // An infinite loss at the start: log(0).
    const inf = train({ source: 't: scalar\nf = -log(t)\n', loss: 'f', params: ['t'], init: 'zeros', epochs: 3 });
    assert.equal(inf.status, 'diverged');
    assert.match(inf.message!, /epoch 0/);
  });

  test('early stop on tolerance', () => {
    const r = train({ source: LINEAR, loss: 'loss', params: ['w', 'b'], data: { synthetic: 100 }, dims: { n: 3 }, lr: 0.2, epochs: 5000, tol: 1e-12 });
    assert.equal(r.status, 'converged');
    assert.ok(r.epochs < 500, `${r.epochs} epochs`);
    assert.match(r.message!, new RegExp(`epoch ${r.epochs}`));
  });

  test('init from values; wrong values and options are reported', () => {
    const data = { synthetic: 20 };
    const r = train({ source: NEURON, loss: 'loss', params: ['w', 'b'], data, init: { values: { w: [0.1, 0.2], b: 0.5 } }, epochs: 0 });
    assert.deepEqual(r.params, { w: [0.1, 0.2], b: 0.5 }); // n = 2 comes from the values
    const err = (o: Partial<TrainOptions>, re: RegExp, kind: 'usage' | 'input') =>
      assert.throws(() => train({ source: NEURON, loss: 'loss', params: ['w', 'b'], data, dims: { n: 2 }, ...o }), (e: unknown) => e instanceof TrainError && e.kind === kind && re.test(e.message));
    err({ init: { values: { w: [1, 2, 3], b: 0 }, fileName: 'i.json' } }, /i\.json: .*3/, 'input');
    err({ init: { values: { w: [1, 2] }, fileName: 'i.json' } }, /i\.json: No value for 'b'/, 'input');
    err({ init: { values: { w: [1, 2], b: 0, x: [1, 1] }, fileName: 'i.json' } }, /'x' is not among the parameters/, 'input');
    err({ params: ['w', 'q'] }, /unknown parameter 'q'/, 'usage');
    err({ params: ['w', 'z'] }, /'z' is a definition/, 'usage');
    err({ loss: 'los' }, /did you mean 'loss'/, 'usage');
  });
});

describe('data', () => {
  const specs = [
    { name: 'x', width: 'n', multi: true },
    { name: 'y', width: 1, multi: false },
  ] as const;

  test('x1…xn, x_1…x_n and x[1]…x[n] columns, in any order, with extra columns ignored', () => {
    const texts = ['y,x1,x2,id\n1,2,3,a\n4,5,6,b\n', 'x_2,x_1,y\n3,2,1\n6,5,4\n', 'x[1],x[2],y\r\n2,3,1\r\n5,6,4\r\n'];
    for (const t of texts) {
      const r = readCsv(t, 'd.csv', specs, new Map());
      assert.equal(r.dataset.rows, 2);
      assert.deepEqual(Array.from(r.dataset.values.get('x')!.data), [2, 3, 5, 6]);
      assert.deepEqual(Array.from(r.dataset.values.get('y')!.data), [1, 4]);
      assert.equal(r.inferred.get('n'), 2);
    }
    // A bound size must agree with the header: more columns than the size is a mismatch, not ignored columns.
    assert.equal(readCsv(texts[0], 'd.csv', specs, new Map([['n', 2]])).dataset.values.get('x')!.cols, 2);
    assert.throws(
      () => readCsv(texts[0], 'd.csv', specs, new Map([['n', 1]]), new Map([['n', 'init.json']])),
      /^Error: d\.csv:1:1: the header has columns x1…x2 for x, but n = 1 \(from init\.json\): make the columns and the sizes agree$/,
    );
  });

  test('errors name the file, line and column', () => {
    const cases: Array<[string, RegExp]> = [
      ['x1,x2,y\n1,2,3\n4,abc,6\n', /^d\.csv:3:3: 'abc' in column 'x2' is not a number$/],
      ['x1,x2,y\n1,2,3\n\n4,  5e,6\n', /^d\.csv:4:5: '5e' in column 'x2' is not a number$/],
      ['x1,x2,y\n1,,3\n', /^d\.csv:2:3: empty value in column 'x2'$/],
      ['x1,x2,y\n1,2\n', /^d\.csv:2:4: this row has 2 values but the header has 3: no value for column 'y'$/],
      ['x1,x2,y\n1,2,3,4\n', /^d\.csv:2:7: this row has 4 values but the header has 3$/],
      ['x1,x2,z\n1,2,3\n', /^d\.csv:1:1: missing column 'y' for the variable y \(the header has: x1, x2, z\)$/],
      ['a,b,y\n1,2,3\n', /^d\.csv:1:1: missing column 'x1' \(or 'x_1', 'x\[1\]'\) for the first element of x \(the header has: a, b, y\)$/],
      ['x1,x1,y\n', /^d\.csv:1:4: the column 'x1' appears twice/],
      ['x1,y\n', /^d\.csv:1:1: no data rows after the header$/],
      ['', /^d\.csv:1:1: the file is empty/],
      ['x1,y\n1,"2\n', /^d\.csv:2:1: not valid CSV: /],
      ['x1,y\n1,NaN\n', /'NaN' in column 'y' is not a number/],
    ];
    const message = (re: RegExp) => (e: unknown) => e instanceof DataError && re.test(e.message);
    for (const [text, re] of cases) assert.throws(() => readCsv(text, 'd.csv', specs, new Map()), message(re), JSON.stringify(text));
    assert.throws(() => readCsv('x1,x2,y\n1,2,3\n', 'd.csv', specs, new Map([['n', 3]])), message(/^d\.csv:1:1: missing column 'x3' for element 3 of x \(n = 3\)/));
  });

  test('a batch document maps matrix[N, n] to x1…xn (X1…Xn) and vector[N] to a column', () => {
    const { X, y } = linearData(30, 2, 1);
    const p = prepareProblem({ source: BATCH_LINEAR, loss: 'loss', params: ['w', 'b'], data: { csvText: csvOf(X, y) } });
    assert.equal(p.method, 'as-is');
    assert.equal(p.rowDim, 'N');
    assert.deepEqual(Array.from(p.dataset!.values.get('X')!.data.subarray(0, 2)), X[0]);
  });
});

describe('mcalc train', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcalc-train-'));
  const doc = join(dir, 'neuron.mcalc');
  writeFileSync(doc, NEURON);
  const { X, y } = linearData(40, 3, 2);
  const csv = join(dir, 'data.csv');
  writeFileSync(csv, csvOf(X, y));
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'x1,x2,x3,y\n1,2,3,4\n1,2,x,4\n');
  const init = join(dir, 'init.json');
  writeFileSync(init, JSON.stringify({ w: [0.1, 0.2, 0.3], b: 0.1 }));

  const cli = runMcalc;

  test('--json prints {epoch, loss} lines then {params, loss}; exit 0', async () => {
    const r = await cli('train', doc, '--loss', 'loss', '--params', 'w,b', '--data', csv, '--epochs', '3', '--optimizer', 'adam', '--lr', '0.01', '--init', init, '--json');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    lines.slice(0, 3).forEach((l, i) => {
      assert.deepEqual(Object.keys(l), ['epoch', 'loss']);
      assert.equal(l.epoch, i + 1);
    });
    assert.deepEqual(Object.keys(lines[3]), ['params', 'loss']);
    assert.deepEqual(Object.keys(lines[3].params), ['w', 'b']);
    // The first epoch's loss is the loss at the init values.
    close(lines[0].loss, perRowMeanLoss(NEURON, 'loss', { w: [0.1, 0.2, 0.3], b: 0.1 }, X, y), 1e-12, 1e-12);
  });

  test('text output, synthetic data with --dim, mini-batches', async () => {
    const r = await cli('train', doc, '--loss', 'loss', '--params', 'w,b', '--synthetic', '500', '--dim', 'n=4', '--batch', '50', '--optimizer', 'momentum', '--nesterov', '--lr', '0.05', '--epochs', '10');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^epoch {2}1\/10 {2}loss /m);
    assert.match(r.out, /trained w, b on 500 synthetic rows with momentum \(lr 0\.05, momentum 0\.9, dampening 0, nesterov true\), batches of 50, 10 epochs/);
    assert.match(r.out, /∇w = [^\n]*xᵀ/);
    // The batch form keeps the per-sample names for the stacked data: a line says what they stand for.
    assert.match(r.out, /^ {2}\((?:y is vector\[N\] and x is matrix\[N, n\]|x is matrix\[N, n\] and y is vector\[N\]): the data, a row per sample\)$/m);
    assert.doesNotMatch(r.out, /diag/);
  });

  test('usage problems exit 2, input problems exit 1', async () => {
    const base = ['train', doc, '--params', 'w,b'];
    const cases: Array<[string[], number, RegExp]> = [
      [[...base, '--data', csv], 2, /required option '--loss/],
      [[...base, '--loss', 'loss', '--params', 'w,q', '--data', csv], 2, /unknown parameter 'q'/],
      [[...base, '--loss', 'loss', '--synthetic', '10'], 2, /--synthetic needs the size of n .*--dim n=/],
      [[...base, '--loss', 'loss', '--synthetic', '10', '--data', csv], 2, /either --data/],
      [[...base, '--loss', 'loss'], 2, /give --data FILE\.csv or --synthetic N/],
      [[...base, '--loss', 'loss', '--data', csv, '--lr', 'fast'], 2, /--lr fast: not a number/],
      [[...base, '--loss', 'loss', '--data', csv, '--optimizer', 'rmsprop'], 2, /rmsprop/],
      [[...base, '--loss', 'loss', '--data', csv, '--dim', 'm=3'], 2, /no dimension 'm'/],
      [[...base, '--loss', 'loss', '--data', join(dir, 'none.csv')], 2, /cannot read .*none\.csv: no such file/],
      [[...base, '--loss', 'loss', '--data', bad], 1, /bad\.csv:3:5: 'x' in column 'x3' is not a number/],
      [[...base, '--loss', 'loss', '--data', csv, '--lr', '50', '--epochs', '500'], 1, /training diverged at epoch \d+/],
    ];
    for (const [args, code, re] of cases) {
      const r = await cli(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, re);
    }
  });
});

describe('worker', () => {
  const base: TrainOptions = { source: NEURON, fileName: 'neuron.mcalc', loss: 'loss', params: ['w', 'b'], data: { synthetic: 200 }, dims: { n: 3 }, optimizer: 'adam', lr: 0.05, epochs: 6, seed: 1 };

  test('runs in a worker thread with progress per epoch and the same result as in-thread training', async () => {
    const progress: number[] = [];
    const r = await runTrainingInWorker(base, { onProgress: (p) => progress.push(p.epoch) });
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6]);
    const local = train(base);
    assert.deepEqual(r.params, local.params);
    assert.deepEqual(r.history, local.history);
  });

  test('cancellation stops after the current step with the parameters so far; errors reject', async () => {
    const ac = new AbortController();
    let abortedAt = 0;
    const r = await runTrainingInWorker({ ...base, epochs: 1_000_000 }, { signal: ac.signal, onProgress: (p) => p.epoch === 3 && ((abortedAt = performance.now()), ac.abort()) });
    assert.equal(r.status, 'cancelled');
    // Epochs of 200 rows take microseconds, so the worker is some way ahead of the progress events it sent; what
    // matters is that it stops soon after the abort, far from the epoch limit.
    assert.ok(r.epochs >= 3 && r.epochs < 100_000, `${r.epochs}`);
    assert.ok(performance.now() - abortedAt < 2000, 'the run ended within 2 s of the abort');
    assert.equal((r.params.w as number[]).length, 3);
    await assert.rejects(runTrainingInWorker({ ...base, params: ['w', 'nope'] }), (e: unknown) => e instanceof TrainError && e.kind === 'usage');
  });
});

test('CSV columns that training does not read are named in a warning, with the likely reason', () => {
  const csv = 'x1,x2,y,id\n1,2,3,7\n2,1,1,8\n0,1,2,9\n';
  const asData = prepareProblem({ source: NEURON, loss: 'loss', params: ['w', 'b'], data: { csvText: csv, fileName: 'd.csv' }, seed: 1 });
  assert.deepEqual(asData.warnings.filter((w) => /not used/.test(w)), ['d.csv: the column id is not used: no data variable has that name']);
  const asParam = prepareProblem({ source: NEURON, loss: 'loss', params: ['w', 'b', 'x'], data: { csvText: csv, fileName: 'd.csv' }, dims: { n: 2 }, seed: 1 });
  assert.deepEqual(asParam.warnings.filter((w) => /not used/.test(w)), ['d.csv: the columns x1, x2, id are not used: x is a parameter here, not data']);
  const exact = prepareProblem({ source: NEURON, loss: 'loss', params: ['w', 'b'], data: { csvText: 'x1,x2,y\n1,2,3\n2,1,1\n' }, seed: 1 });
  assert.equal(exact.warnings.filter((w) => /not used/.test(w)).length, 0);
});
