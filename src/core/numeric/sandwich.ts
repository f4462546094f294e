// Hessians of batch losses as compiled sandwiches: the engine writes the Hessian of c·Σφ(X w) as
// Xᵀ * diag(d) * X (d = c·φ″(X w), a vector over the rows). Evaluated operator by operator that is an N×N
// diagonal and an N×n product; here it is one blocked pass over the rows of X, never N×N and never n passes:
// per block of rows, X_B is transposed into column panels (X_Bᵀ and (d ⊗ X_B)ᵀ, both n × BLOCK), and
// H += (d ⊗ X_B)ᵀ X_B is accumulated on the upper triangle in 2 × 2 register tiles (four loads feed four
// multiply-adds), then mirrored. The order of the additions depends on the sizes only.

import { type Node, topoOrder } from '../ir.ts';
import type { Tensor } from './tensor.ts';

/** Rows per block: two panels of n × 128 float64s (n = 100: 200 KB) stay in L2 while the tiles read them. */
const BLOCK = 128;

/** A and d when `n` is Aᵀ * (diag(d) * A) or (Aᵀ * diag(d)) * A (the same node A on both sides); else null. */
export function sandwichParts(n: Node): { A: Node; d: Node } | null {
  if (n.op !== 'matmul' || n.shape.kind !== 'matrix') return null;
  const [l, r] = n.args;
  if (l.op === 'transpose' && r.op === 'matmul' && r.args[0].op === 'diag' && r.args[1] === l.args[0]) return { A: l.args[0], d: r.args[0].args[0] };
  if (l.op === 'matmul' && l.args[0].op === 'transpose' && l.args[1].op === 'diag' && l.args[0].args[0] === r) return { A: r, d: l.args[1].args[0] };
  return null;
}

/**
 * The nodes the reference evaluator materialises for `roots`, arguments first: a sandwich's parts A and d and
 * the sandwich itself, never its N×N diagonal nor its N×n product.
 */
export function materialisedOrder(roots: readonly Node[]): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  const visit = (from: readonly Node[]) => {
    for (const n of topoOrder(from, (m) => !sandwichParts(m))) {
      if (seen.has(n)) continue;
      const parts = sandwichParts(n);
      if (parts) visit([parts.A, parts.d]);
      seen.add(n);
      order.push(n);
    }
  };
  visit(roots);
  return order;
}

/** Aᵀ diag(d) A for A (rows × n, row-major) and d (rows values, or one value for all rows). */
export function sandwich(A: Tensor, d: Tensor): Tensor {
  const rows = A.rows;
  const n = A.cols;
  const even = n + (n & 1); // panels padded to an even number of columns, so every tile is whole
  const T = new Float64Array(even * BLOCK);
  const Td = new Float64Array(even * BLOCK);
  const H = new Float64Array(even * even);
  const X = A.data;
  const dv = d.data;
  const broadcast = dv.length === 1;
  for (let s = 0; s < rows; s += BLOCK) {
    const m = Math.min(BLOCK, rows - s);
    for (let i = 0; i < m; i++) {
      const o = (s + i) * n;
      const di = broadcast ? dv[0] : dv[s + i];
      for (let k = 0; k < n; k++) {
        const v = X[o + k];
        T[k * BLOCK + i] = v;
        Td[k * BLOCK + i] = di * v;
      }
    }
    upperTiles(T, Td, even, m, H);
  }
  const out = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let c = a; c < n; c++) {
      const v = H[a * even + c];
      out[a * n + c] = v;
      out[c * n + a] = v;
    }
  }
  return { rows: n, cols: n, data: out };
}

/** H[a, c] += Σᵢ Td[a, i] T[c, i] over the block's m rows, for the 2 × 2 tiles on or above the diagonal. */
function upperTiles(T: Float64Array, Td: Float64Array, even: number, m: number, H: Float64Array): void {
  for (let a = 0; a < even; a += 2) {
    const oa = a * BLOCK;
    const ob = oa + BLOCK;
    for (let c = a; c < even; c += 2) {
      const oc = c * BLOCK;
      const od = oc + BLOCK;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let i = 0; i < m; i++) {
        const x0 = Td[oa + i];
        const x1 = Td[ob + i];
        const y0 = T[oc + i];
        const y1 = T[od + i];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      const r0 = a * even + c;
      const r1 = r0 + even;
      H[r0] += s00;
      H[r0 + 1] += s01;
      H[r1] += s10;
      H[r1 + 1] += s11;
    }
  }
}
