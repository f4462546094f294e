// The language-server-lite: one analysis per document version and layout, shared by hover, diagnostics,
// outline and code lenses. Pure (no `vscode` import) so it is unit-tested with node:test.

import { analyze, type Analysis } from '../core/analyze.ts';
import { extractMcalcBlocks, virtualLine, type EmbeddedDocument } from '../core/markdown.ts';
import type { Layout } from '../core/shape.ts';
import type { Position, Range } from '../core/source.ts';

export interface DocumentLike {
  readonly uri: { toString(): string };
  readonly version: number;
  readonly languageId: string;
  getText(): string;
}

export interface DocumentAnalysis {
  analysis: Analysis;
  /** Set for Markdown: the ```mcalc blocks as one virtual document. */
  embedded?: EmbeddedDocument;
  /** Virtual (analysis) range → range in the real document. */
  toReal(r: Range): Range;
  /** Real position → position in the analysed text, or undefined outside mcalc code. */
  toVirtual(p: Position): Position | undefined;
}

export function isMcalcDocument(doc: Pick<DocumentLike, 'languageId'>): boolean {
  return doc.languageId === 'mcalc' || doc.languageId === 'markdown';
}

export class AnalysisCache {
  private readonly entries = new Map<string, { version: number; layout: Layout; result: DocumentAnalysis }>();
  /** How many analyses actually ran (for tests of caching). */
  analyses = 0;

  get(doc: DocumentLike, layout: Layout): DocumentAnalysis {
    const key = doc.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version && hit.layout === layout) return hit.result;
    const result = analyzeDocument(doc.getText(), doc.languageId, layout);
    this.analyses++;
    this.entries.set(key, { version: doc.version, layout, result });
    return result;
  }

  forget(uri: { toString(): string }): void {
    this.entries.delete(uri.toString());
  }

  clear(): void {
    this.entries.clear();
  }
}

export function analyzeDocument(text: string, languageId: string, layout: Layout): DocumentAnalysis {
  if (languageId !== 'markdown') {
    return { analysis: analyze(text, { layout }), toReal: (r) => r, toVirtual: (p) => p };
  }
  const embedded = extractMcalcBlocks(text);
  const analysis = analyze(embedded.text, { layout });
  const line = (l: number) => embedded.toReal[Math.min(l, embedded.toReal.length - 1)] ?? 0;
  return {
    analysis,
    embedded,
    toReal: (r) => ({ start: { line: line(r.start.line), character: r.start.character }, end: { line: line(r.end.line), character: r.end.character } }),
    toVirtual: (p) => {
      const v = virtualLine(embedded, p.line);
      return v < 0 ? undefined : { line: v, character: p.character };
    },
  };
}
