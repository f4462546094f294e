// Central differences of a scalar f = c·Σφ(X x, y, b) with respect to x, for every direction e_j in one pass:
// f(x ± h e_j) only moves the predictor, z ± h X[:, j], so z = X x is computed once and each direction costs
// the compiled link over the rows (O(N)) instead of a whole evaluation of f (O(N n)); the link runs on 32
// directions at once (their z's stacked into one vector). For n = 1,000 parameters that is one pass over X
// instead of 2n. The link is f's own expression with X x
// replaced by z (linearForm.ts), never a derivative: the differences stay independent of the engine's result.

import type { Builder } from '../builder.ts';
import type { Variable } from '../diff/engine.ts';
import { type Node, topoOrder } from '../ir.ts';
import type { Shape } from '../shape.ts';
import { compile } from './compile.ts';
import type { EvalEnv } from './tensor.ts';
import { linearForm } from './train/linearForm.ts';

/** Directions differenced per run of the compiled link. */
const COLUMNS = 32;

/** `v` repeated `times` times (a per-row data vector for the stacked copies of the rows). */
function tiled(v: Float64Array, times: number): Float64Array {
  const out = new Float64Array(v.length * times);
  for (let t = 0; t < times; t++) out.set(v, t * v.length);
  return out;
}

/** G[j] ≈ (f(x + h e_j) − f(x − h e_j)) / 2h for x's values in `env` (1 × n, like centralJacobian's). */
export type ColumnDifferences = (env: EvalEnv, h: number, poll?: () => void) => Float64Array;

/**
 * The one-pass central differences of `f` with respect to the vector `x`, or null when f is not a scalar
 * c·Σφ of one predictor X x (then f is differenced by whole evaluations).
 */
export function linearDifferences(b: Builder, f: Node, x: Variable, dims: ReadonlyMap<string, number>): ColumnDifferences | null {
  if (f.shape.kind !== 'scalar' || x.shape.kind !== 'vector') return null;
  const predictor = topoOrder([f]).find((n) => n.op === 'matmul' && n.args[1].op === 'var' && n.args[1].attr === x.name && n.args[0].op === 'var');
  const rowDim = predictor?.args[0].shape.kind === 'matrix' ? predictor.args[0].shape.m : undefined;
  if (!predictor || typeof rowDim !== 'string' || !dims.has(rowDim)) return null;
  const data = new Map<string, Shape>();
  const scalars = new Set<string>();
  for (const n of topoOrder([f])) {
    if (n.op !== 'var' || n.attr === x.name) continue;
    if (n.shape.kind === 'scalar') scalars.add(String(n.attr));
    else data.set(String(n.attr), n.shape);
  }
  const form = linearForm(b, f, rowDim, data, scalars, new Set([x.name]), dims);
  if (!form) return null;
  const rows = dims.get(rowDim)!;
  // φ over COLUMNS stacked copies of the rows: one plan run differences COLUMNS directions at once.
  const plan = compile([form.terms], new Map([...dims, [rowDim, rows * COLUMNS]]));
  const scale = form.scale(rows);
  const z0 = new Float64Array(rows);
  const z = new Float64Array(rows * COLUMNS);
  return (env, h, poll) => {
    const X = env.vars.get(form.matrix)!.data;
    const w = env.vars.get(x.name)!.data;
    const n = w.length;
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += X[i * n + k] * w[k];
      z0[i] = s;
    }
    const slots = plan.inputs.map((input) => (input.name === form.zName ? z : input.rows === rows * COLUMNS ? tiled(env.vars.get(input.name)!.data, COLUMNS) : env.vars.get(input.name)!.data));
    /** Σφ at z0 + step·X[:, j] for the columns j0 … j0 + count − 1, into sums[0 … count). */
    const sums = new Float64Array(COLUMNS);
    const at = (j0: number, count: number, step: number) => {
      for (let i = 0; i < rows; i++) {
        const o = i * n + j0;
        for (let c = 0; c < count; c++) z[c * rows + i] = z0[i] + step * X[o + c];
      }
      const phi = plan.runSlots(slots)[0].data;
      for (let c = 0; c < count; c++) {
        let s = 0;
        for (let i = c * rows; i < (c + 1) * rows; i++) s += phi[i];
        sums[c] = scale * s;
      }
      return sums;
    };
    const G = new Float64Array(n);
    for (let j0 = 0; j0 < n; j0 += COLUMNS) {
      poll?.();
      const count = Math.min(COLUMNS, n - j0);
      const plus = Float64Array.from(at(j0, count, h));
      const minus = at(j0, count, -h);
      for (let c = 0; c < count; c++) G[j0 + c] = (plus[c] - minus[c]) / (2 * h);
    }
    return G;
  };
}
