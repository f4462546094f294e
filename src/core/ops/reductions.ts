// Reductions to a scalar: sum, mean and the norm (2-norm of vectors, Frobenius norm of matrices).

import type { Builder } from '../builder.ts';
import { type Node, constValue, isConst } from '../ir.ts';
import { PREC, eachLinearArg, type OpDef, type SurfaceFunction } from './types.ts';
import { type Dim, SCALAR } from '../shape.ts';
import { ALL_REALS, NON_NEGATIVE } from './intervals.ts';
import { sumOfMatrix } from './probeRules.ts';
import { scalarT, sumT } from '../numeric/tensor.ts';
import { lowerReduction } from './lowerJs.ts';

/** Row of ones matching a vector-like shape, for Jacobians of reductions: 𝟏ᵀ J. */
function onesRowFor(u: Node, b: Builder): Node | null {
  if (u.shape.kind === 'vector' || u.shape.kind === 'row') return b.rowOnes(u.shape.n);
  return null;
}

function reductionSyntax(op: 'sum' | 'mean' | 'norm'): SurfaceFunction {
  // norm2 is matrixcalculus.org's name for the 2-norm.
  return { name: op, ...(op === 'norm' ? { aliases: ['norm2'] } : {}), arity: 1, highlight: 'reduction', signature: `${op}(x)`, doc: DOCS[op], build: (b, [x]) => b.raw(op, [x]) };
}

const DOCS = {
  sum: 'Sum of all elements: a scalar.',
  mean: 'Mean of all elements: sum divided by the element count.',
  norm: 'Euclidean norm ‖x‖₂ of a vector; Frobenius norm of a matrix.',
};

const sum: OpDef<'sum'> = {
  op: 'sum',
  lowerJs: lowerReduction((x) => x, (r) => r),
  family: 'reductions',
  doc: DOCS.sum,
  syntax: reductionSyntax('sum'),
  shape: () => SCALAR,
  simplify([x], _attr, b) {
    if (x.shape.kind === 'scalar') return (b.fired('sum(s) → s'), x);
    if (isConst(x)) return (b.fired('sum(c𝟏) → c·n'), b.mul(b.constant(constValue(x)!), b.lengthOf(x.shape)));
    if (x.op === 'transpose') return (b.fired('sum(xᵀ) → sum(x)'), b.sum(x.args[0]));
    if (x.op === 'neg') return b.neg(b.sum(x.args[0]));
    if (x.op === 'mul' && x.args[0].shape.kind === 'scalar') {
      const [s, rest] = x.args;
      return isConst(rest, 1) ? (b.fired('sum(s𝟏) → s·n'), b.mul(s, b.lengthOf(rest.shape))) : (b.fired('sum(s x) → s sum(x)'), b.mul(s, b.sum(rest)));
    }
    if (x.op === 'mul' && x.args[0].shape.kind === x.args[1].shape.kind && x.shape.kind !== 'matrix') return (b.fired('sum(u ⊗ v) → u · v'), b.dot(x.args[0], x.args[1]));
    return undefined;
  },
  jvp: (_n, [t], b) => (t ? b.sum(t) : null),
  vjp: (n, s, _k, b) => b.broadcast(s, n.args[0].shape),
  jacobian: eachLinearArg((n, _k, J, b) => {
    const u = n.args[0];
    if (u.shape.kind === 'scalar') return J;
    const ones = onesRowFor(u, b);
    return ones && b.matmul(ones, J);
  }),
  probe: (n, p, ctx, b) => (p ? null : sumOfMatrix(n, ctx, b)),
  examples: [{ expr: 'sum(x)', wrt: 'x' }],
  rule: { name: 'sum reduction', text: 'd sum(u) = sum(du); ∂sum(x)/∂x = 𝟏ᵀ', latex: '\\frac{\\partial}{\\partial \\mathbf{x}} \\operatorname{sum}(\\mathbf{x}) = \\mathbf{1}^{\\top}' },
  prec: () => PREC.atom,
  format: (n, p) => (p.mode === 'latex' ? `\\operatorname{sum}\\left(${p.plain(n.args[0])}\\right)` : `sum(${p.plain(n.args[0])})`),
  evaluate: (_n, [a]) => scalarT(sumT(a)),
  batch(n, [x], c) {
    const u = n.args[0];
    if (u.shape.kind === 'scalar') return x.node;
    const s = c.b.matmul(x.node, c.ones((u.shape as { n: Dim }).n));
    return s;
  },
  python: ([a]) => `xp.sum(${a})`,
  range: ([a]) => (a[0] >= 0 ? NON_NEGATIVE : ALL_REALS),
};

