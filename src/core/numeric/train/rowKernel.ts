// The one-pass kernel of a linear-form loss (linearForm.ts) over a chunk of rows: per block of rows (blockRows),
// z = X_B w (X read row by row), the compiled link (Σφ, ∂Σφ/∂z, ∂Σφ/∂b over the block's rows), and the
// gradient contribution X_Bᵀ ∂φ/∂z while those rows are still in cache — so X is read from memory once per
// evaluation. The same code runs on the main thread and in the helper threads (rowThreads.ts), and the rows
// are always cut into the same chunks of CHUNK_ROWS, each reduced on its own in row order: the partial sums
// of a chunk do not depend on which thread computed it, nor on how many threads there are. The two dense
// products run as WebAssembly SIMD (rowKernel-simd.ts) where the runtime has it, on a copy of the block's rows
// in the module's memory, with the same additions in the same order as the JavaScript loops below.

import type { Node } from '../../ir.ts';
import { type CompiledPlan, compile } from '../compile.ts';
import { SimdProducts } from './rowKernel-simd.ts';

/** Rows per block at most: z, ∂φ/∂z and the link's buffers. */
export const BLOCK_ROWS = 256;
/** Rows per block for rows of n values: the block of X (at most 256 KB) stays in L2 between its two uses. */
export const blockRows = (n: number) => Math.max(16, Math.min(BLOCK_ROWS, Math.floor(32768 / n)));
/** Rows per chunk, the unit of work and of the fixed-order reduction. */
export const CHUNK_ROWS = 4096;

/** What a kernel reads, by reference: the data (shared between threads when threads are used). */
export interface KernelData {
  /** X, row-major, rows × n. */
  X: Float64Array;
  /** The per-row data vectors, in the order of `KernelSpec.vectors`. */
  vectors: Float64Array[];
  /** The parameters: w (n values) then the scalar parameters. */
  params: Float64Array;
}

/** The link and its sizes (rowThreads.ts sends it to helper threads as data, dagTransfer.ts). */
export interface KernelSpec {
  roots: readonly Node[];
  rowDim: string;
  dims: ReadonlyMap<string, number>;
  zName: string;
  vectors: readonly string[];
  scalars: readonly string[];
  n: number;
}

/**
 * Partial results of one chunk, laid out as: the gradient with respect to w (n values), then one per scalar
 * parameter, then Σφ. The caller scales them (linearForm's `scale`).
 */
export const partialLength = (spec: KernelSpec) => spec.n + spec.scalars.length + 1;

export class RowKernel {
  private readonly plans = new Map<number, { plan: CompiledPlan; slots: Array<(start: number, gathered: boolean) => Float64Array> }>();
  private readonly z = new Float64Array(BLOCK_ROWS);
  /** ∂Σφ/∂z of the block, and the offsets of its rows in X. */
  private readonly g = new Float64Array(BLOCK_ROWS);
  private readonly rows = new Int32Array(BLOCK_ROWS);
  private readonly w: Float64Array;
  private readonly acc: Float64Array;
  private readonly gathered: Float64Array[];
  private readonly scalarViews: Float64Array[];
  /** The SIMD products, or null for the JavaScript loops (no SIMD, or its memory cannot grow to the block). */
  private readonly simd: SimdProducts | null;

  constructor(
    private readonly spec: KernelSpec,
    private readonly data: KernelData,
  ) {
    this.simd = SimdProducts.create(spec.n, blockRows(spec.n));
    this.gathered = spec.vectors.map(() => new Float64Array(BLOCK_ROWS));
    this.w = new Float64Array(spec.n);
    this.acc = new Float64Array(partialLength(spec));
    this.scalarViews = spec.scalars.map((_, j) => data.params.subarray(spec.n + j, spec.n + j + 1));
  }

  /**
   * Adds chunk `c` of the positions [start, end) — rows idx[p] (or p itself when idx is null) — into `out`
   * (zeroed first; partialLength(spec) values).
   */
  chunk(c: number, start: number, end: number, idx: Int32Array | null, out: Float64Array): void {
    // The hot loops read w and add into a private array, not the (possibly shared) parameters and partials.
    const acc = this.acc;
    acc.fill(0);
    this.w.set(this.data.params.subarray(0, this.spec.n));
    const from = start + c * CHUNK_ROWS;
    const to = Math.min(end, from + CHUNK_ROWS);
    const step = blockRows(this.spec.n);
    this.simd?.start(this.w);
    for (let p = from; p < to; p += step) this.block(p, Math.min(step, to - p), idx, acc);
    this.simd?.gradient(acc);
    out.set(acc);
  }

