// Running training in a worker_threads worker: the API the extension (and anything else that must stay
// responsive) calls. Progress arrives per epoch; aborting the signal stops training after the current step and
// the promise resolves with status 'cancelled' and the parameters reached so far.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TrainError, type TrainOptions } from './problem.ts';
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
export class TrainCancelledError extends Error {
  override readonly name = 'AbortError';
}

export function defaultWorkerPath(): string {
  const candidates = [
    join(__dirname, 'trainWorker.js'), // bundled: dist/extension.js, dist/cli.js → dist/trainWorker.js
    join(__dirname, '..', 'trainWorker.ts'), // source: src/core/numeric/train/ → src/core/numeric/trainWorker.ts
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`cannot find the training worker (looked for ${candidates.join(', ')})`);
  return found;
}

/**
 * Trains in a worker thread. Resolves with the result (status 'completed', 'converged', 'diverged' or
 * 'cancelled'); rejects with a TrainError for bad options or input (kind 'usage' or 'input').
 */
export function runTrainingInWorker(options: TrainOptions, run: WorkerRunOptions = {}): Promise<TrainResult> {
  const path = run.workerPath ?? defaultWorkerPath();
  const cancel = new SharedArrayBuffer(4);
  const flag = new Int32Array(cancel);
  return new Promise<TrainResult>((resolve, reject) => {
    // From source, the worker registers tsx's require hook itself (loader flags are not inherited by workers).
    const worker = path.endsWith('.ts')
      ? new Worker(`require(${JSON.stringify(createRequire(__filename).resolve('tsx/cjs'))}); require(${JSON.stringify(path)});`, { eval: true, workerData: { options, cancel } })
      : new Worker(path, { workerData: { options, cancel } });
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      if (killTimer) clearTimeout(killTimer);
      run.signal?.removeEventListener('abort', onAbort);
      f();
      void worker.terminate();
    };
    const onAbort = () => {
      Atomics.store(flag, 0, 1);
      killTimer = setTimeout(() => finish(() => reject(new TrainCancelledError('training was stopped (the worker did not answer in time and was terminated)'))), run.graceMs ?? 5000);
    };
    if (run.signal?.aborted) onAbort();
    else run.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: WorkerMessage) => {
      if (settled) return;
      switch (m.type) {
        case 'progress':
          run.onProgress?.(m.progress);
          break;
        case 'warning':
          run.onWarning?.(m.message);
          break;
        case 'result':
          finish(() => resolve(m.result));
          break;
        case 'error':
          finish(() => reject(m.kind === 'internal' ? new Error(m.message) : new TrainError(m.message, m.kind)));
          break;
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the training worker exited (code ${code}) without a result`))));
  });
}
