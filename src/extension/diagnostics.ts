// Diagnostics as you type: refreshed at every edit (the analysis is incremental: an edit costs milliseconds even
// in a 5,000-line document), on open and on layout changes.

import * as vscode from 'vscode';
import { Context, toVsRange } from './context.ts';
import { isMcalcDocument } from './analysisCache.ts';
import type { Diagnostic } from '../core/source.ts';

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

export function registerDiagnostics(ctx: Context): void {
  const collection = vscode.languages.createDiagnosticCollection('mcalc');

  const refresh = (doc: vscode.TextDocument) => {
    const result = ctx.analysis(doc);
    if (!result) return;
    collection.set(
      doc.uri,
      result.analysis.diagnostics.map((d) => {
        const diag = new vscode.Diagnostic(toVsRange(result.toReal(d.range)), d.hint ? `${d.message}\n${d.hint}` : d.message, SEVERITY[d.severity]);
        diag.source = 'mcalc';
        diag.code = d.code;
        return diag;
      }),
    );
  };
  const changed = (e: vscode.TextDocumentChangeEvent) => {
    if (!isMcalcDocument(e.document)) return;
    // First of the extension's change listeners: every later reader of this version analyses incrementally.
    ctx.cache.noteChange(e);
    refresh(e.document);
  };

  ctx.subscribe(
    collection,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument(changed),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      collection.delete(doc.uri);
      ctx.cache.forget(doc.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mcalc')) vscode.workspace.textDocuments.forEach(refresh);
    }),
  );
  vscode.workspace.textDocuments.forEach(refresh);
}
