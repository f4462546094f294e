// The language-server-lite: one analysis per document version and layout, shared by hover, diagnostics,
// outline and code lenses. A new version is analysed incrementally from the cached one (only the statements
// the edit reaches are analysed again; see reanalyze in core/analyze.ts), with the editor's change event, when
// there is one, telling where the text changed. Work longer than a slice — the full analysis of a long document
// just opened (or whose layout changed), or an edit that reaches much of it — is made in slices with the event
// loop in between (`ready`), so that the extension host is never held for the whole of it. Pure (no `vscode`
// import) so it is unit-tested with node:test.

import { analyzeDocument, analyzeDocumentSteps, reanalyzeDocument, reanalyzeDocumentSteps, type DocumentAnalysis } from '../core/document.ts';
import { prepareForEdits, type TextChange } from '../core/analyze.ts';
import type { Layout } from '../core/shape.ts';
import { completed, stepUntil, type Steps } from '../core/steps.ts';
import { inSlices, SLICE_MS } from './slices.ts';

/** A full analysis of a text this long or longer is made in slices by `ready` (about 10 ms of analysis). */
export const SLICED_FROM = 20_000;

export type { DocumentAnalysis };

export interface DocumentLike {
  readonly uri: { toString(): string };
  readonly version: number;
  readonly languageId: string;
  getText(): string;
}

/** The parts of an editor's change event that say where the text changed (vscode.TextDocumentChangeEvent fits). */
export interface DocumentChange {
  readonly document: Pick<DocumentLike, 'uri' | 'version'>;
  readonly contentChanges: readonly { readonly rangeOffset: number; readonly rangeLength: number; readonly text: string }[];
}

export function isMcalcDocument(doc: Pick<DocumentLike, 'languageId'>): boolean {
  return doc.languageId === 'mcalc' || doc.languageId === 'markdown';
}

interface Entry {
  version: number;
  layout: Layout;
  languageId: string;
  result: DocumentAnalysis;
}

/** An analysis under way in slices, and who waits for it. */
interface Job {
  version: number;
  layout: Layout;
  languageId: string;
  steps: Steps<DocumentAnalysis>;
  done: Promise<void>;
  finish: () => void;
  /** How it ended otherwise than with an analysis: the document was closed, or the analysis threw. */
  end?: 'forgotten' | 'failed';
}

export class AnalysisCache {
  private readonly entries = new Map<string, Entry>();
  /** The last change event per document: where version `version` differs from the one before it. */
  private readonly changes = new Map<string, { version: number; change?: { offset: number; removed: number; inserted: number } }>();
  /** Analyses under way in slices (a first one, or an edit that reaches far), by document. */
  private readonly jobs = new Map<string, Job>();
  /** How many analyses actually ran, how many of them were incremental and how many took more than a slice (for tests). */
  analyses = 0;
  incremental = 0;
  sliced = 0;

