// Running training in a worker_threads worker: the API the extension (and anything else that must stay
// responsive) calls. Progress arrives per epoch; aborting the signal stops training after the current step and
// the promise resolves with status 'cancelled' and the parameters reached so far.

import { join } from 'node:path';
import { TrainError, type TrainOptions } from './problem.ts';
import { WorkerCancelledError, runWorker, workerScript } from '../workerClient.ts';
import type { TrainProgress, TrainResult } from './trainer.ts';

export type WorkerMessage =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'warning'; message: string }
  | { type: 'result'; result: TrainResult }
  | { type: 'error'; kind: 'usage' | 'input' | 'internal'; message: string };

export interface WorkerRunOptions {
  onProgress?(p: TrainProgress): void;
  onWarning?(message: string): void;
  /** Abort to stop training; the promise then resolves with status 'cancelled'. */
  signal?: AbortSignal;
  /**
   * The worker script. Defaults to trainWorker.js next to the running bundle (dist/), or the TypeScript
   * source when running from source (tests, `node --import tsx`).
   */
  workerPath?: string;
  /** After an abort, how long to wait for the worker to finish its step before terminating it (ms, default 5000). */
  graceMs?: number;
}

/** Thrown (as a rejection) when a cancelled worker had to be terminated before it could report. */
export { WorkerCancelledError as TrainCancelledError };

export function defaultWorkerPath(): string {
  return workerScript('trainWorker', join(__dirname, '..'));
}

/**
 * Trains in a worker thread. Resolves with the result (status 'completed', 'converged', 'diverged' or
 * 'cancelled'); rejects with a TrainError for bad options or input (kind 'usage' or 'input').
 */
export function runTrainingInWorker(options: TrainOptions, run: WorkerRunOptions = {}): Promise<TrainResult> {
  return runWorker<TrainResult, WorkerMessage>(
    run.workerPath ?? defaultWorkerPath(),
    { options },
    {
      onMessage: (m) => {
        if (m.type === 'progress') run.onProgress?.(m.progress);
        else if (m.type === 'warning') run.onWarning?.(m.message);
      },
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.graceMs !== undefined ? { graceMs: run.graceMs } : {}),
    },
    (m) => (m.kind === 'internal' ? new Error(m.message) : new TrainError(m.message, m.kind as 'usage' | 'input')),
  );
}
