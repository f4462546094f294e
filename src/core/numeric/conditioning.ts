// Points where a matrix that is inverted (or whose determinant is differentiated) is singular or nearly so.
// There the finite differences of inv(A) and det(A) are dominated by rounding, so a disagreement says nothing
// about the symbolic derivative: such points are outside the domain, re-sampled like log of a negative, and
// reported as a domain problem if no good point turns up — never blamed on the engine.
//
// How near is too near depends on the step. A computed inverse carries a relative error of about κ·u
// (κ = κ₁(A), u = 2⁻⁵³), and a difference of order k divides that error by hᵏ: the noise is κ·u/hᵏ relative
// to the values. Relative to the derivative it can be as large: near a rank-deficient matrix the derivative
// need not grow like ‖A⁻¹‖² — for f = sum(inv(x xᵀ + εI)) it grows like ‖A⁻¹‖ = 1/ε, because x xᵀ moves only
// along its own range — so a point is usable only while κ·u/hᵏ stays a tenth of rtol. With the defaults that
// is κ ≤ 9·10⁵ for first differences (h = 10⁻⁶) and κ ≤ 9·10³ for Hessians (h = 10⁻⁴).

import type { Node } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import { type Tensor, invT, luDecompose } from './tensor.ts';

/** Unit roundoff of float64. */
const UNIT_ROUNDOFF = 2 ** -53;

/** The largest condition number at which differences of order `order` with step `h` resolve `rtol`. */
export function conditionLimit(h: number, rtol: number, order: 1 | 2): number {
  return ((rtol / 10) * h ** order) / UNIT_ROUNDOFF;
}

function norm1(t: Tensor): number {
  let best = 0;
  for (let j = 0; j < t.cols; j++) {
    let s = 0;
    for (let i = 0; i < t.rows; i++) s += Math.abs(t.data[i * t.cols + j]);
    best = Math.max(best, s);
  }
  return best;
}

/** κ₁(A) = ‖A‖₁ ‖A⁻¹‖₁ (Infinity when A is exactly singular); `inverse` may be given when known. */
export function conditionNumber(a: Tensor, inverse?: Tensor): number {
  if (!inverse) {
    if (!luDecompose(a)) return Infinity;
    inverse = invT(a);
  }
  const k = norm1(a) * norm1(inverse);
  return Number.isFinite(k) ? k : Infinity;
}

/** The first inverted or determinant-taken matrix among `values` (the entry's `conditioning`) whose κ exceeds `limit`, with κ. */
export function illConditioned(values: ReadonlyMap<Node, Tensor>, limit: number): { matrix: Node; condition: number } | undefined {
  for (const [node, value] of values) {
    const kind = opDef(node.op).conditioning;
    if (!kind) continue;
    const arg = node.args[0];
    const a = values.get(arg);
    if (!a || a.rows !== a.cols || a.rows < 2) continue;
    const condition = conditionNumber(a, kind === 'inverse' ? value : undefined);
    if (condition > limit) return { matrix: arg, condition };
  }
  return undefined;
}
