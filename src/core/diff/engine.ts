// The differentiation engine. Three passes over the shared DAG, each driven by the operators' own rules:
//  - forward (jvp): the differential df in a direction dx, in topological order;
//  - reverse (vjp): the gradient of a scalar, accumulated backwards (vector–Jacobian products);
//  - Jacobian extraction: read the matrix J off a differential df = J dx (for vector variables).
// Results are built with the simplifying Builder, so shared subexpressions stay shared.

import { Builder, InternalError } from '../builder.ts';
import { type Node, topoOrder } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import { toText } from '../print.ts';
import { type Dim, type Layout, type Shape, dimsOf, formatShape, jacobianShape, matrixOf, rowOf, sameAsMatrix, sameDim, sameShape, vectorOf } from '../shape.ts';
import type { DerivativeForm } from '../ops/structure.ts';
import { JacobianExtraction } from './extraction.ts';

export interface Variable {
  name: string;
  shape: Shape;
  node: Node;
}

/** Tangent of `root` when `wrt` moves in direction `seed` (same shape as the variable); null means zero. */
export function jvp(b: Builder, root: Node, wrt: string, seed: Node): Node | null {
  return jvpAll(b, root, wrt, seed).get(root.id) ?? null;
}

/** Tangents of every node of `root`'s DAG that depends on `wrt` (by node id). */
export function jvpAll(b: Builder, root: Node, wrt: string, seed: Node): Map<number, Node | null> {
  const tangents = new Map<number, Node | null>();
  for (const n of topoOrder([root], (m) => m.vars.has(wrt))) {
    if (!n.vars.has(wrt)) continue;
    if (n.op === 'var') {
      tangents.set(n.id, seed);
      continue;
    }
    const def = opDef(n.op);
    if (!def.jvp) throw new InternalError(`no derivative rule for ${n.op}`);
    const ts: (Node | null)[] = new Array(n.args.length);
    let any = false;
    for (let i = 0; i < ts.length; i++) {
      const t = tangents.get(n.args[i].id) ?? null;
      ts[i] = t;
      if (t) any = true;
    }
    tangents.set(n.id, any ? def.jvp(n, ts, b) : null);
  }
  return tangents;
}

/** Reverse mode: the cotangent of variable `wrt` given the cotangent `seed` of `root` (null means zero). */
export function vjp(b: Builder, root: Node, wrt: string, seed: Node): Node | null {
  const v = variableNode(root, wrt);
  return v ? (vjpAll(b, root, wrt, seed).get(v.id) ?? null) : null;
}

/** The variable's leaf inside a DAG. */
export function variableNode(root: Node, wrt: string): Node | undefined {
  return topoOrder([root], (m) => m.vars.has(wrt)).find((n) => n.op === 'var' && n.attr === wrt);
}

/** Adjoints (∂root/∂node, shaped like node) of every node that depends on `wrt`, by node id. */
export function vjpAll(b: Builder, root: Node, wrt: string, seed: Node): Map<number, Node> {
  const order = topoOrder([root], (m) => m.vars.has(wrt));
  const adjoints = new Map<number, Node>([[root.id, seed]]);
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    const s = adjoints.get(n.id);
    if (!s || !n.vars.has(wrt) || n.op === 'var') continue;
    const def = opDef(n.op);
    if (!def.vjp) throw new InternalError(`no reverse derivative rule for ${n.op}`);
    n.args.forEach((a, k) => {
      if (!a.vars.has(wrt)) return;
      const c = def.vjp!(n, s, k, b);
      const prev = adjoints.get(a.id);
      adjoints.set(a.id, prev ? b.add(prev, c) : c);
    });
  }
  return adjoints;
}

/**
 * Reads the Jacobian matrix (numerator layout) off a differential `df` that is linear in the tangent leaf of
 * the vector variable `wrt` (diff/extraction.ts). null when no matrix form was found.
 */
export function extractJacobian(b: Builder, df: Node, wrt: Variable): Node | null {
  // A differential the simplifier reduced to a constant (d(0 * x)) no longer holds the tangent: J = 0.
  if (!df.vars.has('∂' + wrt.name)) {
    const zero = jacobianShape(df.shape, wrt.shape, 'numerator').shape;
    return zero ? b.zero(zero) : null;
  }
  return extractAll(b, df, wrt).get(df.id) ?? null;
}

/** Jacobians (numerator layout) of every node of the differential's DAG that involves the tangent. */
export function extractAll(b: Builder, df: Node, wrt: Variable): Map<number, Node | null> {
  const extraction = new JacobianExtraction(b, wrt);
  extraction.jacobian(df);
  return extraction.Js;
}

/** A derivative that is a matrix (or vector or scalar) in the requested layout. */
export interface MatrixResult {
  kind: 'matrix';
  value: Node;
}

/**
 * A derivative shown slice by slice in index form: `∂f/∂x_j = slice` (or `∂f/∂X_{jk}`), the slice being the
 * derivative along one unit direction; used for third-order tensors and wherever no matrix form exists.
 */
