// The row kernel's two dense products (rowKernel.ts) as WebAssembly SIMD functions, assembled from their bytes
// (numeric/wasm.ts). f64x2 lanes carry the JavaScript path's accumulators in the same order — lanes (s0, s1)
// and (s2, s3) of the dot product, two columns of the gradient — and each lane computes s + x·y with no fused
// multiply-add, so both paths give the same bits. Rows go four at a time so that eight (dot) or four
// (gradient) independent chains of additions are in flight; the order within each row or column is unchanged.
//
// dot(X, w, n, m, z): z[i] = X[i] · w for m rows of n values stored one after another from byte X.
// axpy(R, g, n, m, out): out[k] += g[j] X[row j, k] for j < m in order, row j starting at byte R[j] (i32).
// SimdProducts wraps them for rowKernel.ts: the block's rows copied into the module's memory, then both.

import {
  ADD, AND, F64X2_ADD, F64X2_MUL, F64X2_SPLAT, F64_ADD, F64_MUL, GE_U, MUL, ZERO, f64load, f64store, get, i32, i32load,
  instantiate, lane, load, moduleBytes, reserve, set, store, tee, whileNot,
} from '../wasm.ts';

const GROUP = 4;
const range = (k: number) => Array.from({ length: k }, (_, r) => r);

// Locals: the five parameters, then i32 scratch, then GROUP f64 and 2·GROUP + 2 v128.
const [P0, P1, N, M, P4] = [0, 1, 2, 3, 4];
const [K, K4, NB, J, RB] = [5, 6, 7, 8, 9];
const B = 10; // B + r: byte address of row r of the group
const S = B + GROUP; // f64: s0 of row r
const V = S + GROUP; // v128: two scratch, then the accumulators of row r (V + 2 + 2r, V + 3 + 2r)
const locals: Array<[number, number]> = [[5 + GROUP, 0x7f], [GROUP, 0x7c], [2 + 2 * GROUP, 0x7b]];
const acc = (r: number, half: number) => V + 2 + 2 * r + half;
const at = (base: number, offset: number[]) => [...get(base), ...offset, ADD];

/** z for `rows` rows from byte X + J·RB: 4-wide along the row into (s0, s1), (s2, s3), then the odd tail into s0. */
function dotGroup(rows: number): number[] {
  const rs = range(rows);
  return [
    ...rs.flatMap((r) => [...get(P0), ...get(J), ...i32(r), ADD, ...get(RB), MUL, ADD, ...set(B + r), ...ZERO, ...set(acc(r, 0)), ...ZERO, ...set(acc(r, 1))]),
    ...i32(0), ...set(K),
    ...whileNot([...get(K), ...get(K4), GE_U], [
      ...at(P1, get(K)), ...load(0), ...set(V), ...at(P1, get(K)), ...load(16), ...set(V + 1),
      ...rs.flatMap((r) => [
        ...get(acc(r, 0)), ...at(B + r, get(K)), ...load(0), ...get(V), ...F64X2_MUL, ...F64X2_ADD, ...set(acc(r, 0)),
        ...get(acc(r, 1)), ...at(B + r, get(K)), ...load(16), ...get(V + 1), ...F64X2_MUL, ...F64X2_ADD, ...set(acc(r, 1)),
      ]),
      ...get(K), ...i32(32), ADD, ...set(K),
    ]),
    ...rs.flatMap((r) => [...get(acc(r, 0)), ...lane(0), ...set(S + r)]),
    ...whileNot([...get(K), ...get(NB), GE_U], [
      ...rs.flatMap((r) => [...get(S + r), ...at(B + r, get(K)), ...f64load(0), ...at(P1, get(K)), ...f64load(0), F64_MUL, F64_ADD, ...set(S + r)]),
      ...get(K), ...i32(8), ADD, ...set(K),
    ]),
    ...rs.flatMap((r) => [
      ...get(P4), ...get(J), ...i32(r), ADD, ...i32(8), MUL, ADD,
      ...get(S + r), ...get(acc(r, 0)), ...lane(1), F64_ADD, ...get(acc(r, 1)), ...lane(0), ...get(acc(r, 1)), ...lane(1), F64_ADD, F64_ADD,
      ...f64store(0),
    ]),
    ...get(J), ...i32(rows), ADD, ...set(J),
  ];
}

/** out += g[j] X[row j] for `rows` rows from j = J: 2-wide along the row, then the odd column. */
function axpyGroup(rows: number): number[] {
  const rs = range(rows);
  const g = (r: number) => [...get(P1), ...get(J), ...i32(r), ADD, ...i32(8), MUL, ADD, ...f64load(0)];
  return [
    ...rs.flatMap((r) => [...get(P0), ...get(J), ...i32(r), ADD, ...i32(4), MUL, ADD, ...i32load(0), ...set(B + r), ...g(r), ...F64X2_SPLAT, ...set(acc(r, 0))]),
    ...i32(0), ...set(K),
    ...whileNot([...get(K), ...get(K4), GE_U], [
      ...at(P4, get(K)),
      ...at(P4, get(K)), ...load(0),
      ...rs.flatMap((r) => [...get(acc(r, 0)), ...at(B + r, get(K)), ...load(0), ...F64X2_MUL, ...F64X2_ADD]),
      ...store(0),
      ...get(K), ...i32(16), ADD, ...set(K),
    ]),
    ...whileNot([...get(K), ...get(NB), GE_U], [
      ...at(P4, get(K)),
      ...at(P4, get(K)), ...f64load(0),
      ...rs.flatMap((r) => [...g(r), ...at(B + r, get(K)), ...f64load(0), F64_MUL, F64_ADD]),
      ...f64store(0),
      ...get(K), ...i32(8), ADD, ...set(K),
    ]),
    ...get(J), ...i32(rows), ADD, ...set(J),
  ];
}

