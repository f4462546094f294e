// worker_threads entry for training (bundled to dist/trainWorker.js by scripts/build.mjs). The parent sends
// the TrainOptions (plain data) and a shared Int32Array flag through workerData; the worker posts
// {type:'warning'}, {type:'progress'} per epoch, then one {type:'result'} (with the least-squares optimum
// when the loss is quadratic in the parameters) or {type:'error'}. Setting the flag
// to 1 stops training after the current step, with status 'cancelled' and the parameters so far.

import { parentPort, workerData } from 'node:worker_threads';
import { leastSquaresOptimum } from './train/optimum.ts';
import { TrainError, type TrainOptions, prepareProblem } from './train/problem.ts';
import { runTraining } from './train/trainer.ts';
import type { WorkerMessage } from './train/worker.ts';

interface WorkerInput {
  options: TrainOptions;
  cancel: SharedArrayBuffer;
}

function post(m: WorkerMessage): void {
  parentPort!.postMessage(m);
}

if (parentPort) {
  const { options, cancel } = workerData as WorkerInput;
  const flag = new Int32Array(cancel);
  try {
    const t0 = performance.now();
    const problem = prepareProblem(options);
    const result = runTraining(problem, options, {
      onProgress: (p) => post({ type: 'progress', progress: p }),
      onWarning: (message) => post({ type: 'warning', message }),
      shouldStop: () => Atomics.load(flag, 0) !== 0,
    }, t0);
    const leastSquares = leastSquaresOptimum(problem);
    post({ type: 'result', result: leastSquares ? { ...result, leastSquares } : result });
  } catch (e) {
    post(e instanceof TrainError ? { type: 'error', kind: e.kind, message: e.message } : { type: 'error', kind: 'internal', message: (e as Error).stack ?? String(e) });
  }
}
