// Diagnostics as you type: refreshed at every edit (the analysis is incremental: an edit costs milliseconds even
// in a 5,000-line document), on open and on layout changes. Publishing is kept proportional to what changed:
// an analysis already published (a change event without content changes, as when the dirty state flips, or a
// second open event) is not sent again; a diagnostic the analysis kept (the same object, on the same range)
// keeps its Diagnostic object; and when every one was kept, nothing is sent (most keystrokes: handing VS Code
// the 624 diagnostics of the 5,000-line test document costs it 2–8 ms).

import * as vscode from 'vscode';
import { Context, toVsRange } from './context.ts';
import { isMcalcDocument, type DocumentAnalysis } from './analysisCache.ts';
import type { Diagnostic, Range } from '../core/source.ts';

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

interface Published {
  result: DocumentAnalysis;
  /** The Diagnostic objects handed to the editor, in order. */
  list: vscode.Diagnostic[];
  /** The Diagnostic object made for each of the analysis's diagnostics (which an incremental analysis keeps). */
  made: WeakMap<Diagnostic, vscode.Diagnostic>;
}

function sameRange(a: vscode.Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
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
   * Publishes the document's diagnostics: at once, or when an analysis made in slices (a long document's first,
   * or an edit that reaches much of it) is done; then `onPublished`, unless that analysis was published already.
   */
  const refresh = (doc: vscode.TextDocument, onPublished?: () => void): void => {
    const ready = ctx.analysisReady(doc);
    const show = (result: DocumentAnalysis) => publish(doc, result) && onPublished?.();
    if (ready instanceof Promise) void ready.then((result) => result && !doc.isClosed && show(result));
    else if (ready) show(ready);
  };
  const publish = (doc: vscode.TextDocument, result: DocumentAnalysis): boolean => {
    const key = doc.uri.toString();
    const previous = published.get(key);
    if (previous?.result === result) return false;
    // (A kept diagnostic may have moved: its range is compared.)
    const made = previous?.made ?? new WeakMap<Diagnostic, vscode.Diagnostic>();
    let same = previous !== undefined && previous.list.length === result.analysis.diagnostics.length;
    const list = result.analysis.diagnostics.map((d, i) => {
      const range = result.toReal(d.range);
      let diag = made.get(d);
      if (!diag || !sameRange(diag.range, range)) made.set(d, (diag = toVsDiagnostic(toVsRange(range), d)));
      same &&= previous!.list[i] === diag;
      return diag;
    });
    published.set(key, { result, list, made });
    if (!same) collection.set(doc.uri, list);
    return true;
  };
  const changed = (e: vscode.TextDocumentChangeEvent) => {
    if (!isMcalcDocument(e.document)) return;
    // First of the extension's change listeners: every later reader of this version analyses incrementally.
    const started = performance.now();
    ctx.cache.noteChange(e);
    refresh(e.document, () => ctx.noteEditToDiagnostics(performance.now() - started));
  };

  ctx.subscribe(
    collection,
    vscode.workspace.onDidOpenTextDocument((doc) => refresh(doc)),
    vscode.workspace.onDidChangeTextDocument(changed),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      collection.delete(doc.uri);
      published.delete(doc.uri.toString());
      ctx.cache.forget(doc.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mcalc')) vscode.workspace.textDocuments.forEach((doc) => refresh(doc));
    }),
  );
  vscode.workspace.textDocuments.forEach((doc) => refresh(doc));
}
