// Bench section: the full-batch MSE gradient of the neuron max(0, X w + b) for N = 100,000 samples of
// n = 100 inputs in float64 — the engine's symbolic gradient (−2/N Xᵀ((y − a) ⊗ 1[z > 0]) and its sum for b),
// run by the compiled evaluator, against a hand-written fused JavaScript loop written here. Both compute
// ∂loss/∂w and ∂loss/∂b; they are timed interleaved (alternating which goes first) and their results compared.
//
// Exports one async function returning a JSON object (the bench runner's section convention); run alone with
//   node --import tsx bench/sections/neuron-gradient.ts [--rows N] [--n n] [--reps k]

import { analyze } from '../../src/core/analyze.ts';
import { gradient } from '../../src/core/diff/engine.ts';
import { compile } from '../../src/core/numeric/compile.ts';
import { evaluate } from '../../src/core/numeric/evaluate.ts';
import { createRng } from '../../src/core/numeric/random.ts';
import { toText } from '../../src/core/print.ts';

export const DOCUMENT = `X: matrix[N, n]
w: vector[n]
y: vector[N]
b: scalar
z = X*w + b
a = max(0, z)
loss = mean((y - a)^2)
`;

export interface NeuronBenchOptions {
  rows?: number;
  n?: number;
  /** Timed repetitions of each (after warm-up). */
  reps?: number;
}

/**
 * The hand-written baseline: one pass over the rows, z = X[i]·w + b, and for active rows (z > 0) the residual
 * r = y − z accumulated into ∂/∂w (r X[i]) and ∂/∂b; scaled by −2/N at the end.
 */
export function handWrittenGradient(X: Float64Array, w: Float64Array, y: Float64Array, b: number, N: number, n: number, gw: Float64Array): number {
  gw.fill(0);
  let gb = 0;
  for (let i = 0; i < N; i++) {
    const o = i * n;
    let z = b;
    for (let k = 0; k < n; k++) z += X[o + k] * w[k];
    if (z <= 0) continue;
    const r = y[i] - z;
    gb += r;
    for (let k = 0; k < n; k++) gw[k] += r * X[o + k];
  }
  const c = -2 / N;
  for (let k = 0; k < n; k++) gw[k] *= c;
  return gb * c;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (x: number, d = 2) => Number(x.toFixed(d));

export async function neuronGradient(opts: NeuronBenchOptions = {}): Promise<Record<string, unknown>> {
  const N = opts.rows ?? 100_000;
  const n = opts.n ?? 100;
  const reps = opts.reps ?? 21;

  // The engine: analysis, reverse-mode gradients, compilation.
  let t = performance.now();
  const a = analyze(DOCUMENT);
  if (a.diagnostics.length) throw new Error(`bench document: ${a.diagnostics.map((d) => d.message).join('; ')}`);
  const loss = a.definition('loss')!.node!;
  const gw = gradient(a.builder, loss, a.variable('w')!);
  const gb = gradient(a.builder, loss, a.variable('b')!);
  const deriveMs = performance.now() - t;
  t = performance.now();
  const plan = compile([gw, gb], new Map([['N', N], ['n', n]]));
  const compileMs = performance.now() - t;

  // Data: X, y uniform in (−1, 1); w scaled so that about half the rows are active.
  const rng = createRng(1, 'bench:neuron-gradient');
  const X = new Float64Array(N * n);
  for (let i = 0; i < X.length; i++) X[i] = rng.uniform(-1, 1);
  const y = Float64Array.from({ length: N }, () => rng.uniform(-1, 1));
  const w = Float64Array.from({ length: n }, () => rng.uniform(-1, 1) / Math.sqrt(n));
  const b = 0.05;
  const vars = new Map<string, Float64Array | number>([['X', X], ['w', w], ['y', y], ['b', b]]);
  const slots = plan.inputs.map((i) => {
    const v = vars.get(i.name)!;
    return typeof v === 'number' ? Float64Array.of(v) : v;
  });
  const handGw = new Float64Array(n);

  // Same results?
  const ours = plan.runSlots(slots);
  const handGb = handWrittenGradient(X, w, y, b, N, n, handGw);
  let maxAbsDiff = Math.abs(ours[1].data[0] - handGb);
  let maxAbs = Math.abs(handGb);
  for (let k = 0; k < n; k++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(ours[0].data[k] - handGw[k]));
    maxAbs = Math.max(maxAbs, Math.abs(handGw[k]));
  }
  let active = 0;
  {
    for (let i = 0; i < N; i++) {
      let z = b;
      for (let k = 0; k < n; k++) z += X[i * n + k] * w[k];
      if (z > 0) active++;
    }
  }

  // Warm up both, then interleave.
  for (let k = 0; k < 5; k++) {
    plan.runSlots(slots);
    handWrittenGradient(X, w, y, b, N, n, handGw);
  }
  const oursMs: number[] = [];
  const handMs: number[] = [];
  const timeOurs = () => {
    const s = performance.now();
    plan.runSlots(slots);
    oursMs.push(performance.now() - s);
  };
  const timeHand = () => {
    const s = performance.now();
    handWrittenGradient(X, w, y, b, N, n, handGw);
    handMs.push(performance.now() - s);
  };
  for (let r = 0; r < reps; r++) {
    if (r % 2 === 0) {
      timeOurs();
      timeHand();
    } else {
      timeHand();
      timeOurs();
    }
  }

  // For scale: the reference interpreter (materialises Xᵀ and every intermediate vector), a few runs.
  const refMs: number[] = [];
  const env = { vars: new Map([['X', { rows: N, cols: n, data: X }], ['w', { rows: n, cols: 1, data: w }], ['y', { rows: N, cols: 1, data: y }], ['b', { rows: 1, cols: 1, data: Float64Array.of(b) }]]), dims: new Map([['N', N], ['n', n]]) };
  for (let r = 0; r < 3; r++) {
    const s = performance.now();
    evaluate(gw, env);
    evaluate(gb, env);
    refMs.push(performance.now() - s);
  }

  const oursMedian = median(oursMs);
  const handMedian = median(handMs);
  const largestBuffer = plan.stats.largestBuffer;
  return {
    problem: { document: DOCUMENT.trim().split('\n').join('; '), rows: N, n, dtype: 'float64', activeRows: active, wrt: ['w', 'b'] },
    gradient: { w: toText(gw), b: toText(gb) },
    compiledMs: { median: round(oursMedian), min: round(Math.min(...oursMs)), max: round(Math.max(...oursMs)) },
    handWrittenMs: { median: round(handMedian), min: round(Math.min(...handMs)), max: round(Math.max(...handMs)) },
    ratio: round(oursMedian / handMedian, 3),
    target: 1.3,
    meetsTarget: oursMedian / handMedian <= 1.3,
    reps,
    sameGradient: { maxAbsDiff, relative: maxAbsDiff / maxAbs },
    referenceInterpreterMs: round(median(refMs)),
    setupMs: { analyseAndDifferentiate: round(deriveMs), compile: round(compileMs) },
    plan: { ...plan.stats, largestBuffer, noNxN: largestBuffer < N * N },
    reference: { pytorch_1_13_cpu_single_thread_ms: 37.7, tuned_plain_js_ms: 49, note: 'figures from the issue, measured on a machine of this kind, not here' },
  };
}

export default neuronGradient;

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  void neuronGradient({ rows: arg('--rows'), n: arg('--n'), reps: arg('--reps') }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
