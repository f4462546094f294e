// The softmax family on vectors: softmax(z) = exp(z − max z) / Σ exp(z − max z), logsumexp(z) and
// log_softmax(z) = z − logsumexp(z). Every kernel shifts by the maximum, so no exponential overflows.
// Their derivatives are written with p = softmax(z): ∂logsumexp/∂z = pᵀ, ∂softmax/∂z = diag(p) − p pᵀ,
// ∂log_softmax/∂z = I − 𝟏 pᵀ; the cross-entropy gradient sum(y)·p − y falls out of the last one.

import type { Builder } from '../builder.ts';
import type { Node } from '../ir.ts';
import { PREC, type OpDef, type ShapeError } from './types.ts';
import { type Shape, SCALAR, formatShape } from '../shape.ts';
import { scalarT, tensor, type Tensor } from '../numeric/tensor.ts';
import type { Lowerer } from '../numeric/compile/plan.ts';

function vectorArgument(fn: string, a: Shape, result: Shape): Shape | ShapeError {
  if (a.kind === 'vector') return result;
  return {
    error: `${fn}(z) needs a column vector, not ${formatShape(a)}.`,
    hint: a.kind === 'row' ? 'Transpose the row vector (zᵀ) to make it a column.' : 'Apply it to a vector of scores, e.g. W * x + b.',
  };
}

