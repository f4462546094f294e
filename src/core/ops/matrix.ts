// Matrix functions: trace, determinant, inverse and diag (vector → diagonal matrix, matrix → its diagonal).
// Their derivatives are the Matrix Cookbook identities, written as differentials.

import { isConst, isIdentity } from '../ir.ts';
import { PREC, type OpDef, type ShapeError, type SurfaceFunction } from './types.ts';
import { type Shape, SCALAR, formatShape, matrixOf, sameDim, vectorOf } from '../shape.ts';
import { detT, invT, scalarT, tensor } from '../numeric/tensor.ts';
import { lowerDet, lowerDiag, lowerDiagvec, lowerInv, lowerTrace } from './lowerJs.ts';

function squareShape(fn: string, a: Shape): Shape | ShapeError {
  if (a.kind === 'scalar') return a;
  if (a.kind !== 'matrix') return { error: `${fn} needs a square matrix, not ${formatShape(a)}.` };
  if (!sameDim(a.m, a.n)) return { error: `${fn} needs a square matrix, but ${formatShape(a)} has ${a.m} rows and ${a.n} columns.` };
  return a;
}

/** `tr(X)`, `det(X)`, `inv(X)`: one square matrix (or a scalar). */
function squareSyntax(op: 'tr' | 'det' | 'inv'): SurfaceFunction {
  return {
    name: op,
    arity: 1,
    highlight: 'linear-algebra',
    signature: `${op}(X)`,
    doc: DOCS[op],
    build: (b, [x]) => {
      const s = squareShape(op, x.shape);
      return 'error' in s ? s : b.raw(op, [x]);
    },
  };
}

const DOCS = {
  tr: 'Trace: the sum of the diagonal of a square matrix.',
  det: 'Determinant of a square matrix.',
  inv: 'Inverse of a square matrix (1/x for a scalar).',
};

const tr: OpDef<'tr'> = {
  op: 'tr',
  lowerJs: lowerTrace,
  family: 'matrix functions',
  doc: DOCS.tr,
  syntax: squareSyntax('tr'),
  shape([a]) {
    const s = squareShape('tr', a);
    return 'error' in s ? s : SCALAR;
  },
  simplify([x], _attr, b) {
    if (x.shape.kind === 'scalar') return x;
    if (isIdentity(x)) return (b.fired('tr(I) → n'), b.size((x.shape as { m: string | number }).m));
    if (x.op === 'mul' && x.args[0].shape.kind === 'scalar') return (b.fired('tr(sA) → s tr(A)'), b.mul(x.args[0], b.call('tr', x.args[1])));
    if (x.op === 'neg') return b.neg(b.call('tr', x.args[0]));
    if (x.op === 'matmul' && x.args[0].shape.kind === 'vector' && x.args[1].shape.kind === 'row') return (b.fired('tr(u vᵀ) → vᵀu'), b.matmul(x.args[1], x.args[0]));
    return undefined;
  },
  jvp: (_n, [t], b) => (t ? b.call('tr', t) : null),
  // tr of a scalar is the scalar itself.
  vjp: (n, s, _k, b) => (n.args[0].shape.kind === 'matrix' ? b.mul(s, b.identity(n.args[0].shape.m)) : s),
  examples: [{ expr: 'tr(X)', wrt: 'X' }, { expr: 'tr(B * X)', wrt: 'X' }],
  rule: { name: 'trace rule', text: 'd tr(A) = tr(dA); ∂tr(X)/∂X = I', latex: '\\mathrm{d}\\operatorname{tr}(A) = \\operatorname{tr}(\\mathrm{d}A)' },
  prec: () => PREC.atom,
  format: (n, p) => (p.mode === 'latex' ? `\\operatorname{tr}\\left(${p.plain(n.args[0])}\\right)` : `tr(${p.plain(n.args[0])})`),
  evaluate: (_n, [a]) => {
    let s = 0;
    for (let i = 0; i < a.rows; i++) s += a.data[i * a.cols + i];
    return scalarT(s);
  },
  batch: (n, [a], c) => (n.args[0].shape.kind === 'scalar' ? a.node : c.unbatchable('tr of a matrix per sample')),
  python: ([a]) => `xp.trace(${a})`,
};

