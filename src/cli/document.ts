// Reading a document for a CLI command and reporting its errors the way compilers do.

import { analyzeDocument, type DocumentAnalysis } from '../core/document.ts';
import type { Analysis } from '../core/analyze.ts';
import type { Layout } from '../core/shape.ts';
import { type Diagnostic, type Range, bounded, concernsOnlyAClaim } from '../core/source.ts';
import { type Io, readInput } from './io.ts';

export function languageOf(file: string): string {
  return /\.(md|markdown)$/i.test(file) ? 'markdown' : 'mcalc';
}

/**
 * Reads and analyses a file in the requested layout (numerator when none). The document's `layout` directive
 * wins: its claims were written for it. An explicit --layout it overrides gets a note on stderr.
 */
export function analyzeFile(io: Io, file: string, layout: Layout | undefined, extraLines = ''): DocumentAnalysis & { text: string } {
  const text = readInput(file);
  const result = analyzeDocument(text, languageOf(file), layout ?? 'numerator', extraLines);
  const directive = result.analysis.layoutDirective;
  if (layout && directive && directive.layout !== layout) {
    const r = result.toReal(directive.range);
    io.err(`${file}:${r.start.line + 1}:${r.start.character + 1}: note: the document says \`layout ${directive.layout}\`, so it is analysed in ${directive.layout} layout, not --layout ${layout}.\n`);
  }
  return { ...result, text };
}

/**
 * Prints `file:line:col: error: message` for each error; true when there were any. `ignoreClaims` skips
 * problems that only concern `check` lines (they do not change any value, e.g. a claim written for the
 * other layout).
 */
export function reportErrors(io: Io, file: string, analysis: Analysis, toReal: (r: Range) => Range, ignoreClaims = false): boolean {
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error' && !(ignoreClaims && concernsOnlyAClaim(d)));
  for (const d of errors) printDiagnostic(io, file, d, toReal, 'error');
  return errors.length > 0;
}

/** Prints `file:line:col: warning: message` for each warning (a check's verdict may hang on one: the layout's). */
export function reportWarnings(io: Io, file: string, analysis: Analysis, toReal: (r: Range) => Range): void {
  for (const d of analysis.diagnostics) if (d.severity === 'warning') printDiagnostic(io, file, d, toReal, 'warning');
}

/** Errors about the document as a whole (a name declared twice, two layouts): with one, no result can be trusted. */
const DOCUMENT_WIDE = new Set(['duplicate-name', 'duplicate-layout']);

/**
 * Prints the document's errors and tells whether they stop a command that needs only `what` (a definition, or
 * the expression to evaluate), which `clean` says analysed without errors — so that nothing it reads has one.
 * They do not stop it when none is about the document as a whole: they are printed as warnings with a note, and
 * the command goes on (a typo in an unrelated claim does not keep a learner from a derivative). Claims'
 * problems are skipped, as in reportErrors.
 */
export function errorsStop(io: Io, file: string, analysis: Analysis, toReal: (r: Range) => Range, clean: boolean, what: string): boolean {
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error' && !concernsOnlyAClaim(d));
  if (!errors.length) return false;
  const goOn = clean && !errors.some((d) => DOCUMENT_WIDE.has(d.code));
  for (const d of errors) printDiagnostic(io, file, d, toReal, goOn ? 'warning' : 'error');
  if (goOn) io.err(`note: ${what} does not read the line${errors.length > 1 ? 's' : ''} with errors, so the command goes on.\n`);
  return !goOn;
}

/** `file:line:col: error: message` and the hint under it, as compilers print them. */
function printDiagnostic(io: Io, file: string, d: Diagnostic, toReal: (r: Range) => Range, label: 'error' | 'warning'): void {
  const r = toReal(d.range);
  io.err(`${file}:${r.start.line + 1}:${r.start.character + 1}: ${label}: ${bounded(d.message)}${d.hint ? `\n  hint: ${bounded(d.hint)}` : ''}\n`);
}

/** 1-based lines and columns, as editors and compilers print them. */
export function jsonRange(r: Range) {
  return { start: { line: r.start.line + 1, column: r.start.character + 1 }, end: { line: r.end.line + 1, column: r.end.character + 1 } };
}

/** A diagnostic for --json output: bounded message and hint, code, range in the real document. */
export function jsonDiagnostic(d: Diagnostic, toReal: (r: Range) => Range) {
  return { severity: d.severity, message: bounded(d.message), ...(d.hint ? { hint: bounded(d.hint) } : {}), code: d.code, range: jsonRange(toReal(d.range)) };
}
