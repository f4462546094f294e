// Structure: vector literals, elements, the dot-product function, and derivative forms as they appear in
// expressions before the differentiation engine replaces them with their results.

import { constValue, isConst } from '../ir.ts';
import { PREC, type OpDef } from './types.ts';
import { type Layout, type Shape, SCALAR, formatShape, formatJacobianDims, jacobianShape, hessianShape, matrixOf, sameDim, vectorOf } from '../shape.ts';
import { EvalError, scalarT, tensor } from '../numeric/tensor.ts';
import { latexName } from './format.ts';
import { lowerDeriv, lowerIndex, lowerVec } from './lowerJs.ts';

const vec: OpDef<'vec'> = {
  op: 'vec',
  lowerJs: lowerVec,
  family: 'structure',
  doc: 'Vector literal [a, b, …] of scalars (internally also a stack of row vectors).',
  shape(args) {
    if (args.every((a) => a.kind === 'scalar')) return vectorOf(args.length);
    const first = args[0];
    if (first.kind === 'row' && args.every((a) => a.kind === 'row' && sameDim(a.n, first.n))) return matrixOf(args.length, first.n);
    const bad = args.find((a) => a.kind !== 'scalar')!;
    return { error: `The elements of a vector literal must be scalars, but one is ${formatShape(bad)}.` };
  },
  simplify(args, _attr, b, shape) {
    if (args.every((a) => isConst(a, 0))) return b.zero(shape);
    return undefined;
  },
  jvp(n, ts, b) {
    if (ts.every((t) => !t)) return null;
    return b.node('vec', ts.map((t, k) => t ?? b.zero(n.args[k].shape)));
  },
  vjp: (_n, s, k, b) => b.index(s, k + 1),
  jacobian(n, Js, b) {
    const some = Js.find((J) => J)!;
    if (n.shape.kind !== 'vector' || some.shape.kind !== 'row') return null;
    return b.node('vec', Js.map((J) => J ?? b.zero(some.shape)));
  },
  examples: [{ expr: '[s, t]', wrt: 's' }],
  rule: { name: 'vector literal', text: '∂[u₁, …, uₖ]/∂x stacks the rows ∂uᵢ/∂x', latex: '\\frac{\\partial [u_1, \\dots, u_k]}{\\partial \\mathbf{x}} = \\begin{bmatrix} \\partial u_1/\\partial \\mathbf{x} \\\\ \\vdots \\end{bmatrix}' },
  prec: () => PREC.atom,
  format(n, p) {
    const stacked = n.shape.kind === 'matrix';
    const parts = n.args.map((a) => p.plain(a));
    if (p.mode === 'latex') return `\\begin{bmatrix} ${parts.join(' \\\\ ')} \\end{bmatrix}`;
    return `[${parts.join(stacked ? '; ' : ', ')}]`;
  },
  evaluate(n, args) {
    if (n.shape.kind === 'vector') return { rows: args.length, cols: 1, data: Float64Array.from(args, (a) => a.data[0]) };
    const cols = args[0].cols;
    const t = tensor(args.length, cols);
    args.forEach((a, i) => t.data.set(a.data, i * cols));
    return t;
  },
  // [s₁, …, sₖ] of per-sample scalars: the matrix whose columns are the sᵢ (rows × k).
  batch(n, args, c) {
    if (!n.args.every((a) => a.shape.kind === 'scalar')) c.unbatchable('a stack of vectors per sample');
    return c.b.transpose(c.b.node('vec', args.map((a) => c.b.transpose(c.asColumn(a)))));
  },
  python: (args) => `_stack(${args.join(', ')})`,
  range: (args) => [Math.min(...args.map((a) => a[0])), Math.max(...args.map((a) => a[1]))],
};

