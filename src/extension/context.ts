// Shared state of the running extension: the analysis cache and how to read a document through it.

import * as vscode from 'vscode';
import { AnalysisCache, isMcalcDocument, type DocumentAnalysis } from './analysisCache.ts';
import type { Layout } from '../core/shape.ts';
import type { Range } from '../core/source.ts';
import { layoutSetting } from './config.ts';

export const SELECTOR: vscode.DocumentSelector = ['file', 'untitled'].flatMap((scheme) => [
  { language: 'mcalc', scheme },
  { language: 'markdown', scheme },
]);

/** How many of the latest edits' timings the context keeps. */
const TIMINGS_KEPT = 100;

export class Context {
  /**
   * Milliseconds from each edit's change event to its diagnostics handed to the editor (the latest
   * TIMINGS_KEPT): the extension's own share of edit-to-diagnostics, which the editor's round trip adds to.
   */
  readonly editToDiagnosticsMs: number[] = [];

  constructor(
    readonly extension: vscode.ExtensionContext,
    readonly cache: AnalysisCache,
  ) {}

  /** The requested layout (the setting); a document's `layout` directive overrides it in its analysis. */
  layout(doc: vscode.TextDocument): Layout {
    return layoutSetting(doc.uri);
  }

  /**
   * The document's analysis (cached per version and layout) now, or undefined for other languages: a full
   * analysis of a long document is made at once. For commands; providers wait with `analysisReady`.
   */
  analysis(doc: vscode.TextDocument): DocumentAnalysis | undefined {
    if (!isMcalcDocument(doc)) return undefined;
    return this.cache.get(doc, this.layout(doc));
  }

  /**
   * The document's analysis without holding the extension host through a full analysis of a long document (it
   * is made in slices: see AnalysisCache.ready); a value when it is at hand, a promise when it has to wait.
   */
  analysisReady(doc: vscode.TextDocument): DocumentAnalysis | undefined | Promise<DocumentAnalysis | undefined> {
    if (!isMcalcDocument(doc)) return undefined;
    return this.cache.ready(doc, this.layout(doc));
  }

  /** The document's analysis and the offset of `position` in the analysed text, or undefined outside mcalc code. */
  async analysisAt(doc: vscode.TextDocument, position: vscode.Position): Promise<{ result: DocumentAnalysis; offset: number } | undefined> {
    const result = await this.analysisReady(doc);
    const p = result?.toVirtual({ line: position.line, character: position.character });
    return result && p && { result, offset: result.analysis.lines.offsetAt(p) };
  }

  noteEditToDiagnostics(ms: number): void {
    this.editToDiagnosticsMs.push(ms);
    if (this.editToDiagnosticsMs.length > TIMINGS_KEPT) this.editToDiagnosticsMs.shift();
  }

  subscribe(...disposables: vscode.Disposable[]): void {
    this.extension.subscriptions.push(...disposables);
  }
}

export function toVsRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** A range of the analysed text as a range of the real document. */
export function realRange(result: DocumentAnalysis, r: Range): vscode.Range {
  return toVsRange(result.toReal(r));
}
