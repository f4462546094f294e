// Hessians of batch losses as compiled sandwiches: the engine writes the Hessian of c·Σφ(X w) as
// Xᵀ * diag(d) * X (d = c·φ″(X w), a vector over the rows). Evaluated operator by operator that is an N×N
// diagonal and an N×n product; here it is one blocked pass over the rows of X, never N×N and never n passes:
// per block of rows, X_B is packed into panels of four columns (X_B and d ⊗ X_B, row i's four values side by
// side), and H += (d ⊗ X_B)ᵀ X_B is accumulated on the upper triangle in 4 × 4 register tiles (eight loads
// feed sixteen multiply-adds), then mirrored. The tiles run as WebAssembly SIMD (sandwich-simd.ts) where the
// runtime has it, else as the JavaScript below; both add in the same order, which depends on the sizes only.

import { type Node, topoOrder } from '../ir.ts';
import type { Tensor } from './tensor.ts';
import { PANEL_STRIDE, reserve, simdTiles } from './sandwich-simd.ts';

/** Rows per block (32): the two packed blocks of n × 32 float64s (n = 100: 51 KB) stay in cache while the tiles read them. */
const BLOCK = PANEL_STRIDE / 32;

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
 * the sandwich itself, never its N×N diagonal nor its N×n product. With `weights` 'compiled', a sandwich's d
 * and what only d needs are left out: the evaluator computes d at the sandwich (sandwichWeights.ts).
 */
export function materialisedOrder(roots: readonly Node[], weights: 'materialised' | 'compiled' = 'materialised'): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  const visit = (from: readonly Node[]) => {
    for (const n of topoOrder(from, (m) => !sandwichParts(m))) {
      if (seen.has(n)) continue;
      const parts = sandwichParts(n);
      if (parts) visit(weights === 'compiled' ? [parts.A] : [parts.A, parts.d]);
      seen.add(n);
      order.push(n);
    }
  };
  visit(roots);
  return order;
}

/** Aᵀ diag(d) A for A (rows × n, row-major) and d (rows values, or one value for all rows). */
export function sandwich(A: Tensor, d: Tensor, useSimd = true): Tensor {
  const n = A.cols;
  const p = (n + 3) & ~3; // columns padded to whole panels of four; the padding stays zero
  const panels = p * BLOCK;
  const kernel = useSimd && simdTiles && reserve(simdTiles, 8 * (2 * panels + p * p)) ? simdTiles : null;
  const memory = kernel ? kernel.memory.buffer : new ArrayBuffer(8 * (2 * panels + p * p));
  const T = new Float64Array(memory, 0, panels).fill(0);
  const Td = new Float64Array(memory, 8 * panels, panels).fill(0);
  const H = new Float64Array(memory, 16 * panels, p * p).fill(0);
  for (let s = 0; s < A.rows; s += BLOCK) {
    const m = Math.min(BLOCK, A.rows - s);
    pack(A, d, s, m, T, Td);
    if (kernel) kernel.tiles(0, 8 * panels, 16 * panels, p, m);
    else upperTiles(T, Td, p, m, H);
  }
  const out = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let c = a; c < n; c++) {
      const v = H[a * p + c];
      out[a * n + c] = v;
      out[c * n + a] = v;
    }
  }
  return { rows: n, cols: n, data: out };
}

/**
 * Rows s … s + m − 1 of A into T and of d ⊗ A into Td: column k of row i at (k >> 2)·4·BLOCK + 4i + (k & 3).
 * Four columns at a time, so that each row's values are written as whole panel rows (no index arithmetic per
 * value: that made packing a third of the kernel's time).
 */
function pack(A: Tensor, d: Tensor, s: number, m: number, T: Float64Array, Td: Float64Array): void {
  const n = A.cols;
  const X = A.data;
  const dv = d.data;
  const broadcast = dv.length === 1;
  const whole = n & ~3;
  const PANEL = 4 * BLOCK;
  for (let i = 0; i < m; i++) {
    const o = (s + i) * n;
    const di = broadcast ? dv[0] : dv[s + i];
    let q = 4 * i;
    let k = 0;
    for (; k < whole; k += 4, q += PANEL) {
      const x0 = X[o + k], x1 = X[o + k + 1], x2 = X[o + k + 2], x3 = X[o + k + 3];
      T[q] = x0; T[q + 1] = x1; T[q + 2] = x2; T[q + 3] = x3;
      Td[q] = di * x0; Td[q + 1] = di * x1; Td[q + 2] = di * x2; Td[q + 3] = di * x3;
    }
    for (let r = 0; k < n; k++, r++) {
      T[q + r] = X[o + k];
      Td[q + r] = di * X[o + k];
    }
  }
}

/** H[a.., c..] += Σᵢ Td[a.., i] T[c.., i] over the block's m rows, for the 4 × 4 tiles on or above the diagonal. */
function upperTiles(T: Float64Array, Td: Float64Array, p: number, m: number, H: Float64Array): void {
  const end = 4 * m;
  for (let a = 0; a < p; a += 4) {
    const oa = a * BLOCK;
    for (let c = a; c < p; c += 4) {
      const oc = c * BLOCK;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let i = 0; i < end; i += 4) {
        const y0 = T[oc + i], y1 = T[oc + i + 1], y2 = T[oc + i + 2], y3 = T[oc + i + 3];
        let x = Td[oa + i];
        s00 += x * y0; s01 += x * y1; s02 += x * y2; s03 += x * y3;
        x = Td[oa + i + 1];
        s10 += x * y0; s11 += x * y1; s12 += x * y2; s13 += x * y3;
        x = Td[oa + i + 2];
        s20 += x * y0; s21 += x * y1; s22 += x * y2; s23 += x * y3;
        x = Td[oa + i + 3];
        s30 += x * y0; s31 += x * y1; s32 += x * y2; s33 += x * y3;
      }
      let r = a * p + c;
      H[r] += s00; H[r + 1] += s01; H[r + 2] += s02; H[r + 3] += s03;
      r += p;
      H[r] += s10; H[r + 1] += s11; H[r + 2] += s12; H[r + 3] += s13;
      r += p;
      H[r] += s20; H[r + 1] += s21; H[r + 2] += s22; H[r + 3] += s23;
      r += p;
      H[r] += s30; H[r + 1] += s31; H[r + 2] += s32; H[r + 3] += s33;
    }
  }
}
