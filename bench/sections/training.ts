// Bench section: epoch time of training the paper's neuron loss (y − max(0, w·x + b))² averaged over
// N = 100,000 rows of n = 100 inputs, per optimiser. The per-sample loss is rewritten into batch form and
// its symbolic gradient (−2/N Xᵀ((y − a) ⊗ 1[z > 0])) evaluated over all rows per step. Also: mini-batches,
// the reference interpreter instead of the compiled evaluator, and the row-by-row fallback, for comparison;
// and (`onePass`) the one-pass kernel — X read once per epoch — on one thread and on every core against the
// plain plan and a same-run loop that streams X once, with the thread crossover at smaller N, and the kernel's
// two dense products alone on the JavaScript and the WebAssembly SIMD path.
//
// Exports one async function returning a JSON object (the bench runner's section convention); run alone with
//   node --import tsx bench/sections/training.ts [--rows N] [--n n] [--epochs k]

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvFile } from '../../src/core/numeric/train/data.ts';
import { prepareProblem, type Problem, type TrainOptions } from '../../src/core/numeric/train/problem.ts';
import { runTraining, type TrainResult } from '../../src/core/numeric/train/trainer.ts';
import { accumulate, blockRows, predict } from '../../src/core/numeric/train/rowKernel.ts';
import { SimdProducts } from '../../src/core/numeric/train/rowKernel-simd.ts';

export interface TrainingBenchOptions {
  rows?: number;
  n?: number;
  /** Epochs timed per configuration (after one warm-up epoch). */
  epochs?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (x: number, d = 1) => Number(x.toFixed(d));

/** Trains `epochs + 1` epochs from the same initial values and returns the per-epoch times (first dropped). */
function timeEpochs(problem: Problem, initial: Float64Array[], options: TrainOptions, epochs: number): { ms: number[]; result: TrainResult } {
  problem.params.forEach((p, k) => p.value.data.set(initial[k]));
  const stamps: number[] = [];
  const result = runTraining(problem, { ...options, epochs: epochs + 1 }, { onProgress: (p) => stamps.push(p.elapsedMs) });
  const ms = stamps.slice(1).map((t, i) => t - stamps[i]);
  return { ms, result };
}

/** Loading a CSV of `rows` rows × 3 columns (x1, x2, y) from a file: time, and resident memory it added. */
function csvLoad(rows: number): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'mcalc-bench-'));
  const path = join(dir, 'data.csv');
  const lines = ['x1,x2,y'];
  for (let i = 0; i < rows; i++) lines.push(`${Math.sin(i).toFixed(6)},${Math.cos(i).toFixed(6)},${(Math.sin(i) - Math.cos(i)).toFixed(6)}`);
  writeFileSync(path, lines.join('\n') + '\n');
  lines.length = 0;
  const specs = [{ name: 'x', width: 'n', multi: true }, { name: 'y', width: 1, multi: false }] as const;
  const rss = process.memoryUsage().rss;
  const t = performance.now();
  const r = readCsvFile(path, 'data.csv', specs, new Map());
  const ms = performance.now() - t;
  const addedMb = (process.memoryUsage().rss - rss) / (1024 * 1024);
  rmSync(dir, { recursive: true });
  return { rows: r.dataset.rows, columns: 3, ms: round(ms), rssAddedMb: round(addedMb) };
}

/** Same-run floor: a plain loop that streams X once (z = X w, nothing else), median of `reps` passes. */
function streamOnceMs(X: Float64Array, w: Float64Array, rows: number, reps: number): number {
  const n = w.length;
  const z = new Float64Array(rows);
  const ms: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    const t = performance.now();
    for (let i = 0; i < rows; i++) {
      const o = i * n;
      let s = 0;
      for (let k = 0; k < n; k++) s += X[o + k] * w[k];
      z[i] = s;
    }
    ms.push(performance.now() - t);
  }
  return median(ms.slice(1));
}

/**
 * The one-pass kernel's two dense products alone (z = X_B w, then out += X_Bᵀ g per block of rows, g = z / n),
 * over all rows once: the JavaScript loops against the WebAssembly SIMD path (block copy included), medians
 * of `reps` passes in the same run, and whether both gave the same bits.
 */
