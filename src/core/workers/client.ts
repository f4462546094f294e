// The client side of every worker (runs on the thread that starts it): finding and spawning a worker script,
// and running a run-to-completion worker (training, gradient checks) so the editor stays responsive —
// progress messages arrive as they are posted, and aborting the signal raises a shared flag the worker polls
// between steps (a worker that does not finish within the grace period is terminated). Messages: protocol.ts.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerEnd, WorkerStart } from './protocol.ts';

/** Thrown (as a rejection) when a cancelled worker had to be terminated before it could report. */
export class WorkerCancelledError extends Error {
  override readonly name = 'AbortError';
}

/**
 * The worker script `name` (e.g. `trainWorker`): the bundle next to the running one (dist/), or the TypeScript
 * source beside this module when running from source (tests, `node --import tsx`).
 */
export function workerScript(name: string): string {
  const candidates = [join(__dirname, `${name}.js`), join(__dirname, `${name}.ts`)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`cannot find the ${name} worker (looked for ${candidates.join(', ')})`);
  return found;
}

/** Starts the worker script at `path` (a bundle, or TypeScript source when running from source). */
export function spawnWorker(path: string, workerData: unknown): Worker {
  // From source, the worker registers tsx's require hook itself (loader flags are not inherited by workers).
  return path.endsWith('.ts')
    ? new Worker(`require(${JSON.stringify(createRequire(__filename).resolve('tsx/cjs'))}); require(${JSON.stringify(path)});`, { eval: true, workerData })
    : new Worker(path, { workerData });
}

export interface RunWorkerOptions<TProgress> {
  onMessage?(m: TProgress): void;
  signal?: AbortSignal;
  /** After an abort, how long to wait for the worker's own answer before terminating it (ms, default 5000). */
  graceMs?: number;
}

/** The parts of a run-to-completion worker's messages M (protocol.ts): its result, its error, its progress. */
type ResultOf<M> = M extends { type: 'result'; result: infer R } ? R : never;
type ErrorOf<M> = Extract<M, { type: 'error' }>;
type ProgressOf<M> = Exclude<M, WorkerEnd<unknown, string>>;

/**
 * Starts `path` with its job and a shared cancel flag (WorkerStart) and settles with its result; every other
 * message it posts goes to `onMessage`. `toError` turns the worker's error message into the rejection.
 */
export function runWorker<TJob, M extends { type: string }>(path: string, job: TJob, run: RunWorkerOptions<ProgressOf<M>>, toError: (m: ErrorOf<M>) => Error): Promise<ResultOf<M>> {
  const cancel = new SharedArrayBuffer(4);
  const flag = new Int32Array(cancel);
  return new Promise<ResultOf<M>>((resolve, reject) => {
    const worker = spawnWorker(path, { job, cancel } satisfies WorkerStart<TJob>);
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
      killTimer = setTimeout(() => finish(() => reject(new WorkerCancelledError('stopped (the worker did not answer in time and was terminated)'))), run.graceMs ?? 5000);
    };
    if (run.signal?.aborted) onAbort();
    else run.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: M) => {
      if (settled) return;
      if (m.type === 'result') finish(() => resolve((m as unknown as { result: ResultOf<M> }).result));
      else if (m.type === 'error') finish(() => reject(toError(m as ErrorOf<M>)));
      else run.onMessage?.(m as ProgressOf<M>);
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the worker exited (code ${code}) without a result`))));
  });
}
