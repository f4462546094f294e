// Bench section: the Hessian of logistic regression L = sum(log(1 + exp(-(y ⊗ (X*w))))) with respect to w, with
// the data already bound, at (N, n) = (2000, 100), (20000, 100) and (5000, 500): the median in-process time of
// the engine's symbolic Hessian Xᵀ * diag(d) * X evaluated as `mcalc eval` and `mcalc check` do (the blocked
// sandwich of sandwich.ts, its weights by a compiled plan kept between calls; `sections.hessian.cases` =
// [{N, n, ms}], the figure other tools compare with, and `firstCallMs`, which includes compiling that plan), next
// to same-run baselines: the plain compiled plan, a plain row-by-row loop Σ dᵢ xᵢxᵢᵀ, the blocked kernel alone
// (d given: the flop floor of this kernel) on its SIMD and its JavaScript tiles, the previous kernel (2 × 2
// JavaScript tiles, kept here only as a baseline) and one read of X (the memory floor).
// PyTorch: bench/torch/compare.py.

import { analyze } from '../../src/core/analyze.ts';
import { differentiate } from '../../src/core/diff/engine.ts';
import { compile } from '../../src/core/numeric/compile.ts';
import { evaluate } from '../../src/core/numeric/evaluate.ts';
import { sandwich, sandwichParts } from '../../src/core/numeric/sandwich.ts';
import { createRng } from '../../src/core/numeric/random.ts';
import { toText } from '../../src/core/print.ts';

export const LOGISTIC = 'X: matrix[N, n]\nw: vector[n]\ny: vector[N]\nL = sum(log(1 + exp(-(y ⊗ (X*w)))))\n';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** One read of X (the sum of its elements): the memory floor of any pass over the data. */
function streamX(X: Float64Array): number {
  let s0 = 0;
  let s1 = 0;
  let k = 0;
  for (; k + 1 < X.length; k += 2) {
    s0 += X[k];
    s1 += X[k + 1];
  }
  return s0 + s1 + (k < X.length ? X[k] : 0);
}

/** H = Xᵀ diag(σ(m)(1 − σ(m))) X with m = y ⊗ (Xw) (y² = 1 drops out only for ±1 labels, so it is kept). */
export function handWrittenHessian(X: Float64Array, w: Float64Array, y: Float64Array, N: number, n: number, H: Float64Array): void {
  H.fill(0);
  for (let i = 0; i < N; i++) {
    const o = i * n;
    let z = 0;
    for (let k = 0; k < n; k++) z += X[o + k] * w[k];
    const s = 1 / (1 + Math.exp(y[i] * z));
    const d = s * (1 - s) * y[i] * y[i];
    for (let a = 0; a < n; a++) {
      const xa = d * X[o + a];
      if (xa === 0) continue;
      const row = a * n;
      for (let c = a; c < n; c++) H[row + c] += xa * X[o + c];
    }
  }
  for (let a = 0; a < n; a++) for (let c = 0; c < a; c++) H[a * n + c] = H[c * n + a];
}

/** The kernel before the 4 × 4 SIMD tiles, as it was: column panels, 2 × 2 JavaScript tiles on the upper triangle. */
function previousKernel(X: Float64Array, dv: Float64Array, rows: number, n: number): Float64Array {
  const BLOCK = 128;
  const even = n + (n & 1);
  const T = new Float64Array(even * BLOCK);
  const Td = new Float64Array(even * BLOCK);
  const H = new Float64Array(even * even);
  for (let s = 0; s < rows; s += BLOCK) {
    const m = Math.min(BLOCK, rows - s);
    for (let i = 0; i < m; i++) {
      const o = (s + i) * n;
      const di = dv.length === 1 ? dv[0] : dv[s + i];
      for (let k = 0; k < n; k++) {
        const v = X[o + k];
        T[k * BLOCK + i] = v;
        Td[k * BLOCK + i] = di * v;
      }
    }
    for (let a = 0; a < even; a += 2) {
      for (let c = a; c < even; c += 2) {
        const oa = a * BLOCK;
        const ob = oa + BLOCK;
        const oc = c * BLOCK;
        const od = oc + BLOCK;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        for (let i = 0; i < m; i++) {
          const x0 = Td[oa + i];
          const x1 = Td[ob + i];
          const y0 = T[oc + i];
          const y1 = T[od + i];
          s00 += x0 * y0;
          s01 += x0 * y1;
          s10 += x1 * y0;
          s11 += x1 * y1;
        }
        const r0 = a * even + c;
        H[r0] += s00;
        H[r0 + 1] += s01;
        H[r0 + even] += s10;
        H[r0 + even + 1] += s11;
      }
    }
  }
  return H;
}