export interface IndexResult {
  kind: 'index';
  /** Index symbols of the variable's element, e.g. ['j'] or ['j', 'k']. */
  indices: string[];
  slice: Node;
  /** The differentiated (vector or matrix) function whose slices these are. */
  of: Node;
  /** Order of result dims: f-dims then x-dims (numerator) or x-dims then f-dims (denominator). */
  layout: Layout;
}

export type DerivativeResult = MatrixResult | IndexResult;

/** Index letters for slices, in order of preference; the first pair that no name in f's formula uses wins. */
const INDEX_CHOICES = [['j', 'k'], ['i', 'j'], ['r', 's'], ['t', 'u'], ['a', 'b']];

/**
 * Index letters unlike every variable and dimension f's formula prints: with a dimension k, `𝐞_j[k]` and an index
 * k would read the same (`x[k] * … * 𝐞_j[k]`).
 */
function indexLetters(f: Node, x: Variable): string[] {
  const taken = new Set<string>([...f.vars, x.name]);
  const addDims = (s: Shape) => {
    for (const d of dimsOf(s)) if (typeof d === 'string') taken.add(d);
  };
  addDims(x.shape);
  for (const n of topoOrder([f])) addDims(n.shape);
  return INDEX_CHOICES.find((pair) => pair.every((l) => !taken.has(l))) ?? INDEX_CHOICES[0];
}

/** Unit direction seed for index-form slices: e_j for vectors, e_j e_kᵀ for matrices. */
function unitSeed(b: Builder, f: Node, x: Variable): { seed: Node; indices: string[] } {
  const s = x.shape;
  if (s.kind === 'scalar') return { seed: b.constant(1), indices: [] };
  const [j, k] = indexLetters(f, x);
  if (s.kind === 'vector') return { seed: b.unit(j, s.n), indices: [j] };
  if (s.kind === 'row') return { seed: b.transpose(b.unit(j, s.n)), indices: [j] };
  return { seed: b.matmul(b.unit(j, s.m), b.transpose(b.unit(k, s.n))), indices: [j, k] };
}

function indexForm(b: Builder, f: Node, x: Variable, layout: Layout): IndexResult {
  const { seed, indices } = unitSeed(b, f, x);
  const slice = jvp(b, f, x.name, seed) ?? b.zero(f.shape);
  return { kind: 'index', indices, slice, of: f, layout };
}

function zeroResult(b: Builder, f: Node, x: Variable, layout: Layout, shape: Shape | undefined): DerivativeResult {
  if (shape) return { kind: 'matrix', value: b.zero(shape) };
  return { kind: 'index', indices: unitSeed(b, f, x).indices, slice: b.zero(f.shape), of: f, layout };
}

/** The gradient of a scalar f: always x's shape. */
export function gradient(b: Builder, f: Node, x: Variable): Node {
  return vjp(b, f, x.name, b.constant(1)) ?? b.zero(x.shape);
}

/** Numerator-layout Jacobian of f w.r.t. x when it is at most a matrix, else null. */
export function numeratorJacobian(b: Builder, f: Node, x: Variable): Node | null {
  if (!f.vars.has(x.name)) return null;
  if (x.shape.kind === 'scalar') return jvp(b, f, x.name, b.constant(1)) ?? b.zero(f.shape);
  if (f.shape.kind === 'scalar') return b.transpose(gradient(b, f, x));
  if (x.shape.kind === 'vector' && (f.shape.kind === 'vector' || f.shape.kind === 'row')) {
    const df = jvp(b, f, x.name, b.tangent(x.name, x.shape));
    return df ? extractJacobian(b, df, x) : b.zero(matrixOf(f.shape.n, x.shape.n));
  }
  return null;
}

/** A value as the matrix with its rows and columns (a vector[m] is m×1, a scalar 1×1). */
function asMatrix(b: Builder, v: Node): Node {
  switch (v.shape.kind) {
    case 'scalar':
      return b.mul(v, b.ones(matrixOf(1, 1)));
    case 'vector':
      return b.matmul(v, b.ones(rowOf(1)));
    case 'row':
      return b.matmul(b.ones(vectorOf(1)), v);
    case 'matrix':
      return v;
  }
}

/**
 * The result in the shape the analysis gave the form. They differ only where a dimension is the literal 1:
 * the analysis calls a 1×1 Jacobian a scalar, the engine may build it as a 1×1 matrix (d(u)/d(u) for a
 * vector[1] u is I₁), and a user's expression around the form is built for the analysis's shape.
 */
function conform(b: Builder, v: Node, shape: Shape): Node {
  if (sameShape(v.shape, shape)) return v;
  // The Jacobian of a row vector f by a scalar: the analysis orders f's n elements first, as a column.
  if ((v.shape.kind === 'row' && shape.kind === 'vector') || (v.shape.kind === 'vector' && shape.kind === 'row')) {
    if (sameDim(v.shape.n, shape.n)) return b.transpose(v);
  }
  if (!sameAsMatrix(v.shape, shape)) throw new InternalError(`internal: a derivative of shape ${formatShape(v.shape)} where ${formatShape(shape)} was expected`);
  const M = asMatrix(b, v);
  switch (shape.kind) {
    case 'scalar':
      return b.call('tr', M);
    case 'vector':
      return b.matmul(M, b.ones(vectorOf(1)));
    case 'row':
      return b.matmul(b.ones(rowOf(1)), M);
    case 'matrix':
      return M;
  }
}

