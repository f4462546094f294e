// Dense row-major values for the reference evaluator. A scalar is 1×1, vector[n] is n×1, a row is 1×n.

import type { Dim, Shape } from '../shape.ts';

export interface Tensor {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface EvalEnv {
  /** Values of the declared variables. */
  vars: ReadonlyMap<string, Tensor>;
  /** Sizes bound to symbolic dimensions. */
  dims: ReadonlyMap<string, number>;
  /** Values of free index symbols (unit vectors e_j in index-form results), 1-based. */
  indices?: ReadonlyMap<string, number>;
}

export class EvalError extends Error {}

export function tensor(rows: number, cols: number, data?: Float64Array): Tensor {
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

export function scalarT(v: number): Tensor {
  return { rows: 1, cols: 1, data: Float64Array.of(v) };
}

export function resolveDim(d: Dim, env: Pick<EvalEnv, 'dims'>): number {
  if (typeof d === 'number') return d;
  const v = env.dims.get(d);
  if (v === undefined) throw new EvalError(`The size of dimension '${d}' is not known.`);
  return v;
}

export function shapeDims(s: Shape, env: Pick<EvalEnv, 'dims'>): [number, number] {
  switch (s.kind) {
    case 'scalar':
      return [1, 1];
    case 'vector':
      return [resolveDim(s.n, env), 1];
    case 'row':
      return [1, resolveDim(s.n, env)];
    case 'matrix':
      return [resolveDim(s.m, env), resolveDim(s.n, env)];
  }
}

export function filled(rows: number, cols: number, v: number): Tensor {
  const t = tensor(rows, cols);
  if (v !== 0) t.data.fill(v);
  return t;
}

export function map1(a: Tensor, f: (x: number) => number): Tensor {
  const out = tensor(a.rows, a.cols);
  const d = a.data;
  for (let i = 0; i < d.length; i++) out.data[i] = f(d[i]);
  return out;
}

/** Element-wise binary op with scalar expansion. */
export function map2(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const aS = a.data.length === 1;
  const bS = b.data.length === 1;
  const out = aS && !bS ? tensor(b.rows, b.cols) : tensor(a.rows, a.cols);
  const n = out.data.length;
  const ad = a.data;
  const bd = b.data;
  if (!aS && !bS && ad.length !== bd.length) throw new EvalError(`Element-wise operation on ${a.rows}×${a.cols} and ${b.rows}×${b.cols} values.`);
  for (let i = 0; i < n; i++) out.data[i] = f(aS ? ad[0] : ad[i], bS ? bd[0] : bd[i]);
  return out;
}

/**
 * Which rows of a k×n matrix (element (p, j) at p·rs + j·cs) hold only finite numbers: a zero times such a
 * row adds nothing, so products may skip it; a zero times a row with ∞ or NaN must still give NaN (0·∞).
 */
export function finiteRows(data: Float64Array, k: number, n: number, rs = n, cs = 1): Uint8Array {
  const finite = new Uint8Array(k);
  for (let p = 0; p < k; p++) {
    let ok = 1;
    for (let j = 0; j < n && ok; j++) if (!Number.isFinite(data[p * rs + j * cs])) ok = 0;
    finite[p] = ok;
  }
  return finite;
}

export function matmulT(a: Tensor, b: Tensor): Tensor {
  if (a.cols !== b.rows) throw new EvalError(`Cannot multiply ${a.rows}×${a.cols} by ${b.rows}×${b.cols}.`);
  const out = tensor(a.rows, b.cols);
  const m = a.rows;
  const k = a.cols;
  const n = b.cols;
  const ad = a.data;
  const bd = b.data;
  const od = out.data;
  if (n === 1) {
    matVecInto(od, ad, k, 1, bd, 1, m, k);
    return out;
  }
  const finite = finiteRows(bd, k, n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = ad[i * k + p];
      if (av === 0 && finite[p]) continue;
      const bo = p * n;
      const oo = i * n;
      for (let j = 0; j < n; j++) od[oo + j] += av * bd[bo + j];
    }
  }
  return out;
}

/**
 * out = A·b for A (M × K, strides ars/acs) and a vector b (stride bs): one running sum per row, added in the
 * order k = 0…K−1, the order of the general product and of the compiled plans' inlined loops, bit for bit.
 * The general product's zero skip is not needed: a sum that starts at +0 cannot be changed by a term ±0, and
 * 0·∞ still gives NaN. Without its inner loop of length one this runs in a quarter of the time.
 */
export function matVecInto(out: Float64Array, A: Float64Array, ars: number, acs: number, b: Float64Array, bs: number, M: number, K: number): void {
  for (let i = 0; i < M; i++) {
    const o = i * ars;
    let s = 0;
    if (acs === 1 && bs === 1) for (let k = 0; k < K; k++) s += A[o + k] * b[k];
    else for (let k = 0; k < K; k++) s += A[o + k * acs] * b[k * bs];
    out[i] = s;
  }
}

export function transposeT(a: Tensor): Tensor {
  const out = tensor(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j];
  return out;
}

export function sumT(a: Tensor): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i];
  return s;
}

/** LU decomposition with partial pivoting; returns null when singular. */
export function luDecompose(a: Tensor): { lu: Float64Array; perm: Int32Array; sign: number } | null {
  const n = a.rows;
  if (a.cols !== n) throw new EvalError(`Expected a square matrix, got ${a.rows}×${a.cols}.`);
  const lu = Float64Array.from(a.data);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let sign = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    let max = Math.abs(lu[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]);
      if (v > max) {
        max = v;
        p = i;
      }
    }
    if (max === 0) return null;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j];
        lu[k * n + j] = lu[p * n + j];
        lu[p * n + j] = t;
      }
      const t = perm[k];
      perm[k] = perm[p];
      perm[p] = t;
      sign = -sign;
    }
    const pivot = lu[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const f = (lu[i * n + k] /= pivot);
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= f * lu[k * n + j];
    }
  }
  return { lu, perm, sign };
}

export function detT(a: Tensor): number {
  const d = luDecompose(a);
  if (!d) return 0;
  const n = a.rows;
  let det = d.sign;
  for (let i = 0; i < n; i++) det *= d.lu[i * n + i];
  return det;
}

export function invT(a: Tensor): Tensor {
  const d = luDecompose(a);
  if (!d) throw new EvalError('The matrix is singular, so it has no inverse.');
  const n = a.rows;
  const out = tensor(n, n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) col[i] = d.perm[i] === j ? 1 : 0;
    for (let i = 0; i < n; i++) {
      let s = col[i];
      for (let k = 0; k < i; k++) s -= d.lu[i * n + k] * col[k];
      col[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = col[i];
      for (let k = i + 1; k < n; k++) s -= d.lu[i * n + k] * col[k];
      col[i] = s / d.lu[i * n + i];
    }
    for (let i = 0; i < n; i++) out.data[i * n + j] = col[i];
  }
  return out;
}
