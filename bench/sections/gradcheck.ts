// Bench section: the full-Jacobian gradient check of n = 1,000 parameters, L = sum(log(1 + exp(-(y ⊗ (X*w)))))
// with N = 200 rows (the problem bench/torch/compare.py gives torch.autograd.gradcheck): the median in-process
// time of `mcalc check` on that form at one point, and of its central differences alone — in one pass over X
// (linearDifferences.ts) against the same-run baseline of 2n whole evaluations of the compiled f, column by column.

import { analyze } from '../../src/core/analyze.ts';
import { compile } from '../../src/core/numeric/compile.ts';
import { centralJacobian } from '../../src/core/numeric/check/finiteDifferences.ts';
import { checkDocument } from '../../src/core/numeric/gradcheck.ts';
import { linearDifferences } from '../../src/core/numeric/linearDifferences.ts';
import { createRng } from '../../src/core/numeric/random.ts';

const DOC = 'X: matrix[N, n]\nw: vector[n]\ny: vector[N]\nL = sum(log(1 + exp(-(y ⊗ (X*w)))))\ng = d(L)/d(w)\n';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timed(reps: number, f: () => unknown): number {
  f();
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

export default async function gradcheck(opts: { N?: number; n?: number; reps?: number } = {}): Promise<Record<string, unknown>> {
  const N = opts.N ?? 200;
  const n = opts.n ?? 1000;
  const reps = opts.reps ?? 5;
  const a = analyze(DOC);
  const dims = new Map([['N', N], ['n', n]]);
  let passed = true;
  const checkMs = timed(reps, () => {
    passed = checkDocument(a, { dims, points: 1, seed: 3 }).results.every((r) => r.passed);
  });

  const f = a.definition('L')!.node!;
  const w = a.variable('w')!;
  const rng = createRng(3, 'bench:gradcheck');
  const X = Float64Array.from({ length: N * n }, () => rng.uniform(-1, 1));
  const y = Float64Array.from({ length: N }, () => (rng.uniform(0, 1) < 0.5 ? -1 : 1));
  const wv = Float64Array.from({ length: n }, () => rng.uniform(-1, 1) / Math.sqrt(n));
  const env = { vars: new Map([['X', { rows: N, cols: n, data: X }], ['y', { rows: N, cols: 1, data: y }], ['w', { rows: n, cols: 1, data: wv }]]), dims };
  const columns = linearDifferences(a.builder, f, { name: 'w', shape: w.shape, node: w.node }, dims)!;
  const plan = compile([f], dims);
  const values = () => Float64Array.from(plan.run(env.vars)[0].data);
  const onePassMs = timed(reps, () => columns(env, 1e-6));
  const columnByColumnMs = timed(Math.min(reps, 3), () => centralJacobian(wv, values, 1, 1e-6));
  const a1 = columns(env, 1e-6);
  const a2 = centralJacobian(wv, values, 1, 1e-6);
  let maxAbsDiff = 0;
  for (let j = 0; j < n; j++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a1[j] - a2[j]));
  return {
    N,
    n,
    checkMs: +checkMs.toFixed(1),
    passed,
    differences: { onePassMs: +onePassMs.toFixed(2), columnByColumnMs: +columnByColumnMs.toFixed(1), ratio: +(onePassMs / columnByColumnMs).toFixed(4), maxAbsDiff },
  };
}
