// Diagnostics as you type: debounced per document, immediate on open and on layout changes.

import * as vscode from 'vscode';
import { Context, toVsRange } from './context.ts';
import { isMcalcDocument } from './analysisCache.ts';
import type { Diagnostic } from '../core/source.ts';

const DEBOUNCE_MS = 200;

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

export function registerDiagnostics(ctx: Context): void {
  const collection = vscode.languages.createDiagnosticCollection('mcalc');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

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
  const schedule = (doc: vscode.TextDocument) => {
    if (!isMcalcDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => (timers.delete(key), refresh(doc)), DEBOUNCE_MS));
  };

  ctx.subscribe(
    collection,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      clearTimeout(timers.get(doc.uri.toString()));
      collection.delete(doc.uri);
      ctx.cache.forget(doc.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mcalc')) vscode.workspace.textDocuments.forEach(refresh);
    }),
    { dispose: () => timers.forEach(clearTimeout) },
  );
  vscode.workspace.textDocuments.forEach(refresh);
}
