// Diagnostics as you type: refreshed at every edit (the analysis is incremental: an edit costs milliseconds even
// in a 5,000-line document), on open and on layout changes. Publishing is kept proportional to what changed:
// an analysis already published (a change event without content changes, as when the dirty state flips, or a
// second open event) is not sent again, and the Diagnostic objects of unchanged diagnostics are reused.

import * as vscode from 'vscode';
import { Context, toVsRange } from './context.ts';
import { isMcalcDocument, type DocumentAnalysis } from './analysisCache.ts';
import type { Diagnostic } from '../core/source.ts';

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

interface Published {
  result: DocumentAnalysis;
  /** The published Diagnostic objects by what they say and where (see diagnosticKey). */
  byKey: Map<string, vscode.Diagnostic>;
}

function diagnosticKey(range: vscode.Range, d: Diagnostic): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character} ${d.severity} ${d.code} ${d.message}\n${d.hint ?? ''}`;
}

function toVsDiagnostic(range: vscode.Range, d: Diagnostic): vscode.Diagnostic {
  const diag = new vscode.Diagnostic(range, d.hint ? `${d.message}\n${d.hint}` : d.message, SEVERITY[d.severity]);
  diag.source = 'mcalc';
  diag.code = d.code;
  return diag;
}

export function registerDiagnostics(ctx: Context): void {
  const collection = vscode.languages.createDiagnosticCollection('mcalc');
  const published = new Map<string, Published>();

  /**
   * Publishes the document's diagnostics: at once, or when a long document's first analysis is done. True when
   * they were published now (not later, and not an analysis already published).
   */
  const refresh = (doc: vscode.TextDocument): boolean => {
    const ready = ctx.analysisReady(doc);
    if (ready instanceof Promise) void ready.then((result) => result && !doc.isClosed && publish(doc, result));
    else if (ready) return publish(doc, ready);
    return false;
  };
  const publish = (doc: vscode.TextDocument, result: DocumentAnalysis): boolean => {
    const key = doc.uri.toString();
    const previous = published.get(key);
    if (previous?.result === result) return false;
    // A diagnostic with the same range and text as one already published keeps its object (the statements
    // the edit did not reach, above it or on lines that did not move); only the others are built.
    const byKey = new Map<string, vscode.Diagnostic>();
    const diagnostics = result.analysis.diagnostics.map((d) => {
      const range = toVsRange(result.toReal(d.range));
      const k = diagnosticKey(range, d);
      const diag = previous?.byKey.get(k) ?? toVsDiagnostic(range, d);
      byKey.set(k, diag);
      return diag;
    });
    published.set(key, { result, byKey });
    collection.set(doc.uri, diagnostics);
    return true;
  };
  const changed = (e: vscode.TextDocumentChangeEvent) => {
    if (!isMcalcDocument(e.document)) return;
    // First of the extension's change listeners: every later reader of this version analyses incrementally.
    const started = performance.now();
    ctx.cache.noteChange(e);
    if (refresh(e.document)) ctx.noteEditToDiagnostics(performance.now() - started);
  };

  ctx.subscribe(
    collection,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument(changed),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      collection.delete(doc.uri);
      published.delete(doc.uri.toString());
      ctx.cache.forget(doc.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mcalc')) vscode.workspace.textDocuments.forEach(refresh);
    }),
  );
  vscode.workspace.textDocuments.forEach(refresh);
}
