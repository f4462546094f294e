// Every message between a worker thread and the thread that started it, both ways, for the three workers.
// Naming: a `…Worker.ts` module runs inside the worker thread; a `…Client.ts` module runs on the thread that
// starts it (the extension host, the CLI, a test) and is the only code that talks to it.
//
//  - checks (checkWorker.ts ⇄ checkClient.ts) and training (trainWorker.ts ⇄ trainClient.ts) run to
//    completion: the client starts the worker with `WorkerStart` (the job, and a shared flag it raises to
//    cancel); the worker posts progress, then exactly one `result` or `error`.
//  - derivations (src/extension/worker/derivationWorker.ts ⇄ latestClient.ts) are a long-lived worker:
//    the client posts a `Request` at a time and the worker answers each with an `Answer`.

import type { WhereEntry } from '../diff/printedResult.ts';
import type { CheckOptions, CheckReport, CheckResult } from '../numeric/check/types.ts';
import type { TrainOptions } from '../numeric/train/problem.ts';
import type { TrainProgress, TrainResult } from '../numeric/train/trainer.ts';
import type { Layout } from '../shape.ts';
import type { Position } from '../source.ts';

// ---- run-to-completion workers --------------------------------------------------------------------------------

/** The worker's `workerData`: its job, and a SharedArrayBuffer of one Int32 the client sets to 1 to cancel. */
export interface WorkerStart<TJob> {
  job: TJob;
  cancel: SharedArrayBuffer;
}

/** The one final message of a run-to-completion worker (anything else it posts is progress). */
export type WorkerEnd<TResult, TErrorKind extends string> = { type: 'result'; result: TResult } | { type: 'error'; kind: TErrorKind; message: string };

/** A document to check in the check worker. */
export interface CheckJob {
  text: string;
  languageId: string;
  layout: Layout;
  /** Only forms starting on these lines of the real document (0-based); all when absent. */
  lines?: number[];
  seed?: number;
  /** Central-difference step and tolerances (gradcheck's defaults when absent). */
  tolerances?: Pick<CheckOptions, 'eps' | 'atol' | 'rtol'>;
  /** Sizes of symbolic dimensions (small random ones, each different, when absent). */
  dims?: Readonly<Record<string, number>>;
}

/** Check worker → client: each result as it is found (ranges in the real document), then the report. */
export type CheckWorkerMessage = { type: 'progress'; result: CheckResult; done: number; total: number } | WorkerEnd<CheckReport, 'usage' | 'cancelled' | 'internal'>;

/** Train worker → client: warnings, progress per epoch, then the result (cancelled runs too). */
export type TrainWorkerMessage =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'warning'; message: string }
  | WorkerEnd<TrainResult, 'usage' | 'input' | 'internal'>;

/** The train worker's job is the training options themselves (plain data). */
export type TrainJob = TrainOptions;

// ---- the derivation worker ------------------------------------------------------------------------------------

/** A document as the editor had it when the job was asked for. */
export interface DocumentSnapshot {
  /** The document's URI. */
  key: string;
  version: number;
  text: string;
  languageId: string;
  layout: Layout;
}

export interface DerivationJob {
  /** `derivation`: the record of the form at `at`; `check`: its quick finite-difference check; `result`: its printed result (hovers, the preview's headline). */
  kind: 'derivation' | 'check' | 'result';
  doc: DocumentSnapshot;
  /** A position in the real document (Markdown: the file, not its joined mcalc blocks). */
  at: Position;
}

export interface CheckSummary {
  passed: boolean;
  status: string;
  maxAbsErr: number;
  maxRelErr: number;
  note?: string;
}

/** A printed result after postMessage (its joined text and LaTeX are left to `joinResult`). */
export interface ResultParts {
  main: { text: string; latex: string };
  where: readonly WhereEntry[];
  suffix?: string;
}

export type DerivationReply =
  | {
      kind: 'derivation';
      /** Which form of which document version this is (equal keys: equal records). */
      formKey: string;
      /** The form as written, e.g. `d(loss)/d(w)`. */
      title: string;
      /** 1-based line of the form in the real document. */
      line: number;
      /** The `Derivation` record as JSON: passed through the extension host to the webview unparsed. */
      json: string;
    }
  | { kind: 'check'; formKey: string; check?: CheckSummary }
  | { kind: 'result'; formKey: string; result: ResultParts | null }
  /** No derivative form at that position (or not an mcalc document). */
  | { kind: 'none'; message: string }
  | { kind: 'error'; message: string };

/** Client → long-lived worker: one job, numbered. */
export interface Request<J> {
  id: number;
  job: J;
}

/** Long-lived worker → client: the reply to request `id`. */
export interface Answer<R> {
  id: number;
  reply: R;
}

export type DerivationRequest = Request<DerivationJob>;
export type DerivationAnswer = Answer<DerivationReply>;
