// Points where a matrix that is inverted (or whose determinant is differentiated) is singular or nearly so.
// There the finite differences of inv(A) and det(A) are dominated by rounding, so a disagreement says nothing
// about the symbolic derivative: such points are outside the domain, re-sampled like log of a negative, and
// reported as a domain problem if no good point turns up — never blamed on the engine.

import type { Node } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import { type Tensor, invT, luDecompose } from './tensor.ts';

/** Condition numbers (1-norm) above this make finite differences of inverses meaningless. */
export const MAX_CONDITION = 1e8;

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

/** The first inverted or determinant-taken matrix among `values` (the entry's `conditioning`) that is ill-conditioned, with κ. */
export function illConditioned(values: ReadonlyMap<Node, Tensor>): { matrix: Node; condition: number } | undefined {
  for (const [node, value] of values) {
    const kind = opDef(node.op).conditioning;
    if (!kind) continue;
    const arg = node.args[0];
    const a = values.get(arg);
    if (!a || a.rows !== a.cols || a.rows < 2) continue;
    const condition = conditionNumber(a, kind === 'inverse' ? value : undefined);
    if (condition > MAX_CONDITION) return { matrix: arg, condition };
  }
  return undefined;
}
