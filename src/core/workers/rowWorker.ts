// worker_threads entry of a helper thread of the one-pass kernel (numeric/train/rowThreads.ts; bundled to dist/rowWorker.js by
// scripts/build.mjs): rebuilds the link from its DAG data, compiles the same kernel over the shared data, then
// waits for jobs and claims chunks until told to quit.

import { workerData } from 'node:worker_threads';
import { dagFromData } from '../numeric/train/dagTransfer.ts';
import { RowKernel, partialLength } from '../numeric/train/rowKernel.ts';
import { Ctrl, type RowWorkerData, work } from '../numeric/train/rowThreads.ts';

function serve(d: RowWorkerData): void {
  const spec = { roots: dagFromData(d.dag), rowDim: d.rowDim, dims: new Map(d.dims), zName: d.zName, vectors: d.vectors, scalars: d.scalars, n: d.n };
  const kernel = new RowKernel(spec, d.data);
  const stride = partialLength(spec);
  Atomics.add(d.ctrl, Ctrl.READY, 1);
  Atomics.notify(d.ctrl, Ctrl.READY);
  let seen = Atomics.load(d.ctrl, Ctrl.GEN);
  for (;;) {
    Atomics.wait(d.ctrl, Ctrl.GEN, seen);
    if (Atomics.load(d.ctrl, Ctrl.QUIT)) return;
    seen = Atomics.load(d.ctrl, Ctrl.GEN);
    work(d.ctrl, seen, kernel, d.idx, d.partials, stride, true);
  }
}

if (workerData) serve(workerData as RowWorkerData);