const det: OpDef<'det'> = {
  op: 'det',
  lowerJs: lowerDet,
  family: 'matrix functions',
  doc: DOCS.det,
  syntax: squareSyntax('det'),
  shape([a]) {
    const s = squareShape('det', a);
    return 'error' in s ? s : SCALAR;
  },
  simplify([x], _attr, b) {
    if (x.shape.kind === 'scalar') return x;
    if (isIdentity(x)) return (b.fired('det(I) → 1'), b.constant(1));
    return undefined;
  },
  // det of a scalar is the scalar itself (det(s) s⁻¹ would be NaN at 0).
  jvp: (n, [t], b) => (!t ? null : n.args[0].shape.kind === 'scalar' ? t : b.mul(n, b.call('tr', b.matmul(b.call('inv', n.args[0]), t)))),
  vjp: (n, s, _k, b) => (n.args[0].shape.kind === 'scalar' ? s : b.mul(b.mul(s, n), b.transpose(b.call('inv', n.args[0])))),
  examples: [{ expr: 'det(X)', wrt: 'X' }],
  rule: { name: 'determinant rule (Jacobi)', text: 'd det(X) = det(X) tr(X⁻¹ dX); ∂det(X)/∂X = det(X) X⁻ᵀ', latex: '\\mathrm{d}\\det(X) = \\det(X)\\operatorname{tr}(X^{-1}\\mathrm{d}X)' },
  prec: () => PREC.atom,
  format: (n, p) => (p.mode === 'latex' ? `\\det\\left(${p.plain(n.args[0])}\\right)` : `det(${p.plain(n.args[0])})`),
  evaluate: (_n, [a]) => scalarT(detT(a)),
  batch: (n, [a], c) => (n.args[0].shape.kind === 'scalar' ? a.node : c.unbatchable('det of a matrix per sample')),
  python: ([a]) => `_det(${a})`,
  conditioning: 'determinant',
};

const inv: OpDef<'inv'> = {
  op: 'inv',
  lowerJs: lowerInv,
  family: 'matrix functions',
  doc: DOCS.inv,
  syntax: squareSyntax('inv'),
  shape: ([a]) => squareShape('inv', a),
  simplify([x], _attr, b) {
    if (x.shape.kind === 'scalar') return b.div(b.constant(1), x);
    if (x.op === 'inv') return (b.fired('(X⁻¹)⁻¹ → X'), x.args[0]);
    if (isIdentity(x)) return (b.fired('I⁻¹ → I'), x);
    if (x.op === 'diag') return (b.fired('diag(v)⁻¹ → diag(1 ⊘ v)'), b.call('diag', b.div(b.constant(1), x.args[0])));
    return undefined;
  },
  jvp: (n, [t], b) => (t ? b.neg(b.matmul(b.matmul(n, t), n)) : null),
  vjp: (n, s, _k, b) => b.neg(b.matmul(b.matmul(b.transpose(n), s), b.transpose(n))),
  examples: [{ expr: 'aᵀ * inv(X) * b', wrt: 'X' }],
  rule: { name: 'inverse rule', text: 'd(X⁻¹) = −X⁻¹ dX X⁻¹', latex: '\\mathrm{d}(X^{-1}) = -X^{-1}\\,\\mathrm{d}X\\,X^{-1}' },
  prec: () => PREC.postfix,
  format: (n, p) => {
    const base = p.arg(n.args[0], PREC.postfix + 1);
    return p.mode === 'latex' ? `{${base}}^{-1}` : `${base}⁻¹`;
  },
  evaluate: (_n, [a]) => invT(a),
  batch: (n, [a], c) => (n.args[0].shape.kind === 'scalar' ? c.b.div(c.b.constant(1), a.node) : c.unbatchable('inv of a matrix per sample')),
  python: ([a]) => `_inv(${a})`,
  conditioning: 'inverse',
};

