// A long-lived worker thread that only cares about the latest request: the editor asks again on every cursor
// move and keystroke, and only the newest answer is worth showing. One job runs at a time; a newer job
// replaces any waiting one (whose promise resolves `undefined`: superseded), and a running job that a newer one
// superseded is given `patienceMs` to finish before the worker is terminated and restarted for the newer job.
// Keeping the worker alive between jobs keeps its caches and its JIT warm.

import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../core/numeric/workerClient.ts';

interface Waiting<J, R> {
  job: J;
  resolve(r: R | undefined): void;
  reject(e: Error): void;
}

export class LatestWorker<J, R> {
  private worker: Worker | undefined;
  private running: (Waiting<J, R> & { id: number }) | undefined;
  private waiting: Waiting<J, R> | undefined;
  private patience: ReturnType<typeof setTimeout> | undefined;
  private nextId = 1;
  /** How many times a superseded job was cut short by restarting the worker. */
  restarts = 0;

  constructor(
    private readonly path: string,
    private readonly patienceMs = 1500,
  ) {}

  /** Runs `job` once the worker is free; resolves `undefined` if a newer job supersedes it first. */
  run(job: J): Promise<R | undefined> {
    return new Promise<R | undefined>((resolve, reject) => {
      this.waiting?.resolve(undefined);
      this.waiting = { job, resolve, reject };
      if (this.running) this.armPatience();
      else this.startNext();
    });
  }

  dispose(): void {
    clearTimeout(this.patience);
    this.waiting?.resolve(undefined);
    this.running?.resolve(undefined);
    this.waiting = this.running = undefined;
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private startNext(): void {
    const next = this.waiting;
    if (!next) return;
    this.waiting = undefined;
    this.running = { ...next, id: this.nextId++ };
    this.ensureWorker().postMessage({ id: this.running.id, job: next.job });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnWorker(this.path, {});
    worker.unref(); // an idle worker must not keep a process (the CLI, a test run) alive
    worker.on('message', (m: { id: number; reply: R }) => this.answered(m.id, m.reply));
    worker.on('error', (e) => this.crashed(worker, e));
    worker.on('exit', (code) => this.crashed(worker, new Error(`the derivation worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private answered(id: number, reply: R): void {
    const done = this.running;
    if (!done || done.id !== id) return;
    clearTimeout(this.patience);
    this.patience = undefined;
    this.running = undefined;
    // An answer to a superseded job is stale: only the newest job's answer is delivered.
    if (this.waiting) {
      done.resolve(undefined);
      this.startNext();
    } else done.resolve(reply);
  }

  private armPatience(): void {
    if (this.patience) return;
    this.patience = setTimeout(() => {
      this.patience = undefined;
      if (!this.running || !this.waiting) return;
      this.restarts++;
      const stale = this.running;
      this.running = undefined;
      this.stop();
      stale.resolve(undefined);
      this.startNext();
    }, this.patienceMs);
  }

  /** Terminates the current worker; the next job starts a fresh one. */
  private stop(): void {
    const w = this.worker;
    this.worker = undefined;
    if (w) {
      w.removeAllListeners();
      w.on('error', () => {}); // whatever it says while it is being terminated is of no interest
      void w.terminate();
    }
  }

  private crashed(worker: Worker, e: Error): void {
    if (worker !== this.worker) return;
    this.stop();
    const lost = this.running;
    this.running = undefined;
    lost?.reject(e);
    this.startNext();
  }
}
