// What the derivation worker does, as plain functions over plain messages (no worker, no `vscode`), so the
// protocol is unit-tested directly. A job names a document snapshot and a position in it; the worker keeps
// the analysis of each document's latest version, so following the cursor costs only the new form's work.

import { DerivativeFormError } from '../../core/diff/engine.ts';
import { AnalysisCache, type DocumentAnalysis } from '../analysisCache.ts';
import type { DerivativeInfo } from '../../core/analyze.ts';
import { cachedResult, derive } from '../../core/diff/derivation.ts';
import type { WhereEntry } from '../../core/diff/printedResult.ts';
import { checkTarget, type CheckTarget } from '../../core/numeric/gradcheck.ts';
import { derivativeAt } from '../../core/presentation.ts';
import type { Layout } from '../../core/shape.ts';
import type { Position } from '../../core/source.ts';

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

export const NO_FORM_MESSAGE = 'Put the cursor on a derivative form — d(f)/d(x), ∂f/∂x, grad(f, x), jacobian(f, x) or hessian(f, x) — to see its derivation.';

/** The jobs of one worker: analyses are cached per document version and layout, records per form. */
export class DerivationJobs {
  private readonly analyses = new AnalysisCache();
  private lastRecord: Extract<DerivationReply, { kind: 'derivation' }> | undefined;

  run(job: DerivationJob): DerivationReply {
    try {
      const doc = this.analyses.get({ uri: job.doc.key, version: job.doc.version, languageId: job.doc.languageId, getText: () => job.doc.text }, job.doc.layout);
      const form = formAt(doc, job.at);
      if (!form) return { kind: 'none', message: NO_FORM_MESSAGE };
      const key = formKey(job.doc, form);
      switch (job.kind) {
        case 'derivation':
          return this.record(doc, form, key);
        case 'check':
          return { kind: 'check', formKey: key, ...quickCheck(doc, form) };
        case 'result': {
          const r = cachedResult(doc.analysis, form, doc.analysis.layout);
          return { kind: 'result', formKey: key, result: r && r.toJSON() };
        }
      }
    } catch (e) {
      // A form the engine can only give element by element explains itself, with a hint; anything else is a bug.
      if (e instanceof DerivativeFormError) return { kind: 'error', message: `${e.message} ${e.hint}` };
      return { kind: 'error', message: `The derivation failed: ${(e as Error).message}` };
    }
  }

  private record(doc: DocumentAnalysis, form: DerivativeInfo, formKey: string): DerivationReply {
    if (this.lastRecord?.formKey === formKey) return this.lastRecord;
    const d = derive(doc.analysis, form, doc.analysis.layout);
    this.lastRecord = { kind: 'derivation', formKey, title: form.text, line: doc.toReal(form.range).start.line + 1, json: JSON.stringify(d) };
    return this.lastRecord;
  }
}

/** Which form of which document version: the extension host and the worker compute it alike. */
export function formKey(doc: Pick<DocumentSnapshot, 'key' | 'version' | 'layout'>, form: DerivativeInfo): string {
  return `${doc.key}#${doc.version}#${doc.layout}#${form.range.start.line}:${form.range.start.character}`;
}

function formAt(doc: DocumentAnalysis, at: Position): DerivativeInfo | undefined {
  const p = doc.toVirtual(at);
  return p && derivativeAt(doc.analysis, doc.analysis.lines.offsetAt(p));
}

/** A quick finite-difference check of one form (small random sizes), or nothing when it cannot be checked. */
function quickCheck(doc: DocumentAnalysis, info: DerivativeInfo): { check?: CheckSummary } {
  const claim = doc.analysis.claims.find((c) => c.derivative === info);
  const target: CheckTarget = claim ? { kind: 'claim', info, claim, range: claim.range } : { kind: 'derivative', info, range: info.range };
  try {
    const r = checkTarget(doc.analysis, target, { seed: 1 });
    return { check: { passed: r.passed, status: r.status, maxAbsErr: r.maxAbsErr, maxRelErr: r.maxRelErr, ...(r.note ? { note: r.note } : {}) } };
  } catch {
    return {};
  }
}
