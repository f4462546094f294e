// The language-server-lite: one analysis per document version and layout, shared by hover, diagnostics,
// outline and code lenses. Pure (no `vscode` import) so it is unit-tested with node:test.

import { analyzeDocument, type DocumentAnalysis } from '../core/document.ts';
import type { Layout } from '../core/shape.ts';

export type { DocumentAnalysis };

export interface DocumentLike {
  readonly uri: { toString(): string };
  readonly version: number;
  readonly languageId: string;
  getText(): string;
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