/**
 * The derivative form `form` of f w.r.t. x in `layout`. `shape` is the expected result shape (absent for
 * tensors of order ≥ 3); a matrix result has exactly that shape.
 */
export function differentiate(b: Builder, written: Node, x: Variable, form: DerivativeForm, layout: Layout, shape?: Shape): DerivativeResult {
  const f = inNormalForm(b, written, x.name);
  const r = differentiateAs(b, f, x, form, layout, shape);
  return r.kind === 'matrix' && shape ? { kind: 'matrix', value: conform(b, r.value, shape) } : r;
}

function differentiateAs(b: Builder, f: Node, x: Variable, form: DerivativeForm, layout: Layout, shape?: Shape): DerivativeResult {
  const toLayout = (numerator: Node): Node => (layout === 'numerator' ? numerator : b.transpose(numerator));
  if (!f.vars.has(x.name)) return zeroResult(b, f, x, layout, shape);
  if (form === 'grad') return { kind: 'matrix', value: gradient(b, f, x) };
  if (form === 'hessian') {
    if (x.shape.kind === 'scalar') {
      const d1 = jvp(b, f, x.name, b.constant(1));
      return { kind: 'matrix', value: (d1 && jvp(b, d1, x.name, b.constant(1))) ?? b.constant(0) };
    }
    const g = gradient(b, f, x);
    const dg = jvp(b, g, x.name, b.tangent(x.name, x.shape));
    if (!dg) return { kind: 'matrix', value: b.zero(matrixOf((x.shape as { n: Dim }).n, (x.shape as { n: Dim }).n)) };
    const H = extractJacobian(b, dg, x);
    return H ? { kind: 'matrix', value: H } : indexForm(b, g, x, layout);
  }
  if (shape) {
    // A scalar's denominator-layout Jacobian is its gradient: build it directly rather than as (gᵀ)ᵀ.
    if (f.shape.kind === 'scalar' && x.shape.kind !== 'scalar' && layout === 'denominator') return { kind: 'matrix', value: gradient(b, f, x) };
    const J = numeratorJacobian(b, f, x);
    if (J) return { kind: 'matrix', value: toLayout(J) };
  }
  return indexForm(b, f, x, layout);
}

/**
 * An expression built as written, in the simplifier's normal form except for the parts that depend on
 * `varying` (when given). Differentiation normalises the constants so that results read the same however
 * they were written (diag(a) * diag(b) * x differentiates to diag(a ⊗ b)), while the parts that vary stay as
 * written, so the user's intermediate names survive.
 */
export function inNormalForm(b: Builder, root: Node, varying?: string): Node {
  const done = new Map<number, Node>();
  for (const n of topoOrder([root])) {
    if (n.args.length === 0) continue;
    let changed = false;
    const args = n.args.map((a) => {
      const r = done.get(a.id) ?? a;
      if (r !== a) changed = true;
      return r;
    });
    if (varying === undefined || !n.vars.has(varying)) done.set(n.id, b.node(n.op, args, n.attr));
    else if (changed) done.set(n.id, b.raw(n.op, args, n.attr));
  }
  return done.get(root.id) ?? root;
}

/**
 * A derivative form that is a matrix, but one the engine can only give element by element (the one class
 * without a matrix form, docs/derivation.md: an element-wise function of A·diag(x)·B inside another two-sided
 * product): a limitation the user can work around, reported in plain English rather than as an internal error.
 */
export class DerivativeFormError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

function elementwiseOnly(form: Node, x: Variable): DerivativeFormError {
  const text = toText(form);
  const what = text.length <= 60 ? text : `This derivative by ${x.name}`;
  return new DerivativeFormError(
    `${what} (${formatShape(form.shape)}) can only be given element by element (∂…/∂${x.name}_j), so it cannot be used inside another expression or derivative.`,
    `Use it on its own (a definition of it is shown element by element), or differentiate a scalar such as the sum of its function.`,
  );
}

/** Replaces derivative forms inside an expression by their results (in `layout`). */
export function lowerDerivatives(b: Builder, root: Node, layout: Layout, variables: (name: string) => Variable | undefined): Node {
  const done = new Map<number, Node>();
  for (const n of topoOrder([root])) {
    const args = n.args.map((a) => done.get(a.id) ?? a);
    if (n.op === 'deriv') {
      const [form, nodeLayout] = String(n.attr).split('|') as [DerivativeForm, Layout];
      const x = variables(String(n.args[1].attr));
      if (!x) throw new InternalError(`unknown variable ${n.args[1].attr}`);
      const r = differentiate(b, args[0], x, form, nodeLayout ?? layout, n.shape);
      if (r.kind !== 'matrix') throw elementwiseOnly(n, x);
      done.set(n.id, r.value);
    } else {
      done.set(n.id, args.every((a, i) => a === n.args[i]) ? n : b.raw(n.op, args, n.attr));
    }
  }
  return done.get(root.id) ?? root;
}
