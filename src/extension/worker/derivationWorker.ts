// worker_threads entry for derivations (bundled to dist/derivationWorker.js): answers each {id, job} message
// with {id, reply}, one job at a time. The extension host sends a job only when the previous one answered, so
// nothing queues up here; superseding stale work is the host's business (see latestWorker.ts).

import { parentPort } from 'node:worker_threads';
import { DerivationJobs, type DerivationJob } from './derivationJob.ts';

if (parentPort) {
  const jobs = new DerivationJobs();
  const port = parentPort;
  port.on('message', ({ id, job }: { id: number; job: DerivationJob }) => port.postMessage({ id, reply: jobs.run(job) }));
}
