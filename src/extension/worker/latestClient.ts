// Client side of a long-lived worker (runs on the extension host) that only cares about the latest request of
// each lane: the editor asks again on every cursor move and keystroke, and only the newest answer is worth
// showing. One job runs at a time; lanes
// are served in priority order (hovers before the preview); a newer job replaces the one waiting in its lane
// (whose promise resolves `undefined`: superseded), and a running job that a newer one of its lane superseded
// is given `patienceMs` to finish before the worker is terminated and restarted for the newer job. Keeping the
// worker alive between jobs keeps its caches and its JIT warm.

import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../core/workers/client.ts';
import type { Answer, Request } from '../../core/workers/protocol.ts';

interface Waiting<J, R> {
  job: J;
  resolve(r: R | undefined): void;
  reject(e: Error): void;
}

export class LatestClient<J, R, L extends string = 'default'> {
  private worker: Worker | undefined;
  private running: (Waiting<J, R> & { id: number; lane: L }) | undefined;
  private readonly waiting = new Map<L, Waiting<J, R>>();
  private patience: ReturnType<typeof setTimeout> | undefined;
  private nextId = 1;
  /** How many times a superseded job was cut short by restarting the worker. */
  restarts = 0;

  /** `lanes`: highest priority first; `interruptible`: lanes whose superseded running job may be cut short. */
  constructor(
    private readonly path: string,
    private readonly lanes: readonly L[] = ['default' as L],
    private readonly patienceMs = 1500,
    private readonly interruptible: readonly L[] = lanes,
  ) {}

  /** Runs `job` once the worker is free; resolves `undefined` if a newer job of its lane supersedes it first. */
  run(job: J, lane: L = this.lanes[0]): Promise<R | undefined> {
    return new Promise<R | undefined>((resolve, reject) => {
      this.waiting.get(lane)?.resolve(undefined);
      this.waiting.set(lane, { job, resolve, reject });
      if (!this.running) this.startNext();
      else if (this.running.lane === lane && this.interruptible.includes(lane)) this.armPatience();
    });
  }

  /**
   * Drops every job, stopping a running one at once (its promise resolves `undefined`). For work nobody waits
   * for any more, such as the quick check of a form the cursor has left: it would only take a core from the
   * next form's result.
   */
  cancelAll(): void {
    clearTimeout(this.patience);
    this.patience = undefined;
    for (const w of this.waiting.values()) w.resolve(undefined);
    this.waiting.clear();
    const running = this.running;
    this.running = undefined;
    if (running) {
      this.stop();
      running.resolve(undefined);
    }
  }

  dispose(): void {
    clearTimeout(this.patience);
    for (const w of this.waiting.values()) w.resolve(undefined);
    this.waiting.clear();
    this.running?.resolve(undefined);
    this.running = undefined;
    this.stop();
  }

  private startNext(): void {
    const lane = this.lanes.find((l) => this.waiting.has(l));
    if (lane === undefined) return;
    const next = this.waiting.get(lane)!;
    this.waiting.delete(lane);
    this.running = { ...next, id: this.nextId++, lane };
    this.ensureWorker().postMessage({ id: this.running.id, job: next.job } satisfies Request<J>);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnWorker(this.path, {});
    worker.unref(); // an idle worker must not keep a process (the CLI, a test run) alive
    worker.on('message', (m: Answer<R>) => this.answered(m.id, m.reply));
    worker.on('error', (e) => this.crashed(worker, e));
    worker.on('exit', (code) => this.crashed(worker, new Error(`the worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private answered(id: number, reply: R): void {
    const done = this.running;
    if (!done || done.id !== id) return;
    clearTimeout(this.patience);
    this.patience = undefined;
    this.running = undefined;
    // An answer to a superseded job is stale: only the newest job of a lane gets its answer.
    done.resolve(this.waiting.has(done.lane) ? undefined : reply);
    this.startNext();
  }

  private armPatience(): void {
    if (this.patience) return;
    this.patience = setTimeout(() => {
      this.patience = undefined;
      const stale = this.running;
      if (!stale || !this.waiting.has(stale.lane)) return;
      this.restarts++;
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
