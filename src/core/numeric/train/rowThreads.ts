// Helper threads for the one-pass kernel (rowKernel.ts): worker_threads that share the data (SharedArrayBuffer)
// and take chunks of rows from a shared counter while the calling thread takes its own. Which thread computes
// which chunk varies; the chunks and their partial sums do not, and the caller adds the partials in chunk
// order (fusedObjective.ts), so results are identical for any number of threads.
//
// Protocol (one Int32Array `ctrl`): the caller writes the job (START, END, USE_IDX, CHUNKS), then publishes it by
// setting NEXT = tag(gen) | 0 and bumping GEN. A thread claims chunk c by compare-and-swap of NEXT from
// tag | c to tag | c + 1, so a thread that read an older job's header can never claim a chunk of the new job;
// each finished chunk increments DONE, which the caller waits for.

import { Worker } from 'node:worker_threads';
import { dagToData } from './dagTransfer.ts';
import { CHUNK_ROWS, type KernelData, type KernelSpec, type RowKernel, partialLength } from './rowKernel.ts';
import { spawnWorker, workerScript } from '../../workers/client.ts';

export const enum Ctrl {
  GEN,
  NEXT,
  DONE,
  START,
  END,
  USE_IDX,
  CHUNKS,
  QUIT,
  /** Helper threads that have built their kernel. */
  READY,
  /** Chunks computed by helper threads since `start` (for tests and reports). */
  HELPED,
  LENGTH,
}

const COUNTER_BITS = 16;
const COUNTER_MASK = (1 << COUNTER_BITS) - 1;
export const tag = (gen: number) => (gen & 0x7fff) << COUNTER_BITS;

/** Claims the next chunk of job `gen`, or returns −1 when its chunks are all claimed (or a newer job began). */
export function claim(ctrl: Int32Array, gen: number, chunks: number): number {
  const t = tag(gen);
  for (;;) {
    const v = Atomics.load(ctrl, Ctrl.NEXT);
    if ((v & ~COUNTER_MASK) !== t) return -1;
    const c = v & COUNTER_MASK;
    if (c >= chunks) return -1;
    if (Atomics.compareExchange(ctrl, Ctrl.NEXT, v, v + 1) === v) return c;
  }
}

/** Runs every chunk of job `gen` this thread can claim, then counts them done (and `helper`'s as HELPED). */
export function work(ctrl: Int32Array, gen: number, kernel: RowKernel, idx: Int32Array, partials: Float64Array, stride: number, helper: boolean): void {
  const start = Atomics.load(ctrl, Ctrl.START);
  const end = Atomics.load(ctrl, Ctrl.END);
  const rows = Atomics.load(ctrl, Ctrl.USE_IDX) ? idx : null;
  const chunks = Atomics.load(ctrl, Ctrl.CHUNKS);
  for (let c = claim(ctrl, gen, chunks); c >= 0; c = claim(ctrl, gen, chunks)) {
    kernel.chunk(c, start, end, rows, partials.subarray(c * stride, (c + 1) * stride));
    if (helper) Atomics.add(ctrl, Ctrl.HELPED, 1);
    Atomics.add(ctrl, Ctrl.DONE, 1);
    Atomics.notify(ctrl, Ctrl.DONE);
  }
}

const shared = (a: Float64Array) => {
  const s = new Float64Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
};

/** The data copied into shared memory (once per training run), so that helper threads read it in place. */
export function shareData(d: KernelData): KernelData {
  return { X: shared(d.X), vectors: d.vectors.map(shared), params: shared(d.params) };
}

export interface RowWorkerData {
  dag: ReturnType<typeof dagToData>;
  rowDim: string;
  dims: Array<[string, number]>;
  zName: string;
  vectors: string[];
  scalars: string[];
  n: number;
  data: KernelData;
  ctrl: Int32Array;
  idx: Int32Array;
  partials: Float64Array;
}

/** How long `start` waits for the helper threads to be ready before going on without the late ones. */
const START_TIMEOUT_MS = 10_000;

/**
 * The helper threads of one training problem. They run only between `start` and `stop` (a training run);
 * outside, and while none is ready, `run` is never called and the caller computes every chunk itself.
 */