const index: OpDef<'index'> = {
  op: 'index',
  lowerJs: lowerIndex,
  family: 'structure',
  doc: 'Element x[i] of a vector (1-based).',
  shape: ([a]) => (a.kind === 'vector' || a.kind === 'row' ? SCALAR : { error: `Only vectors can be indexed with x[i], not ${formatShape(a)}.` }),
  simplify([x], attr, b) {
    if (isConst(x)) return b.constant(constValue(x)!);
    if (x.op === 'vec' && typeof attr === 'number') return x.args[attr - 1];
    if (x.op === 'mul' && x.args[0].shape.kind === 'scalar') return b.mul(x.args[0], b.node('index', [x.args[1]], attr));
    if (x.op === 'transpose') return b.node('index', [x.args[0]], attr);
    if (x.op === 'unit') return typeof attr === 'number' && typeof x.attr === 'number' ? b.constant(attr === x.attr ? 1 : 0) : x.attr === attr ? b.constant(1) : undefined;
    return undefined;
  },
  jvp: (n, [t], b) => (t ? b.node('index', [t], n.attr) : null),
  vjp: (n, s, _k, b) => {
    const v = n.args[0];
    const e = b.unit(n.attr as string | number, (v.shape as { n: string | number }).n);
    return b.mul(s, v.shape.kind === 'row' ? b.transpose(e) : e);
  },
  jacobian(n, [J], b) {
    const v = n.args[0];
    return J && b.matmul(b.transpose(b.unit(n.attr as string | number, (v.shape as { n: string | number }).n)), J);
  },
  examples: [{ expr: 'x[1]', wrt: 'x' }],
  rule: { name: 'element rule', text: '∂xᵢ/∂x = eᵢᵀ', latex: '\\frac{\\partial x_i}{\\partial \\mathbf{x}} = \\mathbf{e}_i^{\\top}' },
  prec: () => PREC.atom,
  format(n, p) {
    const v = n.args[0];
    if (p.mode === 'latex') return v.op === 'var' ? `${latexName(String(v.attr))}_{${n.attr}}` : `\\left[${p.plain(v)}\\right]_{${n.attr}}`;
    return `${p.arg(v, PREC.atom)}[${n.attr}]`;
  },
  evaluate(n, [a], env) {
    const i = typeof n.attr === 'number' ? n.attr : env.indices?.get(String(n.attr));
    if (i === undefined || i < 1 || i > a.data.length) throw new EvalError(`Index ${n.attr} is out of range for a vector of length ${a.data.length}.`);
    return scalarT(a.data[i - 1]);
  },
  python: ([a], n) => `${a}[${Number(n.attr) - 1}]`,
  batch: { unbatchable: 'an element of a per-sample vector is not rewritten to a column of the batch' },
};

export type DerivativeForm = 'jacobian' | 'grad' | 'hessian';

/** Shape of a derivative form; `dims` always, `shape` when it is at most a matrix. */
export function derivativeShape(form: DerivativeForm, f: Shape, x: Shape, layout: Layout): { dims: (string | number)[]; shape?: Shape; error?: string } {
  if (form === 'grad') {
    if (f.kind !== 'scalar') return { dims: [], error: `grad(f, x) needs a scalar f, but f is ${formatShape(f)}.` };
    return { dims: x.kind === 'scalar' ? [] : x.kind === 'matrix' ? [x.m, x.n] : [x.n], shape: x };
  }
  if (form === 'hessian') {
    if (f.kind !== 'scalar') return { dims: [], error: `hessian(f, x) needs a scalar f, but f is ${formatShape(f)}.` };
    const h = hessianShape(x);
    if (!h) return { dims: [], error: `hessian(f, x) needs x to be a scalar or a vector, but x is ${formatShape(x)}.` };
    return { dims: h.kind === 'matrix' ? [h.m, h.n] : [], shape: h };
  }
  return jacobianShape(f, x, layout);
}

/** Derivative form inside an expression: `d(f)/d(x)`, `grad(f, x)`, `hessian(f, x)`. attr = "form|layout". */
const deriv: OpDef<'deriv'> = {
  op: 'deriv',
  lowerJs: lowerDeriv,
  family: 'structure',
  doc: 'A derivative form, replaced by its symbolic result before evaluation.',
  shape([f, x], attr) {
    const [form, layout] = String(attr).split('|') as [DerivativeForm, Layout];
    const r = derivativeShape(form, f, x, layout);
    if (r.error) return { error: r.error };
    if (!r.shape) return { error: `This derivative is a ${formatJacobianDims(r.dims)} tensor, which cannot be used inside an expression.` };
    return r.shape;
  },
  prec: () => PREC.atom,
  format(n, p) {
    const [form] = String(n.attr).split('|');
    const [f, x] = n.args;
    if (form === 'jacobian') {
      if (p.mode === 'latex') return `\\frac{\\partial ${p.arg(f, PREC.atom)}}{\\partial ${p.plain(x)}}`;
      return `d(${p.plain(f)})/d(${p.plain(x)})`;
    }
    if (p.mode === 'latex') return form === 'grad' ? `\\nabla_{${p.plain(x)}} ${p.arg(f, PREC.atom)}` : `\\nabla^2_{${p.plain(x)}} ${p.arg(f, PREC.atom)}`;
    return `${form}(${p.plain(f)}, ${p.plain(x)})`;
  },
  evaluate() {
    throw new EvalError('internal: derivative forms are replaced by their results before evaluation');
  },
  python: { notExported: 'derivative forms are replaced by their results before export' },
  batch: { unbatchable: 'derivative forms are replaced by their results before training' },
};

export const structureOps = [vec, index, deriv];
