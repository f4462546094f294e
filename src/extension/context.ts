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

export class Context {
  constructor(
    readonly extension: vscode.ExtensionContext,
    readonly cache: AnalysisCache,
  ) {}

  /** The requested layout (the setting); a document's `layout` directive overrides it in its analysis. */
  layout(doc: vscode.TextDocument): Layout {
    return layoutSetting(doc.uri);
  }

  /** The document's analysis (cached per version and layout), or undefined for other languages. */
  analysis(doc: vscode.TextDocument): DocumentAnalysis | undefined {
    if (!isMcalcDocument(doc)) return undefined;
    return this.cache.get(doc, this.layout(doc));
  }

  /** The document's analysis and the offset of `position` in the analysed text, or undefined outside mcalc code. */
  analysisAt(doc: vscode.TextDocument, position: vscode.Position): { result: DocumentAnalysis; offset: number } | undefined {
    const result = this.analysis(doc);
    const p = result?.toVirtual({ line: position.line, character: position.character });
    return result && p && { result, offset: result.analysis.lines.offsetAt(p) };
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