  private block(p: number, m: number, idx: Int32Array | null, out: Float64Array): void {
    const n = this.spec.n;
    const rows = this.rows;
    if (this.simd) this.simd.predict(this.data.X, p, m, idx, this.z);
    else {
      for (let i = 0; i < m; i++) rows[i] = (idx ? idx[p + i] : p + i) * n;
      predict(this.data.X, this.w, n, rows, m, this.z);
    }
    if (idx) this.gather(p, m, idx);
    const { plan, slots } = this.planFor(m);
    const res = plan.runSlots(slots.map((s) => s(p, idx !== null)));
    const gz = res[1].data;
    if (gz.length === 1) this.g.fill(gz[0], 0, m);
    else this.g.set(gz.subarray(0, m));
    if (this.simd) this.simd.accumulate(this.g, m);
    else accumulate(this.data.X, this.g, n, rows, m, out);
    for (let j = 0; j < this.spec.scalars.length; j++) out[n + j] += res[2 + j].data[0];
    out[n + this.spec.scalars.length] += res[0].data[0];
  }

  private gather(p: number, m: number, idx: Int32Array): void {
    const { vectors } = this.data;
    for (let v = 0; v < vectors.length; v++) {
      const src = vectors[v];
      const dst = this.gathered[v];
      for (let i = 0; i < m; i++) dst[i] = src[idx[p + i]];
    }
  }

  /** The link compiled for blocks of m rows, with each input's source (z, a data vector, a scalar). */
  private planFor(m: number) {
    let entry = this.plans.get(m);
    if (entry) return entry;
    const { spec, data } = this;
    const plan = compile(spec.roots, new Map([...spec.dims, [spec.rowDim, m]]));
    const zView = this.z.subarray(0, m);
    const slots = plan.inputs.map((input): ((start: number, gathered: boolean) => Float64Array) => {
      if (input.name === spec.zName) return () => zView;
      const v = spec.vectors.indexOf(input.name);
      if (v >= 0) {
        const src = data.vectors[v];
        const gathered = this.gathered[v].subarray(0, m);
        return (start, isGathered) => (isGathered ? gathered : src.subarray(start, start + m));
      }
      const s = spec.scalars.indexOf(input.name);
      if (s >= 0) return () => this.scalarViews[s];
      throw new Error(`internal: the link reads ${input.name}, which is neither z, a data vector nor a scalar parameter`);
    });
    entry = { plan, slots };
    this.plans.set(m, entry);
    return entry;
  }
}

// The two passes over a block's rows, row by row (X read in order), each unrolled four ways along the row so
// that four independent multiply-adds are in flight; V8 runs this form fastest (interleaving rows is slower).
// The order of the additions is fixed: it depends on n only, and rowKernel-simd.ts repeats it lane for lane
// (exported so that the tests can hold the two paths to the same bits).

/** z[i] = X[row i] · w for the block's rows (`rows` holds their offsets in X). */
export function predict(X: Float64Array, w: Float64Array, n: number, rows: Int32Array, m: number, z: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const o = rows[i];
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k + 3 < n; k += 4) {
      s0 += X[o + k] * w[k];
      s1 += X[o + k + 1] * w[k + 1];
      s2 += X[o + k + 2] * w[k + 2];
      s3 += X[o + k + 3] * w[k + 3];
    }
    for (; k < n; k++) s0 += X[o + k] * w[k];
    z[i] = s0 + s1 + (s2 + s3);
  }
}

/** out[k] += Σᵢ g[i] X[row i, k] for the block's rows. */
export function accumulate(X: Float64Array, g: Float64Array, n: number, rows: Int32Array, m: number, out: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const gi = g[i];
    if (gi === 0) continue;
    const o = rows[i];
    let k = 0;
    for (; k + 3 < n; k += 4) {
      out[k] += gi * X[o + k];
      out[k + 1] += gi * X[o + k + 1];
      out[k + 2] += gi * X[o + k + 2];
      out[k + 3] += gi * X[o + k + 3];
    }
    for (; k < n; k++) out[k] += gi * X[o + k];
  }
}
