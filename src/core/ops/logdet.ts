// logdet(X) = log det(X) of a square matrix with a positive determinant, computed from the LU factors as
// Σ log|uᵢᵢ| (no overflow of det itself). Its differential is tr(X⁻¹ dX), so grad(logdet(X), X) = X⁻ᵀ.

import type { Builder } from '../builder.ts';
import type { Node } from '../ir.ts';
import { PREC, type OpDef, type ShapeError } from './types.ts';
import { type Shape, SCALAR, formatShape, sameDim } from '../shape.ts';
import { luDecompose, scalarT, type Tensor } from '../numeric/tensor.ts';
import type { Lowerer } from '../numeric/compile/plan.ts';
import { strides } from './lowerJs.ts';

/**
 * log det(a). A determinant that is not positive is outside the domain: NaN, as log of a negative number, so
 * that gradient checks re-sample such points (and evaluation shows NaN rather than a wrong number).
 */
export function logDet(a: Tensor): number {
  const d = a.rows === 1 && a.cols === 1 ? { lu: a.data, sign: 1 } : luDecompose(a);
  const n = a.rows;
  let sign = d ? d.sign : 0;
  let sum = 0;
  for (let i = 0; d && i < n; i++) {
    const u = d.lu[i * n + i];
    if (u < 0) sign = -sign;
    if (u === 0) sign = 0;
    sum += Math.log(Math.abs(u));
  }
  return sign > 0 ? sum : NaN;
}

/** Compiled: the reference's LU through a runtime helper; of a scalar, log of a positive number (else NaN). */
function lowerLogdet(n: Node, lo: Lowerer): void {
  const a = lo.get(n.args[0]);
  if (a.scalar) return void lo.make(n, 'scalar', [lo.point(a)], { body: (c) => `const s${n.id} = ${c.sc(a)} > 0 ? Math.log(${c.sc(a)}) : NaN;` });
  const v = lo.view(n.args[0]);
  lo.make(n, 'scalar', [lo.whole(v.base)], { body: (c) => `const s${n.id} = H.logdet(${c.arr(v.base)}, ${strides(v)}, ${v.base.rows});` });
}

const DOC = 'logdet(X) = log(det(X)) of a square matrix with a positive determinant (log of a positive scalar).';

function logdetShape(a: Shape): Shape | ShapeError {
  if (a.kind === 'scalar') return SCALAR;
  if (a.kind !== 'matrix' || !sameDim(a.m, a.n)) return { error: `logdet needs a square matrix, not ${formatShape(a)}.` };
  return SCALAR;
}

const logdet: OpDef<'logdet'> = {
  op: 'logdet',
  family: 'matrix functions',
  doc: DOC,
  syntax: {
    name: 'logdet',
    arity: 1,
    highlight: 'linear-algebra',
    signature: 'logdet(X)',
    doc: DOC,
    build: (b: Builder, [x]: Node[]) => {
      const s = logdetShape(x.shape);
      return 'error' in s ? s : b.raw('logdet', [x]);
    },
  },
  shape: ([a]) => logdetShape(a),
  // `contains` and `into` read the argument as a scalar, logdet(s) = log(s); for a matrix the condition is on
  // its determinant, which gradient checks meet by re-sampling (the reference kernel gives NaN outside).
  domain: { text: 'det(X) > 0', contains: (x) => x > 0, into: (e) => `(1 + (${e})^2)` },
  batch: { unbatchable: 'logdet needs a matrix per sample' },
  // Its derivative X⁻ᵀ is an inverse: an ill-conditioned X makes finite differences meaningless.
  conditioning: 'determinant',
  jvp(n, [t], b) {
    if (!t) return null;
    const X = n.args[0];
    return X.shape.kind === 'scalar' ? b.div(t, X) : b.call('tr', b.matmul(b.call('inv', X), t));
  },
  vjp(n, s, _k, b) {
    const X = n.args[0];
    return X.shape.kind === 'scalar' ? b.div(s, X) : b.mul(s, b.transpose(b.call('inv', X)));
  },
  examples: [{ expr: 'logdet(X)', wrt: 'X' }],
  rule: {
    name: 'log-determinant rule',
    text: 'd logdet(X) = tr(X⁻¹ dX); ∂logdet(X)/∂X = X⁻ᵀ',
    latex: '\\mathrm{d}\\log\\det(X) = \\operatorname{tr}(X^{-1}\\,\\mathrm{d}X)',
  },
  prec: () => PREC.atom,
  format: (n, p) => (p.mode === 'latex' ? `\\log\\det\\left(${p.plain(n.args[0])}\\right)` : `logdet(${p.plain(n.args[0])})`),
  evaluate: (_n, [a]) => scalarT(logDet(a)),
  lowerJs: lowerLogdet,
  // slogdet, with NaN for a determinant that is not positive (export/backends.ts).
  python: ([a]) => `_logdet(${a})`,
};

export const logdetOps = [logdet];
