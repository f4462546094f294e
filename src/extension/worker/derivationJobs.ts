// What the derivation worker does (runs inside the worker thread), as plain functions over plain messages
// (no worker, no `vscode`), so the protocol (src/core/workers/protocol.ts) is unit-tested directly. A job
// names a document snapshot and a position in it; the worker keeps the analysis of each document's latest
// version, so following the cursor costs only the new form's work.

import { DerivativeFormError } from '../../core/diff/engine.ts';
import { AnalysisCache, type DocumentAnalysis } from '../analysisCache.ts';
import type { DerivativeInfo } from '../../core/analyze.ts';
import { cachedResult, derive } from '../../core/diff/derivation.ts';
import { checkTarget, type CheckTarget } from '../../core/numeric/gradcheck.ts';
import { derivativeAt } from '../../core/presentation.ts';
import type { Position } from '../../core/source.ts';
import type { CheckSummary, DerivationJob, DerivationReply, DocumentSnapshot } from '../../core/workers/protocol.ts';

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