/** J = 0, NB = 8n, RB = 8n, K4 = the bytes of the first n rounded down to a multiple of `width` values. */
const prologue = (width: number) => [
  ...i32(0), ...set(J), ...get(N), ...i32(8), MUL, ...tee(NB), ...set(RB),
  ...get(N), ...i32(-width), AND, ...i32(8), MUL, ...set(K4),
];

/** Whole groups while GROUP rows remain, then one row at a time. */
const overRows = (group: (rows: number) => number[]) => [
  ...whileNot([...get(J), ...i32(GROUP), ADD, ...get(M), 0x4b /* i32.gt_u */], group(GROUP)),
  ...whileNot([...get(J), ...get(M), GE_U], group(1)),
];

const MODULE = moduleBytes([
  { name: 'dot', locals, body: [...prologue(4), ...overRows(dotGroup)] },
  { name: 'axpy', locals, body: [...prologue(2), ...overRows(axpyGroup)] },
]);

interface SimdRows {
  memory: WebAssembly.Memory;
  dot: (X: number, w: number, n: number, m: number, z: number) => void;
  axpy: (rows: number, g: number, n: number, m: number, out: number) => void;
}

function rowsKernel(): SimdRows | null {
  const exports = instantiate(MODULE);
  return exports && { memory: exports.memory as WebAssembly.Memory, dot: exports.dot as SimdRows['dot'], axpy: exports.axpy as SimdRows['axpy'] };
}

/** The kernel (one per thread), or null where the runtime has no WebAssembly SIMD. */
const simdRows: SimdRows | null = rowsKernel();

/** Byte addresses in the kernel's memory: w, the gradient, z, ∂φ/∂z and row addresses, the block's rows. */
function layout(n: number, rows: number) {
  const z = 16 * n;
  const g = z + 8 * rows;
  const addresses = g + 8 * rows;
  const x = addresses + 8 * rows; // 8 bytes per i32 address, so that X starts on a multiple of 8
  return { w: 0, out: 8 * n, z, g, addresses, x, end: x + 8 * rows * n };
}

/**
 * The two products over blocks of at most `rows` rows of n values, for one chunk at a time: `start` with w,
 * then per block `predict` and `accumulate`, then `gradient`. The rows of a block are copied next to each
 * other into the module's memory (wasm reads no JavaScript array), where they stay in cache for both products.
 */
export class SimdProducts {
  /** Views of the memory, taken per chunk (another kernel on this thread may have grown it). */
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);

  private constructor(
    private readonly kernel: SimdRows,
    private readonly n: number,
    private readonly at: ReturnType<typeof layout>,
  ) {}

  /** The products, or null without WebAssembly SIMD or when the memory cannot grow to the block's size. */
  static create(n: number, rows: number): SimdProducts | null {
    const at = layout(n, rows);
    return simdRows && reserve(simdRows.memory, at.end) ? new SimdProducts(simdRows, n, at) : null;
  }

  /** w into the memory, the gradient zeroed. */
  start(w: Float64Array): void {
    const { buffer } = this.kernel.memory;
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.f64.set(w, this.at.w / 8);
    this.f64.fill(0, this.at.out / 8, this.at.out / 8 + this.n);
  }

  /** z[i] = X[row] · w for the m rows at positions p… (rows idx[p + i], or p + i when idx is null). */
  predict(X: Float64Array, p: number, m: number, idx: Int32Array | null, z: Float64Array): void {
    const { f64, at, n } = this;
    if (idx) for (let i = 0; i < m; i++) f64.set(X.subarray(idx[p + i] * n, idx[p + i] * n + n), at.x / 8 + i * n);
    else f64.set(X.subarray(p * n, (p + m) * n), at.x / 8);
    this.kernel.dot(at.x, at.w, n, m, at.z);
    z.set(f64.subarray(at.z / 8, at.z / 8 + m));
  }

  /** Adds Σᵢ g[i] X[row i] of the block last predicted, skipping rows whose g is zero as the JavaScript loop does. */
  accumulate(g: Float64Array, m: number): void {
    const { f64, i32, at, n } = this;
    let kept = 0;
    for (let i = 0; i < m; i++) {
      if (g[i] === 0) continue;
      f64[at.g / 8 + kept] = g[i];
      i32[at.addresses / 4 + kept++] = at.x + 8 * i * n;
    }
    this.kernel.axpy(at.addresses, at.g, n, kept, at.out);
  }

  /** The chunk's gradient into out[0..n). */
  gradient(out: Float64Array): void {
    out.set(this.f64.subarray(this.at.out / 8, this.at.out / 8 + this.n));
  }
}
