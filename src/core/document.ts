// A document as the editor and the CLI see it: a .mcalc file, or the ```mcalc blocks of a Markdown file
// joined into one virtual document, with the mapping between the two.

import { analysisSteps, reanalysisSteps, type Analysis, type TextChange } from './analyze.ts';
import { extractMcalcBlocks, virtualLine, type EmbeddedDocument } from './markdown.ts';
import type { Layout } from './shape.ts';
import { type Position, type Range, stripBom } from './source.ts';
import { completed, type Steps } from './steps.ts';

export interface DocumentAnalysis {
  analysis: Analysis;
  /** Set for Markdown: the ```mcalc blocks as one virtual document. */
  embedded?: EmbeddedDocument;
  /** Virtual (analysis) range → range in the real document. */
  toReal(r: Range): Range;
  /** Real position → position in the analysed text, or undefined outside mcalc code. */
  toVirtual(p: Position): Position | undefined;
}

/** `extraLines` are analysed after the document's mcalc code (after its last block, for Markdown). */
export function analyzeDocument(source: string, languageId: string, layout: Layout, extraLines = ''): DocumentAnalysis {
  return completed(analyzeDocumentSteps(source, languageId, layout, extraLines));
}

/** `analyzeDocument` in steps (see steps.ts). */
export function analyzeDocumentSteps(source: string, languageId: string, layout: Layout, extraLines = ''): Steps<DocumentAnalysis> {
  return documentAnalysis(source, languageId, (code) => analysisSteps(extraLines ? `${code}\n${extraLines}` : code, { layout }));
}

/**
 * The analysis of the document's new text, re-analysing only what the edit changed (see `reanalyze`); equal to
 * `analyzeDocument(source, languageId, layout)`. `previous` is consumed and must not be used afterwards;
 * `change`, when known, bounds where the text changed.
 */
export function reanalyzeDocument(previous: DocumentAnalysis, source: string, languageId: string, layout: Layout, change?: TextChange): DocumentAnalysis {
  return completed(reanalyzeDocumentSteps(previous, source, languageId, layout, change));
}

/** `reanalyzeDocument` in steps (see steps.ts): `previous` is consumed when the first step runs. */
export function reanalyzeDocumentSteps(previous: DocumentAnalysis, source: string, languageId: string, layout: Layout, change?: TextChange): Steps<DocumentAnalysis> {
  // `change` is in the real document's offsets: it applies to the analysed text only when the two are the same.
  const sameText = languageId !== 'markdown' && source.charCodeAt(0) !== 0xfeff;
  return documentAnalysis(source, languageId, (code) => reanalysisSteps(previous.analysis, code, { layout }, sameText ? change : undefined));
}

function* documentAnalysis(source: string, languageId: string, analyzeCode: (code: string) => Steps<Analysis>): Steps<DocumentAnalysis> {
  const text = stripBom(source);
  if (languageId !== 'markdown') {
    return { analysis: yield* analyzeCode(text), toReal: (r) => r, toVirtual: (p) => p };
  }
  const embedded = extractMcalcBlocks(text);
  const analysis = yield* analyzeCode(embedded.text);
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
