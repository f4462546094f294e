// Recognising a batch loss that reads its data matrix only through one linear predictor: L = c · Σᵢ φ(zᵢ, yᵢ, b)
// with z = X w (the paper's neuron and MSE, logistic regression, least squares). Such a loss separates over rows,
// so it can be evaluated over row blocks in one pass over X (fusedObjective.ts): per block, z = X_B w, then the
// element-wise link φ and its derivative ∂φ/∂z (compiled from the engine's own gradient of the link), then the
// gradient contribution X_Bᵀ ∂φ/∂z while the rows are still in cache. Nothing here is N×N: the link is a vector
// expression over the block's rows.

import type { Builder } from '../../builder.ts';
import { gradient } from '../../diff/engine.ts';
import { type Node, topoOrder } from '../../ir.ts';
import { opDef } from '../../ops/registry.ts';
import type { Shape } from '../../shape.ts';
import { evaluate } from '../evaluate.ts';

export interface LinearForm {
  /** The data matrix X (matrix[rows, n]) and the parameter vector w of the predictor z = X w. */
  readonly matrix: string;
  readonly weights: string;
  /** The variable standing for z in the link (a name no document variable has). */
  readonly zName: string;
  /** Link roots over a block of rows: [Σ φ, ∂Σφ/∂z, ∂Σφ/∂b for each scalar parameter in `scalars`]. */
  readonly roots: readonly Node[];
  /** φ itself: the per-row terms (a vector over the rows) in terms of z. */
  readonly terms: Node;
  /** Scalar parameters the link reads (each gets its gradient from the link). */
  readonly scalars: readonly string[];
  /** Per-row data vectors the link reads. */
  readonly vectors: readonly string[];
  /** The constant c in L = c · Σ φ at `rows` rows (1/rows for a mean). */
  scale(rows: number): number;
}

interface Peeled {
  body: Node;
  mean: boolean;
  sign: number;
  /** Constant scalar factors (no variables) multiplied into the loss, and divisors. */
  times: Node[];
  over: Node[];
}

/**
 * L = mean(E) | sum(E) | c·L′ | L′·c | L′/c | −L′ | L′ ± L″ (both means or both sums) with c constant: the
 * body E and the constant factors. A sum of reductions becomes one reduction of the weighted sum of bodies.
 */
function peel(b: Builder, loss: Node): Peeled | null {
  const n = loss;
  if (n.shape.kind !== 'scalar') return null;
  if (n.op === 'mean' || n.op === 'sum') return n.args[0].shape.kind === 'vector' ? { body: n.args[0], mean: n.op === 'mean', sign: 1, times: [], over: [] } : null;
  const [a, c] = n.args;
  const constant = (x: Node) => x.vars.size === 0 && x.shape.kind === 'scalar';
  const scaled = (inner: Node, f: (p: Peeled) => void) => {
    const p = peel(b, inner);
    if (p) f(p);
    return p;
  };
  if (n.op === 'neg') return scaled(a, (p) => (p.sign = -p.sign));
  if (n.op === 'mul' && constant(a)) return scaled(c, (p) => p.times.push(a));
  if (n.op === 'mul' && constant(c)) return scaled(a, (p) => p.times.push(c));
  if (n.op === 'div' && constant(c)) return scaled(a, (p) => p.over.push(c));
  if (n.op !== 'add' && n.op !== 'sub') return null;
  const l = peel(b, a);
  const r = peel(b, c);
  if (!l || !r || l.mean !== r.mean || l.body.shape.kind !== 'vector' || r.body.shape.kind !== 'vector' || l.body.shape.n !== r.body.shape.n) return null;
  const weighted = (p: Peeled) => {
    let f = b.constant(p.sign);
    for (const t of p.times) f = b.mul(f, t);
    for (const o of p.over) f = b.div(f, o);
    return b.mul(f, p.body);
  };
  return { body: n.op === 'add' ? b.add(weighted(l), weighted(r)) : b.sub(weighted(l), weighted(r)), mean: l.mean, sign: 1, times: [], over: [] };
}

