// The parse of a document kept line by line, so that an edit re-parses only the lines it touched. The language
// has one statement per line and the parser reads each line on its own, so the lines outside an edit parse
// exactly as before; the ones after it only move, and their syntax trees are shifted in place.

import type { Span, Statement } from './ast.ts';
import { parseLine, type ParseProblem } from './parser.ts';
import { LineMap } from './source.ts';

export interface ParsedLine {
  statement?: Statement;
  problem?: ParseProblem;
}

const BLANK: ParsedLine = {};

export class ParsedText {
  private constructor(
    readonly lines: LineMap,
    /** One entry per line of the text. */
    readonly entries: ParsedLine[],
    /** Per line, every span of its syntax trees, once the line has moved (see spansOf). */
    private readonly spans: (Span[] | undefined)[],
    /** For a parse made by edit(): where its text differs from the one before. */
    readonly change?: TextChange,
    /** For a parse made by edit(): the lines parsed again, from line `first`, before and after the edit. */
    readonly edited?: EditedLines,
  ) {}

  get text(): string {
    return this.lines.text;
  }

  static parse(text: string): ParsedText {
    const lines = new LineMap(text);
    const entries = parseRange(lines, 0, lines.lineCount - 1);
    return new ParsedText(lines, entries, new Array<undefined>(entries.length));
  }

  /**
   * The parse of `text`, reusing this one's lines outside the changed region. `change`, when the caller knows it
   * (an editor's change event), bounds the region: the texts agree on their first `from` characters and their
   * last `suffix`; without it, the region is found by comparing the texts. This parse is consumed: the syntax
   * trees after the change are shifted to their new offsets, and also serve the returned parse.
   */
  edit(text: string, change?: TextChange): ParsedText {
    const old = this.text;
    const usable = change && change.from >= 0 && change.suffix >= 0 && change.from + change.suffix <= Math.min(old.length, text.length);
    const { from, suffix } = usable ? change : commonEnds(old, text);
    const lines = this.lines.edited(text, from, suffix);
    // The lines holding the two ends of the changed region change; those after it only move.
    const firstLine = this.lines.positionAt(from).line;
    const lastOld = this.lines.positionAt(old.length - suffix).line;
    const lastNew = lines.positionAt(text.length - suffix).line;
    const delta = text.length - old.length;
    const after = this.entries.slice(lastOld + 1);
    const afterSpans = this.spans.slice(lastOld + 1);
    if (delta !== 0) {
      for (let i = 0; i < after.length; i++) {
        const spans = (afterSpans[i] ??= spansOf(after[i]));
        for (let k = 0; k < spans.length; k++) {
          spans[k].start += delta;
          spans[k].end += delta;
        }
      }
    }
    const edited = parseRange(lines, firstLine, lastNew);
    const removed = this.entries.slice(firstLine, lastOld + 1);
    return new ParsedText(lines, [...this.entries.slice(0, firstLine), ...edited, ...after], [...this.spans.slice(0, firstLine), ...new Array<undefined>(edited.length), ...afterSpans], { from, suffix }, { first: firstLine, removed, added: edited });
  }

  statements(): Statement[] {
    const out: Statement[] = [];
    for (const e of this.entries) if (e.statement) out.push(e.statement);
    return out;
  }

  problems(): ParseProblem[] {
    const out: ParseProblem[] = [];
    for (const e of this.entries) if (e.problem) out.push(e.problem);
    return out;
  }
}

/** The lines an edit parsed again: `removed` were lines first… of the text before, `added` are those of the text after. */
export interface EditedLines {
  first: number;
  removed: readonly ParsedLine[];
  added: readonly ParsedLine[];
}

/** Where two texts differ: they agree on their first `from` characters and on their last `suffix` (no overlap). */
export interface TextChange {
  from: number;
  suffix: number;
}

function commonEnds(a: string, b: string): TextChange {
  const min = Math.min(a.length, b.length);
  let from = 0;
  while (from < min && a.charCodeAt(from) === b.charCodeAt(from)) from++;
  let suffix = 0;
  while (suffix < min - from && a.charCodeAt(a.length - 1 - suffix) === b.charCodeAt(b.length - 1 - suffix)) suffix++;
  return { from, suffix };
}

/** Lines first…last (inclusive) of the text, parsed. */
function parseRange(lines: LineMap, first: number, last: number): ParsedLine[] {
  const text = lines.text;
  const out: ParsedLine[] = [];
  for (let line = first; line <= last; line++) {
    const start = lines.lineStart(line);
    const end = line + 1 < lines.lineCount ? lines.lineStart(line + 1) - 1 : text.length;
    const parsed = parseLine(text, start, end);
    out.push(parsed.statement || parsed.problem ? parsed : BLANK);
  }
  return out;
}

/**
 * Every span of a line's syntax trees, collected on its first move: a line moves with every edit above it, and
 * walking an array of spans costs a fraction of walking the tree again. The trees are never restructured after
 * parsing (only shifted), so the list stays complete.
 */
function spansOf(entry: ParsedLine): Span[] {
  const spans: Span[] = [];
  if (entry.statement) collectSpans(entry.statement, spans);
  if (entry.problem) collectSpans(entry.problem.span, spans);
  return spans;
}

/**
 * Every span in a syntax tree. Generic over the tree's shape (any object with numeric `start` and `end` is a
 * span), so new kinds of expression need nothing here. The parser never shares an object between two places of
 * a tree (test/unit/incremental.property.test.ts checks it), so each span is listed once.
 */
function collectSpans(node: object, out: Span[]): void {
  const span = node as Partial<Span>;
  if (typeof span.start === 'number' && typeof span.end === 'number') out.push(span as Span);
  for (const key in node) {
    const value = (node as Record<string, unknown>)[key];
    if (value !== null && typeof value === 'object') collectSpans(value, out);
  }
}