export class RowThreads {
  readonly partials: Float64Array;
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(Ctrl.LENGTH * 4));
  private readonly idx: Int32Array;
  private readonly workers: Worker[] = [];
  private readonly stride: number;
  private readonly workerData: RowWorkerData;
  private gen = 0;

  constructor(
    spec: KernelSpec,
    data: KernelData,
    private readonly helpers: number,
    maxChunks: number,
    rows: number,
  ) {
    this.stride = partialLength(spec);
    this.partials = new Float64Array(new SharedArrayBuffer(maxChunks * this.stride * 8));
    this.idx = new Int32Array(new SharedArrayBuffer(rows * 4));
    // No job may be claimed before one is published: NEXT starts with a tag no job has.
    Atomics.store(this.ctrl, Ctrl.NEXT, tag(0x7fff));
    this.workerData = {
      dag: dagToData(spec.roots),
      rowDim: spec.rowDim,
      dims: [...spec.dims],
      zName: spec.zName,
      vectors: [...spec.vectors],
      scalars: [...spec.scalars],
      n: spec.n,
      data,
      ctrl: this.ctrl,
      idx: this.idx,
      partials: this.partials,
    };
  }

  /** Chunks the helper threads computed since the last `start`. */
  get helped(): number {
    return Atomics.load(this.ctrl, Ctrl.HELPED);
  }

  /** Whether helper threads are running (between `start` and `stop`). */
  get active(): boolean {
    return this.workers.length > 0;
  }

  /** Starts the helper threads and waits (blocking) until they have built their kernels. */
  start(): void {
    if (this.active) return;
    Atomics.store(this.ctrl, Ctrl.QUIT, 0);
    Atomics.store(this.ctrl, Ctrl.READY, 0);
    Atomics.store(this.ctrl, Ctrl.HELPED, 0);
    const script = workerScript('rowWorker');
    for (let k = 0; k < this.helpers; k++) {
      const w = spawnWorker(script, this.workerData);
      // A helper that fails leaves its chunks to the others (the caller takes any chunk nobody claims).
      w.on('error', () => undefined);
      w.unref();
      this.workers.push(w);
    }
    const until = performance.now() + START_TIMEOUT_MS;
    for (let r = Atomics.load(this.ctrl, Ctrl.READY); r < this.helpers && performance.now() < until; r = Atomics.load(this.ctrl, Ctrl.READY)) {
      Atomics.wait(this.ctrl, Ctrl.READY, r, 50);
    }
  }

  /** Computes chunks 0 … chunks−1 of positions [start, end) into `partials`, this thread taking its share. */
  run(kernel: RowKernel, start: number, end: number, idx: Int32Array | null, chunks: number): void {
    if (chunks > COUNTER_MASK) throw new Error(`internal: ${chunks} chunks of ${CHUNK_ROWS} rows are more than one job can count`);
    const ctrl = this.ctrl;
    if (idx) this.idx.set(idx.subarray(start, end), start);
    const gen = (this.gen = (this.gen + 1) % 0x7fff);
    Atomics.store(ctrl, Ctrl.START, start);
    Atomics.store(ctrl, Ctrl.END, end);
    Atomics.store(ctrl, Ctrl.USE_IDX, idx ? 1 : 0);
    Atomics.store(ctrl, Ctrl.CHUNKS, chunks);
    Atomics.store(ctrl, Ctrl.DONE, 0);
    Atomics.store(ctrl, Ctrl.NEXT, tag(gen));
    Atomics.store(ctrl, Ctrl.GEN, gen);
    Atomics.notify(ctrl, Ctrl.GEN);
    work(ctrl, gen, kernel, this.idx, this.partials, this.stride, false);
    for (let d = Atomics.load(ctrl, Ctrl.DONE); d < chunks; d = Atomics.load(ctrl, Ctrl.DONE)) Atomics.wait(ctrl, Ctrl.DONE, d, 100);
  }

  stop(): void {
    if (!this.active) return;
    Atomics.store(this.ctrl, Ctrl.QUIT, 1);
    Atomics.add(this.ctrl, Ctrl.GEN, 1);
    Atomics.notify(this.ctrl, Ctrl.GEN);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
