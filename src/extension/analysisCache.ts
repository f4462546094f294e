// The language-server-lite: one analysis per document version and layout, shared by hover, diagnostics,
// outline and code lenses. A new version is analysed incrementally from the cached one (only the statements
// the edit reaches are analysed again; see reanalyze in core/analyze.ts), with the editor's change event, when
// there is one, telling where the text changed. Pure (no `vscode` import) so it is unit-tested with node:test.

import { analyzeDocument, reanalyzeDocument, type DocumentAnalysis } from '../core/document.ts';
import type { TextChange } from '../core/analyze.ts';
import type { Layout } from '../core/shape.ts';

export type { DocumentAnalysis };

export interface DocumentLike {
  readonly uri: { toString(): string };
  readonly version: number;
  readonly languageId: string;
  getText(): string;
}

/** The parts of an editor's change event that say where the text changed (vscode.TextDocumentChangeEvent fits). */
export interface DocumentChange {
  readonly document: Pick<DocumentLike, 'uri' | 'version'>;
  readonly contentChanges: readonly { readonly rangeOffset: number; readonly rangeLength: number; readonly text: string }[];
}

export function isMcalcDocument(doc: Pick<DocumentLike, 'languageId'>): boolean {
  return doc.languageId === 'mcalc' || doc.languageId === 'markdown';
}

interface Entry {
  version: number;
  layout: Layout;
  languageId: string;
  result: DocumentAnalysis;
}

export class AnalysisCache {
  private readonly entries = new Map<string, Entry>();
  /** The last change event per document: where version `version` differs from the one before it. */
  private readonly changes = new Map<string, { version: number; change?: { offset: number; removed: number; inserted: number } }>();
  /** How many analyses actually ran, and how many of them were incremental (for tests of caching). */
  analyses = 0;
  incremental = 0;

  get(doc: DocumentLike, layout: Layout): DocumentAnalysis {
    const key = doc.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version && hit.layout === layout) return hit.result;
    const text = doc.getText();
    let result: DocumentAnalysis;
    if (hit && hit.languageId === doc.languageId) {
      // The cached analysis is consumed by the re-analysis: it is replaced right away.
      result = reanalyzeDocument(hit.result, text, doc.languageId, layout, this.changeSince(key, hit, doc, text));
      this.incremental++;
    } else {
      result = analyzeDocument(text, doc.languageId, layout);
    }
    this.analyses++;
    this.entries.set(key, { version: doc.version, layout, languageId: doc.languageId, result });
    return result;
  }

  /** Notes where an edit changed a document, so that its next analysis need not compare the texts to find out. */
  noteChange(e: DocumentChange): void {
    const c = e.contentChanges.length === 1 ? e.contentChanges[0] : undefined;
    this.changes.set(e.document.uri.toString(), { version: e.document.version, ...(c ? { change: { offset: c.rangeOffset, removed: c.rangeLength, inserted: c.text.length } } : {}) });
  }

  /** The changed region between the cached version and the document's, when one single-range edit separates them. */
  private changeSince(key: string, hit: Entry, doc: DocumentLike, text: string): TextChange | undefined {
    const noted = this.changes.get(key);
    const c = noted?.change;
    if (!c || noted.version !== doc.version || hit.version !== doc.version - 1) return undefined;
    const oldLength = text.length - c.inserted + c.removed;
    return { from: c.offset, suffix: oldLength - c.offset - c.removed };
  }

  forget(uri: { toString(): string }): void {
    this.entries.delete(uri.toString());
    this.changes.delete(uri.toString());
  }

  clear(): void {
    this.entries.clear();
    this.changes.clear();
  }
}
