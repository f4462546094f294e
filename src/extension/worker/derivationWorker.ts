// The derivation worker (runs inside the worker thread; bundled to dist/derivationWorker.js): answers each
// request with the reply to its job, one job at a time. The client sends a job only when the previous one
// answered, so nothing queues up here; superseding stale work is the client's business (latestClient.ts).
// Messages: src/core/workers/protocol.ts.

import { parentPort } from 'node:worker_threads';
import type { DerivationAnswer, DerivationRequest } from '../../core/workers/protocol.ts';
import { DerivationJobs } from './derivationJobs.ts';

if (parentPort) {
  const jobs = new DerivationJobs();
  const port = parentPort;
  port.on('message', ({ id, job }: DerivationRequest) => port.postMessage({ id, reply: jobs.run(job) } satisfies DerivationAnswer));
}
