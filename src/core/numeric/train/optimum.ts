// The exact minimiser of a quadratic training loss — a linear model fitted by least squares — to show how
// close training came. The loss is quadratic in the parameters θ exactly when its gradient is affine,
// ∇L(θ) = Hθ + g₀: H is read off the gradients at 0 and at the unit vectors, the affinity is confirmed at two
// random points (a ReLU, a log, any non-linearity fails it), and Hθ* = −g₀ is solved. Costs P + 3 full-batch
// gradient evaluations for P parameter entries; the parameters are left as they were.

import { createRng } from '../random.ts';
import { type ParamValue, type Problem, paramValue } from './problem.ts';

/** Above this many parameter entries the optimum is not computed (P gradient evaluations and a P×P solve). */
export const MAX_OPTIMUM_PARAMS = 200;
/** Relative tolerance of the affinity check, against the gradients' scale. */
const AFFINE_RTOL = 1e-7;

/**
 * θ* for a quadratic loss, or undefined: not quadratic, H singular, too many parameters, or θ* not a minimum
 * (its loss above that of the current parameters, as for an indefinite H).
 */
export function leastSquaresOptimum(problem: Problem): Record<string, ParamValue> | undefined {
  const slots = problem.params.map((p) => p.value.data);
  const P = slots.reduce((n, s) => n + s.length, 0);
  if (P === 0 || P > MAX_OPTIMUM_PARAMS || problem.method === 'no-data') return undefined;
  const saved = slots.map((s) => Float64Array.from(s));
  const grads = slots.map((s) => new Float64Array(s.length));
  const set = (theta: ArrayLike<number>) => {
    let k = 0;
    for (const s of slots) for (let i = 0; i < s.length; i++) s[i] = theta[k++];
  };
  const gradientAt = (theta: ArrayLike<number>): Float64Array => {
    set(theta);
    problem.objective.evaluate(null, 0, problem.objective.rows, grads);
    return Float64Array.from(grads.flatMap((g) => Array.from(g)));
  };
  const loss = () => problem.objective.evaluate(null, 0, problem.objective.rows, null);
  try {
    const current = loss();
    const g0 = gradientAt(new Float64Array(P));
    const H: Float64Array[] = [];
    for (let j = 0; j < P; j++) {
      const e = new Float64Array(P);
      e[j] = 1;
      const gj = gradientAt(e);
      H.push(gj.map((v, i) => v - g0[i])); // column j
    }
    if (!isAffine(H, g0, gradientAt, createRng(problem.seed, 'optimum'))) return undefined;
    const theta = solve(H, g0.map((v) => -v));
    if (!theta) return undefined;
    set(theta);
    if (!(loss() <= current)) return undefined;
    return Object.fromEntries(problem.params.map((p) => [p.name, paramValue(p)]));
  } finally {
    slots.forEach((s, i) => s.set(saved[i]));
  }
}

/** ∇L(θ) = Hθ + g₀ at two random points, within AFFINE_RTOL of the gradients' scale. */
function isAffine(H: Float64Array[], g0: Float64Array, gradientAt: (t: ArrayLike<number>) => Float64Array, rng: ReturnType<typeof createRng>): boolean {
  const P = g0.length;
  for (let trial = 0; trial < 2; trial++) {
    const theta = Float64Array.from({ length: P }, () => rng.normal());
    const g = gradientAt(theta);
    const predicted = Float64Array.from(g0);
    H.forEach((col, j) => col.forEach((v, i) => (predicted[i] += v * theta[j])));
    const scale = Math.max(1, ...g.map(Math.abs), ...predicted.map(Math.abs));
    if (!g.every((v, i) => Number.isFinite(v) && Math.abs(v - predicted[i]) <= AFFINE_RTOL * scale)) return false;
  }
  return true;
}

/** Solves Hθ = r (H given by columns) by Gaussian elimination with partial pivoting; undefined if singular. */
function solve(columns: Float64Array[], r: Float64Array): Float64Array | undefined {
  const P = r.length;
  const a = Array.from({ length: P }, (_, i) => [...columns.map((c) => c[i]), r[i]]);
  const scale = Math.max(...a.flatMap((row) => row.slice(0, P).map(Math.abs)));
  for (let k = 0; k < P; k++) {
    let pivot = k;
    for (let i = k + 1; i < P; i++) if (Math.abs(a[i][k]) > Math.abs(a[pivot][k])) pivot = i;
    if (!(Math.abs(a[pivot][k]) > 1e-12 * scale)) return undefined;
    [a[k], a[pivot]] = [a[pivot], a[k]];
    for (let i = k + 1; i < P; i++) {
      const f = a[i][k] / a[k][k];
      for (let j = k; j <= P; j++) a[i][j] -= f * a[k][j];
    }
  }
  const x = new Float64Array(P);
  for (let k = P - 1; k >= 0; k--) {
    let s = a[k][P];
    for (let j = k + 1; j < P; j++) s -= a[k][j] * x[j];
    x[k] = s / a[k][k];
  }
  return x;
}