const mean: OpDef<'mean'> = {
  op: 'mean',
  lowerJs: lowerReduction((x) => x, (r, size) => `${r} / ${size}`),
  family: 'reductions',
  doc: DOCS.mean,
  syntax: reductionSyntax('mean'),
  shape: () => SCALAR,
  simplify([x], _attr, b) {
    if (x.shape.kind === 'scalar') return (b.fired('mean(s) → s'), x);
    if (x.op === 'mul' && x.args[0].shape.kind === 'scalar') return (b.fired('mean(s x) → s mean(x)'), b.mul(x.args[0], b.call('mean', x.args[1])));
    if (x.op === 'neg') return b.neg(b.call('mean', x.args[0]));
    return undefined;
  },
  jvp: (_n, [t], b) => (t ? b.call('mean', t) : null),
  vjp: (n, s, _k, b) => b.broadcast(b.div(s, b.lengthOf(n.args[0].shape)), n.args[0].shape),
  jacobian: eachLinearArg((n, _k, J, b) => {
    const u = n.args[0];
    if (u.shape.kind === 'scalar') return J;
    const ones = onesRowFor(u, b);
    return ones && b.div(b.matmul(ones, J), b.lengthOf(u.shape));
  }),
  probe(n, p, ctx, b) {
    const total = p ? null : sumOfMatrix(n, ctx, b);
    return total && b.div(total, b.lengthOf(n.args[0].shape));
  },
  examples: [{ expr: 'mean(x)', wrt: 'x' }],
  rule: { name: 'mean reduction', text: 'd mean(u) = mean(du); ∂mean(x)/∂x = 𝟏ᵀ/n', latex: '\\frac{\\partial}{\\partial \\mathbf{x}} \\operatorname{mean}(\\mathbf{x}) = \\tfrac{1}{n}\\mathbf{1}^{\\top}' },
  prec: () => PREC.atom,
  format: (n, p) => (p.mode === 'latex' ? `\\operatorname{mean}\\left(${p.plain(n.args[0])}\\right)` : `mean(${p.plain(n.args[0])})`),
  evaluate: (_n, [a]) => scalarT(sumT(a) / a.data.length),
  batch(n, [x], c) {
    const u = n.args[0];
    if (u.shape.kind === 'scalar') return x.node;
    const s = c.b.matmul(x.node, c.ones((u.shape as { n: Dim }).n));
    return c.b.div(s, c.b.size((u.shape as { n: Dim }).n));
  },
  python: ([a]) => `xp.mean(${a})`,
  range: ([a]) => (a[0] >= 0 ? NON_NEGATIVE : ALL_REALS),
};

const norm: OpDef<'norm'> = {
  op: 'norm',
  lowerJs: lowerReduction((x) => `${x} * ${x}`, (r) => `Math.sqrt(${r})`, (s) => `Math.sqrt(${s} * ${s})`),
  family: 'reductions',
  doc: DOCS.norm,
  syntax: reductionSyntax('norm'),
  shape: () => SCALAR,
  simplify([x], _attr, b) {
    if (isConst(x, 0)) return (b.fired('‖0‖ → 0'), b.constant(0));
    return undefined;
  },
  jvp: (n, [t], b) => (t ? b.div(b.sum(b.mul(n.args[0], t)), n) : null),
  vjp: (n, s, _k, b) => b.mul(b.div(s, n), n.args[0]),
  examples: [{ expr: 'norm(x)', wrt: 'x' }, { expr: 'norm(X)', wrt: 'X' }],
  rule: { name: 'norm rule', text: 'd‖u‖ = (u · du)/‖u‖; ∂‖x‖/∂x = xᵀ/‖x‖ (undefined at 0)', latex: '\\mathrm{d}\\lVert u \\rVert = \\frac{u \\cdot \\mathrm{d}u}{\\lVert u \\rVert}' },
  prec: () => PREC.atom,
  format: (n, p) => (p.mode === 'latex' ? `\\left\\lVert ${p.plain(n.args[0])} \\right\\rVert` : `norm(${p.plain(n.args[0])})`),
  evaluate: (_n, [a]) => {
    let s = 0;
    for (let i = 0; i < a.data.length; i++) s += a.data[i] * a.data[i];
    return scalarT(Math.sqrt(s));
  },
  kinkDistance: (_n, [a]) => {
    let s = 0;
    for (let i = 0; i < a.data.length; i++) s += a.data[i] * a.data[i];
    return Math.sqrt(s);
  },
  kinkNote: 'norm is not differentiable where its argument is 0',
  batch(n, [x], c) {
    const u = n.args[0];
    if (u.shape.kind === 'scalar') return c.b.call('abs', x.node);
    return c.b.call('sqrt', c.b.matmul(c.b.mul(x.node, x.node), c.ones((u.shape as { n: Dim }).n)));
  },
  python: ([a]) => `xp.sqrt(xp.sum(${a} * ${a}))`,
  range: () => NON_NEGATIVE,
};

export const reductionOps = [sum, mean, norm];