function rowProducts(X: Float64Array, w: Float64Array, rows: number, reps: number): Record<string, unknown> {
  const n = w.length;
  const step = blockRows(n);
  const simd = SimdProducts.create(n, step);
  if (!simd) return { skipped: 'no WebAssembly SIMD' };
  const [z, g, offsets] = [new Float64Array(step), new Float64Array(step), new Int32Array(step)];
  const pass = (useSimd: boolean, out: Float64Array) => {
    out.fill(0);
    if (useSimd) simd.start(w);
    for (let p = 0; p < rows; p += step) {
      const m = Math.min(step, rows - p);
      if (useSimd) simd.predict(X, p, m, null, z);
      else {
        for (let i = 0; i < m; i++) offsets[i] = (p + i) * n;
        predict(X, w, n, offsets, m, z);
      }
      for (let i = 0; i < m; i++) g[i] = z[i] / n;
      if (useSimd) simd.accumulate(g, m);
      else accumulate(X, g, n, offsets, m, out);
    }
    if (useSimd) simd.gradient(out);
  };
  const [jsOut, simdOut] = [new Float64Array(n), new Float64Array(n)];
  const js: number[] = [];
  const wasm: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    let t = performance.now();
    pass(false, jsOut);
    js.push(performance.now() - t);
    t = performance.now();
    pass(true, simdOut);
    wasm.push(performance.now() - t);
  }
  const [jsMs, simdMs] = [median(js.slice(1)), median(wasm.slice(1))];
  return { jsMs: round(jsMs, 2), simdMs: round(simdMs, 2), simdSpeedup: round(jsMs / simdMs, 2), sameBits: jsOut.every((v, k) => Object.is(v, simdOut[k])) };
}

/**
 * Full-batch Adam epochs of the same loss through the plain compiled plan (reads X twice) and the one-pass
 * kernel on 1 thread and on every core, next to the stream-once floor; and the thread crossover at smaller N.
 */
function onePass(base: TrainOptions, rows: number, epochs: number): Record<string, unknown> {
  const cores = availableParallelism();
  const adam: Partial<TrainOptions> = { optimizer: 'adam', lr: 0.01 };
  const run = (kernel: 'plan' | 'auto', threads: number, N = rows) => {
    const o = { ...base, ...adam, data: { synthetic: N }, kernel, threads };
    const problem = prepareProblem(o);
    const initial = problem.params.map((p) => Float64Array.from(p.value.data));
    const { ms, result } = timeEpochs(problem, initial, o, epochs);
    return { problem, epochMs: median(ms), result };
  };
  const plan = run('plan', 1);
  const one = run('auto', 1);
  const all = run('auto', cores);
  const X = one.problem.dataset!.values.get('x')!.data;
  const stream = streamOnceMs(X, one.problem.params[0].value.data, rows, epochs);
  const products = rowProducts(X, one.problem.params[0].value.data, rows, epochs);
  const sameTrajectory = JSON.stringify(one.result.params) === JSON.stringify(all.result.params);
  const crossover = [2000, 5000, 10000, 20000, 50000].map((N) => {
    const a = run('auto', 1, N);
    const b = run('auto', cores, N);
    return { rows: N, oneThreadMs: round(a.epochMs, 2), allThreadsMs: round(b.epochMs, 2), threadsUsed: b.result.threads, speedup: round(a.epochMs / b.epochMs, 2) };
  });
  return {
    optimizer: 'adam',
    planEpochMs: round(plan.epochMs, 2),
    onePassEpochMs: { oneThread: round(one.epochMs, 2), allThreads: round(all.epochMs, 2), threads: all.result.threads },
    streamOnceMs: round(stream, 2),
    rowProducts: products,
    ratios: {
      onePassToPlan: round(one.epochMs / plan.epochMs, 2),
      perThreadToStreamOnce: round(one.epochMs / stream, 2),
      allThreadsToStreamOnce: round(all.epochMs / stream, 2),
    },
    kernel: one.result.kernel,
    sameTrajectoryAcrossThreads: sameTrajectory,
    lossAgreesWithPlan: Math.abs(one.result.loss - plan.result.loss) <= 1e-12 * Math.abs(plan.result.loss),
    crossover,
  };
}

