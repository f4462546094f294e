// Numeric values of derivatives. Everything is compared in one canonical convention — the full tensor
// G[f-index][x-index] = ∂f_flat/∂x_flat (row-major flattening) — and converted to a layout only for display.

import type { Node } from '../ir.ts';
import type { DerivativeResult, Variable } from '../diff/engine.ts';
import type { DerivativeForm } from '../ops/structure.ts';
import type { Layout } from '../shape.ts';
import { evaluate, evaluateAll } from './evaluate.ts';
import { opDef } from '../ops/registry.ts';
import { type EvalEnv, type Tensor, EvalError, shapeDims } from './tensor.ts';

/** G[i][j] = ∂f_i/∂x_j with f and x flattened row-major. */
export interface CanonicalJacobian {
  fSize: number;
  xSize: number;
  data: Float64Array; // fSize × xSize, row-major
}

function sizeOf(n: Node | Variable, env: EvalEnv): [number, number] {
  return shapeDims(n.shape, env);
}

/** Canonical Jacobian of a symbolic derivative result (or the Hessian, whose "f" is the gradient). */
export function evaluateDerivative(result: DerivativeResult, f: Node, x: Variable, form: DerivativeForm, layout: Layout, env: EvalEnv): CanonicalJacobian {
  const [fr, fc] = form === 'hessian' ? sizeOf(x, env) : sizeOf(f, env);
  const [xr, xc] = sizeOf(x, env);
  const fSize = fr * fc;
  const xSize = xr * xc;
  const G = new Float64Array(fSize * xSize);
  if (result.kind === 'index') {
    const indices = new Map<string, number>();
    for (let a = 0; a < xr; a++) {
      for (let c = 0; c < xc; c++) {
        const j = a * xc + c;
        if (result.indices.length === 2) indices.set('j', a + 1).set('k', c + 1);
        else if (result.indices.length === 1) indices.set('j', j + 1);
        const slice = evaluate(result.slice, { ...env, indices });
        for (let i = 0; i < fSize; i++) G[i * xSize + j] = slice.data[i];
      }
    }
    return { fSize, xSize, data: G };
  }
  const v = evaluate(result.value, env);
  if (form === 'grad') {
    G.set(v.data);
    return { fSize, xSize, data: G };
  }
  if (form === 'hessian') {
    G.set(v.data);
    return { fSize, xSize, data: G };
  }
  // Jacobian of order ≤ 2. In numerator layout f's element varies along rows and x's along columns, except
  // for a scalar f and matrix x (q×p: the transpose of the gradient). Denominator layout transposes.
  const numerator = layout === 'numerator' ? v : transpose(v);
  if (fSize === 1 && xr > 1 && xc > 1) {
    // numerator is xc × xr: numerator[c][a] = ∂f/∂X[a][c]
    for (let a = 0; a < xr; a++) for (let c = 0; c < xc; c++) G[a * xc + c] = numerator.data[c * xr + a];
    return { fSize, xSize, data: G };
  }
  if (numerator.data.length !== G.length) throw new EvalError(`internal: derivative value has ${numerator.data.length} elements, expected ${G.length}`);
  G.set(numerator.data);
  return { fSize, xSize, data: G };
}

function transpose(t: Tensor): Tensor {
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < t.rows; i++) for (let j = 0; j < t.cols; j++) out[j * t.rows + i] = t.data[i * t.cols + j];
  return { rows: t.cols, cols: t.rows, data: out };
}

function withVar(env: EvalEnv, name: string, value: Tensor): EvalEnv {
  const vars = new Map(env.vars);
  vars.set(name, value);
  return { ...env, vars };
}

/** Central finite differences of f w.r.t. x: G[i][j] ≈ (f(x + εe_j) − f(x − εe_j))_i / 2ε. */
export function finiteDifferenceJacobian(f: Node, x: Variable, env: EvalEnv, eps: number): CanonicalJacobian {
  const x0 = env.vars.get(x.name)!;
  const fSize = sizeOf(f, env).reduce((p, q) => p * q);
  const xSize = x0.data.length;
  const G = new Float64Array(fSize * xSize);
  for (let j = 0; j < xSize; j++) {
    const plus = { ...x0, data: Float64Array.from(x0.data) };
    const minus = { ...x0, data: Float64Array.from(x0.data) };
    plus.data[j] += eps;
    minus.data[j] -= eps;
    const fp = evaluate(f, withVar(env, x.name, plus)).data;
    const fm = evaluate(f, withVar(env, x.name, minus)).data;
    for (let i = 0; i < fSize; i++) G[i * xSize + j] = (fp[i] - fm[i]) / (2 * eps);
  }
  return { fSize, xSize, data: G };
}

/** Central second differences of a scalar f: H[i][j] ≈ ∂²f/∂x_i∂x_j. */
export function finiteDifferenceHessian(f: Node, x: Variable, env: EvalEnv, h: number): CanonicalJacobian {
  const x0 = env.vars.get(x.name)!;
  const n = x0.data.length;
  const H = new Float64Array(n * n);
  const at = (di: number, si: number, dj: number, sj: number) => {
    const t = { ...x0, data: Float64Array.from(x0.data) };
    t.data[di] += si * h;
    t.data[dj] += sj * h;
    return evaluate(f, withVar(env, x.name, t)).data[0];
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      H[i * n + j] = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * h * h);
    }
  }
  return { fSize: n, xSize: n, data: H };
}

/**
 * How close the point is to a kink of a non-smooth operator in f (Infinity when f is smooth). With `wrt`,
 * only kinks in the parts of f that depend on that variable count.
 */
export function minKinkDistance(f: Node, env: EvalEnv, wrt?: string): number {
  const values = evaluateAll([f], env);
  let min = Infinity;
  for (const node of values.keys()) {
    if (wrt !== undefined && !node.vars.has(wrt)) continue;
    const def = opDef(node.op);
    if (def.kinkDistance) min = Math.min(min, def.kinkDistance(node, node.args.map((a) => values.get(a)!)));
  }
  return min;
}
