// Client side of the check worker (runs on the caller's thread, e.g. the extension host): gradient checks in
// a worker thread, for the editor. Results arrive one by one; aborting stops the check between points, and
// the promise then rejects with CheckCancelled.

import { CheckCancelled, CheckUsageError, type CheckReport, type CheckResult } from '../numeric/check/types.ts';
import { WorkerCancelledError, runWorker, workerScript } from './client.ts';
import type { CheckJob, CheckWorkerMessage } from './protocol.ts';

export type { CheckJob };

export interface CheckRun {
  onResult?(r: CheckResult, done: number, total: number): void;
  signal?: AbortSignal;
  /** The worker script (default: checkWorker.js next to the running bundle, or its source). */
  workerPath?: string;
  /** After an abort, how long to wait for the worker to stop before terminating it (ms, default 5000). */
  graceMs?: number;
}

/** Checks the job's document in a worker; rejects with CheckUsageError for bad options, CheckCancelled when aborted. */
export async function runChecksInWorker(job: CheckJob, run: CheckRun = {}): Promise<CheckReport> {
  try {
    return await runWorker<CheckJob, CheckWorkerMessage>(
      run.workerPath ?? workerScript('checkWorker'),
      job,
      { onMessage: (m) => run.onResult?.(m.result, m.done, m.total), ...(run.signal ? { signal: run.signal } : {}), ...(run.graceMs !== undefined ? { graceMs: run.graceMs } : {}) },
      (m) => (m.kind === 'usage' ? new CheckUsageError(m.message) : m.kind === 'cancelled' ? new CheckCancelled(m.message) : new Error(m.message)),
    );
  } catch (e) {
    // A worker that had to be terminated was cancelled all the same.
    if (e instanceof WorkerCancelledError) throw new CheckCancelled(e.message);
    throw e;
  }
}