export async function training(opts: TrainingBenchOptions = {}): Promise<Record<string, unknown>> {
  const rows = opts.rows ?? 100_000;
  const n = opts.n ?? 100;
  const epochs = opts.epochs ?? 5;
  // bench/sections/ from source, out/bench/sections/ when bundled: find the repository's examples/ above.
  const examples = [join(__dirname, '../../examples'), join(__dirname, '../../../examples')].find((d) => existsSync(d))!;
  const source = readFileSync(join(examples, 'neuron.mcalc'), 'utf8');
  const base: TrainOptions = { source, fileName: 'neuron.mcalc', loss: 'loss', params: ['w', 'b'], data: { synthetic: rows }, dims: { n }, seed: 1 };

  let t = performance.now();
  const problem = prepareProblem(base);
  const setupMs = performance.now() - t;
  const initial = problem.params.map((p) => Float64Array.from(p.value.data));

  const configs: Array<{ name: string; options: Partial<TrainOptions> }> = [
    { name: 'sgd', options: { optimizer: 'sgd', lr: 0.1 } },
    { name: 'momentum', options: { optimizer: 'momentum', lr: 0.05, momentum: 0.9 } },
    { name: 'nesterov', options: { optimizer: 'momentum', lr: 0.05, momentum: 0.9, nesterov: true } },
    { name: 'adam', options: { optimizer: 'adam', lr: 0.01 } },
  ];
  const fullBatch: Record<string, unknown> = {};
  for (const c of configs) {
    const { ms, result } = timeEpochs(problem, initial, { ...base, ...c.options }, epochs);
    fullBatch[c.name] = { epochMs: round(median(ms)), minMs: round(Math.min(...ms)), lossAfter: Number(result.loss.toPrecision(6)), evaluator: result.evaluator, kernel: result.kernel, threads: result.threads };
  }

  // Mini-batches of 1,000 rows (100 steps per epoch, rows gathered per step).
  const mb = timeEpochs(problem, initial, { ...base, optimizer: 'adam', lr: 0.01, batch: 1000 }, Math.min(epochs, 3));
  const miniBatch = { optimizer: 'adam', batch: 1000, stepsPerEpoch: Math.ceil(rows / 1000), epochMs: round(median(mb.ms)), lossAfter: Number(mb.result.loss.toPrecision(6)) };

  // The same full-batch epoch with the reference interpreter, and row by row (the fallback for losses with no
  // batch form), on fewer epochs.
  t = performance.now();
  const refProblem = prepareProblem({ ...base, evaluator: 'reference' });
  const refSetup = performance.now() - t;
  const ref = timeEpochs(refProblem, initial, { ...base, optimizer: 'sgd', lr: 0.1, evaluator: 'reference' }, 2);
  const perRowProblem = prepareProblem({ ...base, strategy: 'per-row' });
  const perRow = timeEpochs(perRowProblem, initial, { ...base, optimizer: 'sgd', lr: 0.1, strategy: 'per-row' }, 2);

  return {
    problem: { loss: '(y − max(0, w·x + b))², mean over rows', rows, n, params: n + 1, method: problem.method, gradient: problem.gradientText },
    setupMs: round(setupMs),
    timedEpochs: epochs,
    fullBatch,
    onePass: onePass(base, rows, epochs),
    miniBatch,
    referenceInterpreter: { optimizer: 'sgd', epochMs: round(median(ref.ms)), setupMs: round(refSetup), evaluator: ref.result.evaluator },
    csvLoad: csvLoad(1_000_000),
    perRowFallback: { optimizer: 'sgd', epochMs: round(median(perRow.ms)), evaluator: perRow.result.evaluator, lossAgrees: Math.abs(perRow.result.loss - ref.result.loss) <= 1e-9 * Math.abs(ref.result.loss) },
  };
}

export default training;

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  void training({ rows: arg('--rows'), n: arg('--n'), epochs: arg('--epochs') }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