const diag: OpDef<'diag'> = {
  op: 'diag',
  lowerJs: lowerDiag,
  family: 'matrix functions',
  syntax: {
    name: 'diag',
    arity: 1,
    highlight: 'linear-algebra',
    signature: 'diag(v) or diag(X)',
    doc: 'diag(v) makes a diagonal matrix from a vector; diag(X) takes the diagonal of a square matrix.',
    build(b, [x]) {
      if (x.shape.kind === 'vector') return b.raw('diag', [x]);
      if (x.shape.kind === 'matrix') {
        const s = squareShape('diag', x.shape);
        return 'error' in s ? s : b.raw('diagvec', [x]);
      }
      return { error: `diag needs a vector or a square matrix, not ${formatShape(x.shape)}.` };
    },
  },
  doc: 'diag(v): the diagonal matrix with v on its diagonal.',
  shape: ([a]) => (a.kind === 'vector' ? matrixOf(a.n, a.n) : { error: `diag(v) needs a vector, not ${formatShape(a)}.` }),
  simplify([x], _attr, b, shape) {
    if (isConst(x, 1)) return (b.fired('diag(𝟏) → I'), b.identity(shape.kind === 'matrix' ? shape.m : 1));
    if (isConst(x, 0)) return b.zero(shape);
    // Negations and scalar factors move outward: diag(−v) → −diag(v), diag(s v) → s diag(v).
    if (x.op === 'neg') return b.neg(b.call('diag', x.args[0]));
    if (x.op === 'mul' && x.args[0].shape.kind === 'scalar') return b.mul(x.args[0], b.call('diag', x.args[1]));
    return undefined;
  },
  jvp: (_n, [t], b) => (t ? b.call('diag', t) : null),
  vjp: (_n, s, _k, b) => b.call('diagvec', s),
  normalForms: ['diag(𝟏) → I; diag(−v) → −diag(v); diag(s v) → s diag(v)'],
  examples: [{ expr: 'diag(x) * y', wrt: 'x' }],
  rule: { name: 'diag rule', text: 'd diag(v) = diag(dv)', latex: '\\mathrm{d}\\operatorname{diag}(v) = \\operatorname{diag}(\\mathrm{d}v)' },
  prec: () => PREC.atom,
  format: (n, p) => (p.mode === 'latex' ? `\\operatorname{diag}\\left(${p.plain(n.args[0])}\\right)` : `diag(${p.plain(n.args[0])})`),
  evaluate: (_n, [a]) => {
    const n = a.data.length;
    const t = tensor(n, n);
    for (let i = 0; i < n; i++) t.data[i * n + i] = a.data[i];
    return t;
  },
  python: ([a]) => `xp.diag(${a})`,
  batch: { unbatchable: 'diag(v) is a matrix per sample' },
};

const diagvec: OpDef<'diagvec'> = {
  op: 'diagvec',
  lowerJs: lowerDiagvec,
  family: 'matrix functions',
  doc: 'diag(X) of a square matrix: its diagonal as a vector.',
  shape([a]) {
    const s = squareShape('diag', a);
    if ('error' in s) return s;
    return s.kind === 'matrix' ? vectorOf(s.m) : s;
  },
  simplify([x], _attr, b, shape) {
    if (isIdentity(x)) return b.ones(shape);
    if (x.op === 'diag') return (b.fired('diag(diag(v)) → v'), x.args[0]);
    return undefined;
  },
  jvp: (_n, [t], b) => (t ? b.call('diagvec', t) : null),
  vjp: (_n, s, _k, b) => b.call('diag', s),
  examples: [{ expr: 'diag(X)', wrt: 'X' }],
  rule: { name: 'diagonal extraction rule', text: 'd diag(X) = diag(dX)', latex: '\\mathrm{d}\\operatorname{diag}(X) = \\operatorname{diag}(\\mathrm{d}X)' },
  prec: () => PREC.atom,
  format: (n, p) => (p.mode === 'latex' ? `\\operatorname{diag}\\left(${p.plain(n.args[0])}\\right)` : `diag(${p.plain(n.args[0])})`),
  evaluate: (_n, [a]) => {
    const t = tensor(a.rows, 1);
    for (let i = 0; i < a.rows; i++) t.data[i] = a.data[i * a.cols + i];
    return t;
  },
  spelledBy: 'diag',
  batch: { unbatchable: 'diag(X) needs a matrix per sample' },
  python: ([a]) => `xp.diag(${a})`,
  range: ([a]) => a,
};

export const matrixOps = [tr, det, inv, diag, diagvec];