/** log Σ exp(zᵢ), shifted by the largest element (an infinite maximum is the answer itself). */
function logSumExp(z: Float64Array): number {
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

/**
 * Compiled logsumexp of `len` elements read by `at(k)` into `lse<id>`: the operations of logSumExp in its order,
 * so compiled plans agree with the reference bit for bit.
 */
function lseCode(id: number, len: number, at: (k: string) => string): string {
  const [m, e, lse] = [`m${id}`, `e${id}`, `lse${id}`];
  return (
    `let ${m} = -Infinity; for (let k = 0; k < ${len}; k++) if (${at('k')} > ${m}) ${m} = ${at('k')}; let ${lse} = ${m}; ` +
    `if (Number.isFinite(${m})) { let ${e} = 0; for (let k = 0; k < ${len}; k++) ${e} += Math.exp(${at('k')} - ${m}); ${lse} = ${m} + Math.log(${e}); }`
  );
}

/** softmax (exp of z − lse) and log_softmax (z − lse), element by element into the node's buffer. */
function lowerShifted(exp: boolean): (n: Node, lo: Lowerer) => void {
  return (n, lo) => {
    const a = lo.get(n.args[0]);
    lo.make(n, 'kernel', [lo.whole(a)], {
      body: (c) => {
        const shifted = `${c.at(a, 'k')} - lse${n.id}`;
        return `${lseCode(n.id, a.size, (k) => c.at(a, k))} for (let k = 0; k < ${a.size}; k++) ${c.buf(lo.get(n))}[k] = ${exp ? `Math.exp(${shifted})` : shifted};`;
      },
    });
  };
}

type SoftmaxName = 'softmax' | 'logsumexp' | 'log_softmax';

type Common = Pick<OpDef<SoftmaxName>, 'doc' | 'syntax' | 'shape' | 'prec' | 'format' | 'batch'>;

/** What the three share: syntax `name(z)` on a column vector, no batch form, typeset as an operator name. */
function called(name: SoftmaxName, latexName: string, doc: string, shape: (a: Shape) => Shape): Common {
  const shapeOf = (a: Shape) => vectorArgument(name, a, shape(a));
  return {
    doc,
    syntax: {
      name,
      arity: 1,
      highlight: name === 'logsumexp' ? 'reduction' : 'activation',
      signature: `${name}(z)`,
      doc,
      build: (b: Builder, [z]: Node[]) => {
        const s = shapeOf(z.shape);
        return 'error' in s ? s : b.raw(name, [z]);
      },
    },
    shape: ([a]) => shapeOf(a),
    // A per-sample softmax would be a row-wise one over the batch matrix, which is no operator here.
    batch: { unbatchable: `${name} of a per-sample vector would be a row-wise ${name} of the batch` },
    prec: () => PREC.atom,
    format: (n, p) => (p.mode === 'latex' ? `\\operatorname{${latexName}}\\left(${p.plain(n.args[0])}\\right)` : `${name}(${p.plain(n.args[0])})`),
  };
}

/** p = softmax(z) for the node's argument (the derivative rules of all three are written with it). */
function softmaxOf(n: Node, b: Builder): Node {
  return n.op === 'softmax' ? n : b.call('softmax', n.args[0]);
}

// The Python helpers (export/backends.ts) shift by the maximum too.
const softmax: OpDef<'softmax'> = {
  op: 'softmax',
  family: 'softmax',
  ...called('softmax', 'softmax', 'softmax(z) = exp(z) / sum(exp(z)) of a vector: positive, summing to 1 (computed shifted by max z).', (a) => a),
  // Forward mode applies J = diag(p) − p pᵀ itself, so the Jacobian reads in that textbook form (as p ⊗ t −
  // (p · t) p it would factor to diag(p)(I − 𝟏pᵀ)); J is symmetric, so reverse mode is p ⊗ s − (p · s) p, O(n).
  jvp: (n, [t], b) => (t ? b.matmul(b.sub(b.call('diag', n), b.matmul(n, b.transpose(n))), t) : null),
  vjp: (n, s, _k, b) => b.sub(b.mul(n, s), b.mul(n, b.dot(n, s))),
  examples: [{ expr: 'softmax(x)', wrt: 'x' }],
  rule: {
    name: 'softmax rule',
    text: 'd softmax(z) = (diag(p) − p pᵀ) dz with p = softmax(z); ∂softmax(z)/∂z = diag(p) − p pᵀ',
    latex: '\\frac{\\partial \\operatorname{softmax}(\\mathbf{z})}{\\partial \\mathbf{z}} = \\operatorname{diag}(\\mathbf{p}) - \\mathbf{p}\\mathbf{p}^{\\top}',
  },
  evaluate: (_n, [z]) => {
    const out = logSoftmaxT(z);
    for (let i = 0; i < out.data.length; i++) out.data[i] = Math.exp(out.data[i]);
    return out;
  },
  lowerJs: lowerShifted(true),
  python: ([a]) => `_softmax(${a})`,
  range: () => [0, 1],
};

const logsumexp: OpDef<'logsumexp'> = {
  op: 'logsumexp',
  family: 'softmax',
  ...called('logsumexp', 'logsumexp', 'logsumexp(z) = log(sum(exp(z))) of a vector: a smooth maximum (computed shifted by max z).', () => SCALAR),
  jvp: (n, [t], b) => (t ? b.dot(softmaxOf(n, b), t) : null),
  vjp: (n, s, _k, b) => b.mul(s, softmaxOf(n, b)),
  examples: [{ expr: 'logsumexp(x)', wrt: 'x' }],
  rule: {
    name: 'log-sum-exp rule',
    text: 'd logsumexp(z) = softmax(z) · dz; grad(logsumexp(z), z) = softmax(z)',
    latex: '\\nabla_{\\mathbf{z}} \\operatorname{logsumexp}(\\mathbf{z}) = \\operatorname{softmax}(\\mathbf{z})',
  },
  evaluate: (_n, [z]) => scalarT(logSumExp(z.data)),
  lowerJs(n, lo) {
    const a = lo.get(n.args[0]);
    lo.make(n, 'scalar', [lo.whole(a)], { body: (c) => `${lseCode(n.id, a.size, (k) => c.at(a, k))} const s${n.id} = lse${n.id};` });
  },
  python: ([a]) => `_logsumexp(${a})`,
  // At least the largest element.
  range: ([z]) => [z[0], Infinity],
};

const logSoftmax: OpDef<'log_softmax'> = {
  op: 'log_softmax',
  family: 'softmax',
  ...called('log_softmax', 'log\\_softmax', 'log_softmax(z) = z − logsumexp(z) of a vector: the log-probabilities of softmax(z), without underflow.', (a) => a),
  // J = I − 𝟏 pᵀ: forward t − (p · t)𝟏, reverse s − p sum(s).
  jvp: (n, [t], b) => (t ? b.sub(t, b.dot(softmaxOf(n, b), t)) : null),
  vjp: (n, s, _k, b) => b.sub(s, b.mul(softmaxOf(n, b), b.sum(s))),
  examples: [{ expr: 'log_softmax(x)', wrt: 'x' }, { expr: '-(y · log_softmax(x))', wrt: 'x' }],
  rule: {
    name: 'log-softmax rule',
    text: 'd log_softmax(z) = dz − softmax(z) · dz; ∂log_softmax(z)/∂z = I − 𝟏 softmax(z)ᵀ',
    latex: '\\frac{\\partial \\operatorname{log\\_softmax}(\\mathbf{z})}{\\partial \\mathbf{z}} = I - \\mathbf{1}\\operatorname{softmax}(\\mathbf{z})^{\\top}',
  },
  evaluate: (_n, [z]) => logSoftmaxT(z),
  lowerJs: lowerShifted(false),
  python: ([a]) => `_log_softmax(${a})`,
  range: () => [-Infinity, 0],
};

export const softmaxOps = [softmax, logsumexp, logSoftmax];
