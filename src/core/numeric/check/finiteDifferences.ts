// The one implementation of finite differences: central first differences (Jacobians, directional
// derivatives vᵀJu) and central second differences (Hessians, uᵀHv). Each takes f as a function of x's
// flattened values; x is a scratch buffer that is moved and put back exactly, so `f` may read it through an
// environment that holds it. `f` must return an array it does not reuse (the differences hold two at once).
// Non-finite values are returned as they are: whether they make a domain problem is the caller's decision.

import type { Variable } from '../../diff/engine.ts';
import type { Node } from '../../ir.ts';
import type { CanonicalJacobian } from '../derivative.ts';
import { evaluate } from '../evaluate.ts';
import { withVar } from '../pointwise.ts';
import { type EvalEnv, shapeDims } from '../tensor.ts';

/** f at the current values of x (flattened, row-major). */
export type ValuesOf = (x: Float64Array) => Float64Array;

/** G[i][j] ≈ (f(x + h·e_j) − f(x − h·e_j))_i / 2h, fSize × x.length row-major. `poll` runs before each column. */
export function centralJacobian(x: Float64Array, f: ValuesOf, fSize: number, h: number, poll?: () => void): Float64Array {
  const n = x.length;
  const G = new Float64Array(fSize * n);
  for (let j = 0; j < n; j++) {
    poll?.();
    const xj = x[j];
    x[j] = xj + h;
    const fp = f(x);
    x[j] = xj - h;
    const fm = f(x);
    x[j] = xj;
    for (let i = 0; i < fSize; i++) G[i * n + j] = (fp[i] - fm[i]) / (2 * h);
  }
  return G;
}

/** H[i][j] ≈ ∂²f/∂x_i∂x_j of a scalar f by central second differences (computed for j ≥ i, mirrored). */
export function centralHessian(x: Float64Array, f: ValuesOf, h: number, poll?: () => void): Float64Array {
  const n = x.length;
  const H = new Float64Array(n * n);
  const at = (i: number, si: number, j: number, sj: number) => {
    const xi = x[i];
    const xj = x[j];
    x[i] += si * h;
    x[j] += sj * h;
    const v = f(x)[0];
    x[i] = xi;
    x[j] = xj;
    return v;
  };
  for (let i = 0; i < n; i++) {
    poll?.();
    for (let j = i; j < n; j++) {
      const v = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * h * h);
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  }
  return H;
}

/** f at x + s·d (x is put back afterwards). */
function alongDirection(x: Float64Array, f: ValuesOf, d: Float64Array, s: number): Float64Array {
  const x0 = Float64Array.from(x);
  for (let j = 0; j < x.length; j++) x[j] = x0[j] + s * d[j];
  const values = f(x);
  x.set(x0);
  return values;
}

/** vᵀJu ≈ vᵀ(f(x + h·u) − f(x − h·u)) / 2h. */
export function directionalDerivative(x: Float64Array, f: ValuesOf, u: Float64Array, v: Float64Array, h: number): number {
  const fp = alongDirection(x, f, u, h);
  const fm = alongDirection(x, f, u, -h);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] * (fp[i] - fm[i])) / (2 * h);
  return s;
}

/** uᵀHv of a scalar f ≈ (f(x + h(u+v)) − f(x + h(u−v)) − f(x − h(u−v)) + f(x − h(u+v))) / 4h². */
export function directionalSecond(x: Float64Array, f: ValuesOf, u: Float64Array, v: Float64Array, h: number): number {
  const sum = Float64Array.from(u, (t, j) => t + v[j]);
  const diff = Float64Array.from(u, (t, j) => t - v[j]);
  const at = (d: Float64Array, s: number) => alongDirection(x, f, d, s * h)[0];
  return (at(sum, 1) - at(diff, 1) - at(diff, -1) + at(sum, -1)) / (4 * h * h);
}

/**
 * The displacements ±δ of x that the finite difference of canonical element k used (k = i·n + j): h·e_j for a
 * Jacobian; h(e_i + e_j) and h(e_i − e_j) for a Hessian. A kink crossed along one of them spoils element k.
 */
export function displacementsOf(k: number, n: number, h: number, hessian: boolean): Float64Array[] {
  const j = k % n;
  if (!hessian) {
    const d = new Float64Array(n);
    d[j] = h;
    return [d];
  }
  const i = Math.floor(k / n);
  const sum = new Float64Array(n);
  const diff = new Float64Array(n);
  sum[i] += h;
  sum[j] += h;
  diff[i] += h;
  diff[j] -= h;
  return [sum, diff];
}

/** f's values by the reference evaluator, as a function of x's values (for tests and one-off differences). */
function referenceValues(f: Node, x: Variable, env: EvalEnv): { xData: Float64Array; values: ValuesOf } {
  const xData = Float64Array.from(env.vars.get(x.name)!.data);
  const envX = withVar(env, x.name, xData);
  return { xData, values: () => Float64Array.from(evaluate(f, envX).data) };
}

/** Central finite differences of f w.r.t. x by the reference evaluator, in the canonical convention. */
export function finiteDifferenceJacobian(f: Node, x: Variable, env: EvalEnv, h: number): CanonicalJacobian {
  const [r, c] = shapeDims(f.shape, env);
  const { xData, values } = referenceValues(f, x, env);
  return { fSize: r * c, xSize: xData.length, data: centralJacobian(xData, values, r * c, h) };
}

/** Central second differences of a scalar f by the reference evaluator: H[i][j] ≈ ∂²f/∂x_i∂x_j. */
export function finiteDifferenceHessian(f: Node, x: Variable, env: EvalEnv, h: number): CanonicalJacobian {
  const { xData, values } = referenceValues(f, x, env);
  return { fSize: xData.length, xSize: xData.length, data: centralHessian(xData, values, h) };
}
