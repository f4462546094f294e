// The training objective of a linear-form loss (linearForm.ts) evaluated in one pass over the data per call:
// the rows are cut into fixed chunks (rowKernel.ts), each chunk's partial loss and gradient computed by the
// main thread or a helper thread (rowThreads.ts), and the partials added in chunk order — so the numbers are
// the same bit for bit whatever the number of threads. Set up only after it agreed with the plain compiled
// plan on a sample of rows (`agreesWith`); otherwise the plain plan trains.

import type { Builder } from '../../builder.ts';
import { type Node, topoOrder } from '../../ir.ts';
import type { Shape } from '../../shape.ts';
import type { Dataset } from './data.ts';
import { type LinearForm, linearForm } from './linearForm.ts';
import type { Objective, ParamSlot } from './problem.ts';
import { CHUNK_ROWS, type KernelData, type KernelSpec, RowKernel, partialLength } from './rowKernel.ts';
import { RowThreads, shareData } from './rowThreads.ts';

/** Below this many elements of X a full pass costs less than waking the helper threads (see docs/numeric.md). */
export const THREADS_MIN_ELEMENTS = 400_000;

/**
 * The one-pass objective of `loss` when it has a linear form and agrees with the plain plan `plain` on a
 * sample; null otherwise (the plain plan then trains).
 */
export function onePassObjective(b: Builder, loss: Node, params: ParamSlot[], dataset: Dataset, rowDim: string, dims: ReadonlyMap<string, number>, plain: Objective, threads: number): Objective | null {
  const data = new Map<string, Shape>();
  for (const n of topoOrder([loss])) if (n.op === 'var' && dataset.values.has(String(n.attr))) data.set(String(n.attr), n.shape);
  const byShape = (kind: Shape['kind']) => new Set(params.filter((p) => p.shape.kind === kind).map((p) => p.name));
  const form = linearForm(b, loss, rowDim, data, byShape('scalar'), byShape('vector'), dims);
  if (!form) return null;
  const spec: KernelSpec = { roots: form.roots, rowDim, dims, zName: form.zName, vectors: form.vectors, scalars: form.scalars, n: dataset.values.get(form.matrix)!.cols };
  const fused = fusedObjective(form, spec, params, dataset, plain, threads);
  return agreesWith(fused, plain, params) ? fused : null;
}

/**
 * `threads` is the number of threads to use (the calling one included); helper threads are set up only when
 * the data is large enough to pay for them (THREADS_MIN_ELEMENTS), and run between startThreads and
 * stopThreads (one training run).
 */
export function fusedObjective(form: LinearForm, spec: KernelSpec, params: ParamSlot[], dataset: Dataset, plain: Objective, threads: number): Objective {
  const rows = dataset.rows;
  const X = dataset.values.get(form.matrix)!.data;
  const useThreads = threads > 1 && X.length >= THREADS_MIN_ELEMENTS;
  const raw: KernelData = { X, vectors: form.vectors.map((v) => dataset.values.get(v)!.data), params: new Float64Array(spec.n + form.scalars.length) };
  const data = useThreads ? shareData(raw) : raw;
  const stride = partialLength(spec);
  const maxChunks = Math.ceil(rows / CHUNK_ROWS);
  const pool = useThreads ? new RowThreads(spec, data, threads - 1, maxChunks, rows) : null;
  const kernel = new RowKernel(spec, data);
  const partials = pool ? pool.partials : new Float64Array(maxChunks * stride);
  const wSlot = params.findIndex((p) => p.name === form.weights);
  const scalarSlots = form.scalars.map((s) => params.findIndex((p) => p.name === s));
  const total = new Float64Array(stride);

  const objective: Objective = {
    rows,
    evaluators: new Set(['compiled']),
    kernel: 'one-pass',
    get threads() {
      return pool?.active ? threads : 1;
    },
    get helperChunks() {
      return pool?.helped ?? 0;
    },
    evaluate(idx, start, end, grads) {
      data.params.set(params[wSlot].value.data);
      scalarSlots.forEach((k, j) => (data.params[spec.n + j] = params[k].value.data[0]));
      const chunks = Math.ceil((end - start) / CHUNK_ROWS);
      if (pool?.active) pool.run(kernel, start, end, idx, chunks);
      else for (let c = 0; c < chunks; c++) kernel.chunk(c, start, end, idx, partials.subarray(c * stride, (c + 1) * stride));
      total.fill(0);
      for (let c = 0; c < chunks; c++) {
        const o = c * stride;
        for (let k = 0; k < stride; k++) total[k] += partials[o + k];
      }
      const scale = form.scale(end - start);
      if (grads) {
        grads.forEach((g) => g.fill(0));
        const gw = grads[wSlot];
        for (let k = 0; k < spec.n; k++) gw[k] = scale * total[k];
        scalarSlots.forEach((slot, j) => (grads[slot][0] = scale * total[spec.n + j]));
      }
      return scale * total[stride - 1];
    },
    values: (nodes) => plain.values(nodes),
  };
  if (pool) {
    objective.startThreads = () => pool.start();
    objective.stopThreads = () => pool.stop();
  }
  return objective;
}

/**
 * Whether `fused` gives the plain plan's loss and gradients on the first rows (up to 256) at the current
 * parameters, to 1e-9 relative: the guard that keeps a wrong fusion from training.
 */
export function agreesWith(fused: Objective, plain: Objective, params: ParamSlot[]): boolean {
  const k = Math.min(plain.rows, 256);
  const idx = Int32Array.from({ length: k }, (_, i) => i);
  const g1 = params.map((p) => new Float64Array(p.value.data.length));
  const g2 = params.map((p) => new Float64Array(p.value.data.length));
  const l1 = fused.evaluate(idx, 0, k, g1);
  const l2 = plain.evaluate(idx, 0, k, g2);
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * (1 + Math.abs(b)) || (Number.isNaN(a) && Number.isNaN(b));
  return close(l1, l2) && g1.every((g, j) => g.every((v, i) => close(v, g2[j][i])));
}
