// The softmax family on vectors: softmax(z) = exp(z − max z) / Σ exp(z − max z), logsumexp(z) and
// log_softmax(z) = z − logsumexp(z). Every kernel shifts by the maximum, so no exponential overflows.
// Their derivatives are written with p = softmax(z): ∂logsumexp/∂z = pᵀ, ∂softmax/∂z = diag(p) − p pᵀ,
// ∂log_softmax/∂z = I − 𝟏 pᵀ; the cross-entropy gradient p·sum(y) − y falls out of the last one.

import type { Builder } from '../builder.ts';
import type { Node } from '../ir.ts';
import { PREC, type OpDef, type ShapeError, type SurfaceFunction } from './types.ts';
import { type Shape, SCALAR, formatShape } from '../shape.ts';
import { scalarT, tensor, type Tensor } from '../numeric/tensor.ts';

function vectorArgument(fn: string, a: Shape, result: Shape): Shape | ShapeError {
  if (a.kind === 'vector') return result;
  return {
    error: `${fn}(z) needs a column vector, not ${formatShape(a)}.`,
    hint: a.kind === 'row' ? 'Transpose the row vector (zᵀ) to make it a column.' : 'Apply it to a vector of scores, e.g. W * x + b.',
  };
}

/** log Σ exp(zᵢ), shifted by the largest element (an infinite maximum is the answer itself). */
export function logSumExp(z: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i] > m) m = z[i];
  if (!Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < z.length; i++) s += Math.exp(z[i] - m);
  return m + Math.log(s);
}

/** z − logsumexp(z) element by element: exp of it is the softmax. */
function logSoftmaxT(z: Tensor): Tensor {
  const lse = logSumExp(z.data);
  const out = tensor(z.rows, z.cols);
  for (let i = 0; i < z.data.length; i++) out.data[i] = z.data[i] - lse;
  return out;
}

function called(name: string, latexName: string): Pick<OpDef, 'prec' | 'format'> {
  return {
    prec: () => PREC.atom,
    format: (n, p) => (p.mode === 'latex' ? `\\operatorname{${latexName}}\\left(${p.plain(n.args[0])}\\right)` : `${name}(${p.plain(n.args[0])})`),
  };
}

/** p = softmax(z) for the node's argument (the derivative rules of all three are written with it). */
function softmaxOf(n: Node, b: Builder): Node {
  return n.op === 'softmax' ? n : b.call('softmax', n.args[0]);
}

const softmax: OpDef = {
  op: 'softmax',
  family: 'softmax',
  doc: 'softmax(z) = exp(z) / sum(exp(z)) of a vector: positive, summing to 1 (computed shifted by max z).',
  shape: ([a]) => vectorArgument('softmax', a, a),
  // Forward mode applies J = diag(p) − p pᵀ itself, so the Jacobian reads in that textbook form (as p ⊗ t −
  // (p · t) p it would factor to diag(p)(I − 𝟏pᵀ)); J is symmetric, so reverse mode is p ⊗ s − (p · s) p, O(n).
  jvp: (n, [t], b) => (t ? b.matmul(b.sub(b.call('diag', n), b.matmul(n, b.transpose(n))), t) : null),
  vjp: (n, s, _k, b) => b.sub(b.mul(n, s), b.mul(n, b.dot(n, s))),
  examples: [{ expr: 'softmax(x)', wrt: 'x' }],
  rule: {
    name: 'softmax rule',
    text: 'd softmax(z) = p ⊗ dz − p (p · dz) with p = softmax(z); ∂softmax(z)/∂z = diag(p) − p pᵀ',
    latex: '\\frac{\\partial \\operatorname{softmax}(\\mathbf{z})}{\\partial \\mathbf{z}} = \\operatorname{diag}(\\mathbf{p}) - \\mathbf{p}\\mathbf{p}^{\\top}',
  },
  ...called('softmax', 'softmax'),
  evaluate: (_n, [z]) => {
    const out = logSoftmaxT(z);
    for (let i = 0; i < out.data.length; i++) out.data[i] = Math.exp(out.data[i]);
    return out;
  },
};

const logsumexp: OpDef = {
  op: 'logsumexp',
  family: 'softmax',
  doc: 'logsumexp(z) = log(sum(exp(z))) of a vector: a smooth maximum (computed shifted by max z).',
  shape: ([a]) => vectorArgument('logsumexp', a, SCALAR),
  jvp: (n, [t], b) => (t ? b.dot(softmaxOf(n, b), t) : null),
  vjp: (n, s, _k, b) => b.mul(s, softmaxOf(n, b)),
  examples: [{ expr: 'logsumexp(x)', wrt: 'x' }],
  rule: {
    name: 'log-sum-exp rule',
    text: 'd logsumexp(z) = softmax(z) · dz; grad(logsumexp(z), z) = softmax(z)',
    latex: '\\nabla_{\\mathbf{z}} \\operatorname{logsumexp}(\\mathbf{z}) = \\operatorname{softmax}(\\mathbf{z})',
  },
  ...called('logsumexp', 'logsumexp'),
  evaluate: (_n, [z]) => scalarT(logSumExp(z.data)),
};

const logSoftmax: OpDef = {
  op: 'log_softmax',
  family: 'softmax',
  doc: 'log_softmax(z) = z − logsumexp(z) of a vector: the log-probabilities of softmax(z), without underflow.',
  shape: ([a]) => vectorArgument('log_softmax', a, a),
  // J = I − 𝟏 pᵀ: forward t − (p · t)𝟏, reverse s − p sum(s).
  jvp: (n, [t], b) => (t ? b.sub(t, b.dot(softmaxOf(n, b), t)) : null),
  vjp: (n, s, _k, b) => b.sub(s, b.mul(softmaxOf(n, b), b.sum(s))),
  examples: [{ expr: 'log_softmax(x)', wrt: 'x' }, { expr: '-(y · log_softmax(x))', wrt: 'x' }],
  rule: {
    name: 'log-softmax rule',
    text: 'd log_softmax(z) = dz − softmax(z) · dz; ∂log_softmax(z)/∂z = I − 𝟏 softmax(z)ᵀ',
    latex: '\\frac{\\partial \\operatorname{log\\_softmax}(\\mathbf{z})}{\\partial \\mathbf{z}} = I - \\mathbf{1}\\operatorname{softmax}(\\mathbf{z})^{\\top}',
  },
  ...called('log_softmax', 'log\\_softmax'),
  evaluate: (_n, [z]) => logSoftmaxT(z),
};

export const softmaxOps: OpDef[] = [softmax, logsumexp, logSoftmax];

export const softmaxFunctions: SurfaceFunction[] = softmaxOps.map((def) => ({
  name: def.op,
  arity: 1,
  signature: `${def.op}(z)`,
  doc: def.doc,
  build: (b: Builder, [z]: Node[]) => {
    const s = def.shape([z.shape], undefined);
    return 'error' in s ? s : b.raw(def.op, [z]);
  },
}));