  /** The analysis of this version, now (a sliced one under way is finished at once). */
  get(doc: DocumentLike, layout: Layout): DocumentAnalysis {
    const key = doc.uri.toString();
    const job = this.jobs.get(key);
    if (job) this.complete(key, job, completed(job.steps));
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version && hit.layout === layout) return hit.result;
    const text = doc.getText();
    let result: DocumentAnalysis;
    if (hit && hit.languageId === doc.languageId) {
      // The cached analysis is consumed by the re-analysis: it is replaced right away.
      result = reanalyzeDocument(hit.result, text, doc.languageId, layout, this.changeSince(key, hit, doc, text));
      this.incremental++;
    } else {
      result = analyzeDocument(text, doc.languageId, layout);
    }
    return this.store(key, { version: doc.version, layout, languageId: doc.languageId, result });
  }

  /**
   * The analysis of this version, without holding the event loop for long: one already cached, or made within
   * a slice of SLICE_MS (an edit, mostly), is returned as it is; otherwise the rest is made in slices of at most
   * SLICE_MS, and the promise resolves when it is done (for the version it was started for: a later version
   * then follows incrementally). Only a promise that has to wait is a promise.
   */
  ready(doc: DocumentLike, layout: Layout): DocumentAnalysis | Promise<DocumentAnalysis | undefined> {
    const key = doc.uri.toString();
    const job = this.jobs.get(key);
    if (job) return this.after(job, doc, layout);
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version && hit.layout === layout) return hit.result;
    const incremental = hit && hit.languageId === doc.languageId && hit.layout === layout;
    const text = doc.getText();
    if (!incremental && text.length < SLICED_FROM) return this.get(doc, layout);
    // (The cached analysis is consumed by the first step: the job replaces it.)
    const steps = incremental ? reanalyzeDocumentSteps(hit.result, text, doc.languageId, layout, this.changeSince(key, hit, doc, text)) : analyzeDocumentSteps(text, doc.languageId, layout);
    if (incremental) this.incremental++;
    const now = stepUntil(steps, performance.now() + SLICE_MS);
    if (now) return this.store(key, { version: doc.version, layout, languageId: doc.languageId, result: now.value });
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const started: Job = { version: doc.version, layout, languageId: doc.languageId, steps, done, finish };
    this.jobs.set(key, started);
    this.sliced++;
    // (Not wanted once get() finished it, or the document was closed.)
    const wanted = () => this.jobs.get(key) === started;
    // (The next slice after the event loop's turn: one slice was made just now.)
    new Promise(setImmediate).then(() => inSlices(started.steps, wanted)).then(
      (result) => {
        if (!result || !wanted()) return;
        this.complete(key, started, result);
        // What the first keystroke would make (who reads what), made now, in slices too.
        if (!incremental) void inSlices(prepareForEdits(result.analysis));
      },
      () => {
        // (Analysis never throws; should it, the waiters analyse at once and see the error themselves.)
        this.jobs.delete(key);
        started.end = 'failed';
        started.finish();
      },
    );
    return this.after(started, doc, layout);
  }

  /** The analysis of the document's version once `job` is over (none if the document was closed meanwhile). */
  private async after(job: Job, doc: DocumentLike, layout: Layout): Promise<DocumentAnalysis | undefined> {
    await job.done;
    if (job.end === 'forgotten') return undefined;
    return job.end === 'failed' ? this.get(doc, layout) : this.ready(doc, layout);
  }

  private complete(key: string, job: Job, result: DocumentAnalysis): void {
    this.jobs.delete(key);
    this.store(key, { version: job.version, layout: job.layout, languageId: job.languageId, result });
    job.finish();
  }

  private store(key: string, entry: Entry): DocumentAnalysis {
    this.analyses++;
    this.entries.set(key, entry);
    return entry.result;
  }

  /** Notes where an edit changed a document, so that its next analysis need not compare the texts to find out. */
  noteChange(e: DocumentChange): void {
    const c = e.contentChanges.length === 1 ? e.contentChanges[0] : undefined;
    this.changes.set(e.document.uri.toString(), { version: e.document.version, ...(c ? { change: { offset: c.rangeOffset, removed: c.rangeLength, inserted: c.text.length } } : {}) });
  }

  /** The changed region between the cached version and the document's, when one single-range edit separates them. */
  private changeSince(key: string, hit: Entry, doc: DocumentLike, text: string): TextChange | undefined {
    const noted = this.changes.get(key);
    const c = noted?.change;
    if (!c || noted.version !== doc.version || hit.version !== doc.version - 1) return undefined;
    const oldLength = text.length - c.inserted + c.removed;
    return { from: c.offset, suffix: oldLength - c.offset - c.removed };
  }

  forget(uri: { toString(): string }): void {
    const key = uri.toString();
    this.entries.delete(key);
    this.changes.delete(key);
    this.abandon(key);
  }

  clear(): void {
    this.entries.clear();
    this.changes.clear();
    for (const key of [...this.jobs.keys()]) this.abandon(key);
  }

  private abandon(key: string): void {
    const job = this.jobs.get(key);
    if (!job) return;
    this.jobs.delete(key);
    job.end = 'forgotten';
    job.finish();
  }
}