const isRowVector = (s: Shape, rowDim: string) => s.kind === 'vector' && s.n === rowDim;

/**
 * The linear form of `loss`, or null when the loss is not a row-separable function of one predictor X w
 * (then the plain compiled plan evaluates it). `data` maps data variables to their shapes; `scalarParams`
 * and `vectorParams` name the parameters by shape.
 */
export function linearForm(b: Builder, loss: Node, rowDim: string, data: ReadonlyMap<string, Shape>, scalarParams: ReadonlySet<string>, vectorParams: ReadonlySet<string>, dims: ReadonlyMap<string, number>): LinearForm | null {
  const peeled = peel(b, loss);
  if (!peeled || !isRowVector(peeled.body.shape, rowDim)) return null;
  const predictors = topoOrder([peeled.body]).filter((n) => n.op === 'matmul');
  if (predictors.length !== 1) return null;
  const [Xn, wn] = predictors[0].args;
  if (Xn.op !== 'var' || wn.op !== 'var') return null;
  const matrix = String(Xn.attr);
  const weights = String(wn.attr);
  const xs = data.get(matrix);
  if (!xs || xs.kind !== 'matrix' || xs.m !== rowDim || !vectorParams.has(weights)) return null;

  const taken = new Set([...data.keys(), ...scalarParams, ...vectorParams]);
  let zName = 'z';
  while (taken.has(zName)) zName += '_';
  const z = b.variable(zName, predictors[0].shape);
  const link = substitute(b, peeled.body, predictors[0], z, rowDim, data, scalarParams);
  if (!link) return null;
  const total = b.sum(link);
  const scalars = [...scalarParams].filter((p) => total.vars.has(p));
  const vectors = [...data.keys()].filter((d) => total.vars.has(d));
  const roots = [total, gradient(b, total, { name: zName, shape: z.shape, node: z }), ...scalars.map((p) => gradient(b, total, { name: p, shape: { kind: 'scalar' }, node: b.variable(p, { kind: 'scalar' }) }))];
  const constant = (c: Node, rows: number) => {
    const env = { vars: new Map(), dims: new Map([...dims, [rowDim, rows]]) };
    return evaluate(c, env).data[0];
  };
  return {
    matrix,
    weights,
    zName,
    roots,
    terms: link,
    scalars,
    vectors,
    scale(rows) {
      let s = peeled.mean ? peeled.sign / rows : peeled.sign;
      for (const c of peeled.times) s *= constant(c, rows);
      for (const c of peeled.over) s /= constant(c, rows);
      return s;
    },
  };
}

/**
 * `body` with the predictor replaced by z, provided every other node is element-wise over the rows (a row
 * vector or a scalar), reads only per-row data vectors and scalar parameters, and never the row count itself
 * (a size node would change meaning over a block). Null otherwise.
 */
function substitute(b: Builder, body: Node, predictor: Node, z: Node, rowDim: string, data: ReadonlyMap<string, Shape>, scalarParams: ReadonlySet<string>): Node | null {
  const out = new Map<Node, Node>([[predictor, z]]);
  for (const n of topoOrder([body], (m) => m !== predictor)) {
    if (n === predictor) continue;
    const rowOrScalar = n.shape.kind === 'scalar' || isRowVector(n.shape, rowDim);
    if (!rowOrScalar) return null;
    if (n.op === 'const') out.set(n, n);
    else if (n.op === 'var') {
      const name = String(n.attr);
      const ok = n.shape.kind === 'scalar' ? scalarParams.has(name) : isRowVector(data.get(name) ?? n.shape, rowDim) && data.has(name);
      if (!ok) return null;
      out.set(n, n);
    } else if (n.op === 'size') {
      if (n.attr === rowDim) return null;
      out.set(n, n);
    } else if (opDef(n.op).emitElement) {
      out.set(n, b.node(n.op, n.args.map((a) => out.get(a)!), n.attr));
    } else return null;
  }
  return out.get(body)!;
}
