// The train worker (runs inside the worker thread; bundled to dist/trainWorker.js by scripts/build.mjs). The
// client starts it with the TrainOptions (plain data) and a shared Int32Array flag; it posts warnings,
// progress per epoch, then one result (with the least-squares optimum when the loss is quadratic in the
// parameters) or error. Setting the flag to 1 stops training after the current step, with status 'cancelled'
// and the parameters so far. Messages: protocol.ts.

import { parentPort, workerData } from 'node:worker_threads';
import { leastSquaresOptimum } from '../numeric/train/optimum.ts';
import { TrainError, prepareProblem } from '../numeric/train/problem.ts';
import { runTraining } from '../numeric/train/trainer.ts';
import type { TrainJob, TrainWorkerMessage, WorkerStart } from './protocol.ts';

function post(m: TrainWorkerMessage): void {
  parentPort!.postMessage(m);
}

if (parentPort) {
  const { job: options, cancel } = workerData as WorkerStart<TrainJob>;
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
