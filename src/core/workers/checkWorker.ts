// The check worker (runs inside the worker thread; bundled to dist/checkWorker.js): analyses the document it
// is sent, checks its claims and derivative forms, posts a progress message per result and one result
// (ranges in the real document) or error. The shared flag cancels between points. Messages: protocol.ts.

import { parentPort, workerData } from 'node:worker_threads';
import { analyzeDocument } from '../document.ts';
import { checkDocument } from '../numeric/gradcheck.ts';
import { CheckCancelled, CheckUsageError, type CheckReport, type CheckResult } from '../numeric/check/types.ts';
import type { CheckJob, CheckWorkerMessage, WorkerStart } from './protocol.ts';

if (parentPort) {
  const { job, cancel } = workerData as WorkerStart<CheckJob>;
  const flag = new Int32Array(cancel);
  const post = (m: CheckWorkerMessage) => parentPort!.postMessage(m);
  try {
    const { analysis, toReal, toVirtual } = analyzeDocument(job.text, job.languageId, job.layout);
    const lines = job.lines?.map((l) => toVirtual({ line: l, character: 0 })?.line).filter((l): l is number => l !== undefined);
    const real = (r: CheckResult): CheckResult => ({ ...r, range: toReal(r.range), line: toReal(r.range).start.line + 1 });
    const report: CheckReport = checkDocument(analysis, {
      ...job.tolerances,
      ...(job.seed !== undefined ? { seed: job.seed } : {}),
      ...(job.dims ? { dims: job.dims } : {}),
      ...(lines ? { lines } : {}),
      shouldStop: () => Atomics.load(flag, 0) !== 0,
      onResult: (result, done, total) => post({ type: 'progress', result: real(result), done, total }),
    });
    post({ type: 'result', result: { ...report, results: report.results.map(real) } });
  } catch (e) {
    post({ type: 'error', kind: e instanceof CheckUsageError ? 'usage' : e instanceof CheckCancelled ? 'cancelled' : 'internal', message: (e as Error).message });
  }
}