function runCase(N: number, n: number, reps: number) {
  const a = analyze(LOGISTIC);
  const L = a.definition('L')!.node!;
  const w = a.variable('w')!;
  const result = differentiate(a.builder, L, w, 'hessian', 'numerator', { kind: 'matrix', m: 'n', n: 'n' });
  if (result.kind !== 'matrix') throw new Error('the Hessian of logistic regression should be a matrix');
  let t = performance.now();
  const plan = compile([result.value], new Map([['N', N], ['n', n]]));
  const compileMs = performance.now() - t;
  const rng = createRng(7, 'bench:hessian');
  const X = Float64Array.from({ length: N * n }, () => rng.uniform(-1, 1));
  const y = Float64Array.from({ length: N }, () => (rng.uniform(0, 1) < 0.5 ? -1 : 1));
  const wv = Float64Array.from({ length: n }, () => rng.uniform(-1, 1) / Math.sqrt(n));
  const values = new Map([['X', X], ['y', y], ['w', wv]]);
  const slots = plan.inputs.map((i) => values.get(i.name)!);
  const env = { vars: new Map([['X', { rows: N, cols: n, data: X }], ['y', { rows: N, cols: 1, data: y }], ['w', { rows: n, cols: 1, data: wv }]]), dims: new Map([['N', N], ['n', n]]) };
  t = performance.now();
  const ours = evaluate(result.value, env).data; // the first call compiles the weights' plan (sandwichWeights.ts)
  const firstCallMs = performance.now() - t;
  const planned = plan.runSlots(slots)[0].data;
  const hand = new Float64Array(n * n);
  handWrittenHessian(X, wv, y, N, n, hand);
  let maxAbsDiff = 0;
  for (let k = 0; k < hand.length; k++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(ours[k] - hand[k]), Math.abs(planned[k] - hand[k]));
  const parts = sandwichParts(result.value)!;
  const d = evaluate(parts.d, env);
  const Xt = env.vars.get('X')!;
  const times: Record<'ours' | 'plan' | 'loop' | 'kernel' | 'jsTiles' | 'previous' | 'stream', number[]> = { ours: [], plan: [], loop: [], kernel: [], jsTiles: [], previous: [], stream: [] };
  const time = (k: keyof typeof times, f: () => unknown) => {
    const s = performance.now();
    f();
    times[k].push(performance.now() - s);
  };
  for (let r = 0; r < reps; r++) {
    time('ours', () => evaluate(result.value, env));
    time('plan', () => plan.runSlots(slots));
    time('loop', () => handWrittenHessian(X, wv, y, N, n, hand));
    time('kernel', () => sandwich(Xt, d));
    time('jsTiles', () => sandwich(Xt, d, false));
    time('previous', () => previousKernel(X, d.data, N, n));
    time('stream', () => streamX(X));
  }
  const ms = median(times.ours);
  return {
    N,
    n,
    ms: +ms.toFixed(2),
    firstCallMs: +firstCallMs.toFixed(2),
    compiledPlanMs: +median(times.plan).toFixed(2),
    plainLoopMs: +median(times.loop).toFixed(2),
    sandwichKernelMs: +median(times.kernel).toFixed(2),
    jsTilesKernelMs: +median(times.jsTiles).toFixed(2),
    previousKernelMs: +median(times.previous).toFixed(2),
    kernelSpeedupOverPrevious: +(median(times.previous) / median(times.kernel)).toFixed(2),
    streamXMs: +median(times.stream).toFixed(2),
    ratioToPlan: +(ms / median(times.plan)).toFixed(2),
    ratioToPlainLoop: +(ms / median(times.loop)).toFixed(2),
    compileMs: +compileMs.toFixed(1),
    maxAbsDiff,
    largestBuffer: plan.stats.largestBuffer,
    noNxN: plan.stats.largestBuffer < N * N,
  };
}

export default async function hessian(opts: { reps?: number } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 5;
  const a = analyze(LOGISTIC);
  const H = differentiate(a.builder, a.definition('L')!.node!, a.variable('w')!, 'hessian', 'numerator', { kind: 'matrix', m: 'n', n: 'n' });
  return {
    formula: H.kind === 'matrix' ? toText(H.value) : 'index form',
    cases: [
      [2000, 100],
      [20000, 100],
      [5000, 500],
    ].map(([N, n]) => runCase(N, n, n > 100 ? Math.min(reps, 3) : reps)),
  };
}
