// Gradient checks in a worker thread, for the editor: results arrive one by one; aborting stops between points.

import type { Layout } from '../shape.ts';
import { CheckCancelled, CheckUsageError, type CheckOptions, type CheckReport, type CheckResult } from './gradcheck.ts';
import { runWorker, workerScript } from './workerClient.ts';

export interface CheckJob {
  text: string;
  languageId: string;
  layout: Layout;
  /** Only forms starting on these lines of the real document (0-based); all when absent. */
  lines?: number[];
  seed?: number;
  /** Central-difference step and tolerances (gradcheck's defaults when absent). */
  tolerances?: Pick<CheckOptions, 'eps' | 'atol' | 'rtol'>;
  /** Sizes of symbolic dimensions (random 2–5 when absent). */
  dims?: Readonly<Record<string, number>>;
}

export function runChecksInWorker(job: CheckJob, run: { onResult?(r: CheckResult, done: number, total: number): void; signal?: AbortSignal; workerPath?: string } = {}): Promise<CheckReport> {
  return runWorker<CheckReport, { type: string; result: CheckResult; done: number; total: number }>(
    run.workerPath ?? workerScript('checkWorker', __dirname),
    { job },
    { onMessage: (m) => m.type === 'progress' && run.onResult?.(m.result, m.done, m.total), ...(run.signal ? { signal: run.signal } : {}) },
    (m) => (m.kind === 'usage' ? new CheckUsageError(m.message) : m.kind === 'cancelled' ? new CheckCancelled(m.message) : new Error(m.message)),
  );
}

