// Client side of the train worker (runs on the caller's thread: the extension host, the CLI): the API that
// anything that must stay responsive calls. Progress arrives per epoch; aborting the signal stops training
// after the current step and the promise resolves with status 'cancelled' and the parameters reached so far.

import { TrainError } from '../numeric/train/problem.ts';
import type { TrainProgress, TrainResult } from '../numeric/train/trainer.ts';
import { WorkerCancelledError, runWorker, workerScript } from './client.ts';
import type { TrainJob, TrainWorkerMessage } from './protocol.ts';

export interface WorkerRunOptions {
  onProgress?(p: TrainProgress): void;
  onWarning?(message: string): void;
  /** Abort to stop training; the promise then resolves with status 'cancelled'. */
  signal?: AbortSignal;
  /** The worker script (default: trainWorker.js next to the running bundle, or its source). */
  workerPath?: string;
  /** After an abort, how long to wait for the worker to finish its step before terminating it (ms, default 5000). */
  graceMs?: number;
}

/** Thrown (as a rejection) when a cancelled worker had to be terminated before it could report. */
export { WorkerCancelledError as TrainCancelledError };

export function defaultWorkerPath(): string {
  return workerScript('trainWorker');
}

/**
 * Trains in a worker thread. Resolves with the result (status 'completed', 'converged', 'diverged' or
 * 'cancelled'); rejects with a TrainError for bad options or input (kind 'usage' or 'input').
 */
export function runTrainingInWorker(options: TrainJob, run: WorkerRunOptions = {}): Promise<TrainResult> {
  return runWorker<TrainJob, TrainWorkerMessage>(
    run.workerPath ?? defaultWorkerPath(),
    options,
    {
      onMessage: (m) => {
        if (m.type === 'progress') run.onProgress?.(m.progress);
        else run.onWarning?.(m.message);
      },
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.graceMs !== undefined ? { graceMs: run.graceMs } : {}),
    },
    (m) => (m.kind === 'internal' ? new Error(m.message) : new TrainError(m.message, m.kind)),
  );
}
