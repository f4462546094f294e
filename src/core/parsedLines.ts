// The parse of a document kept line by line, so that an edit re-parses only the lines it touched. The language
// has one statement per line and the parser reads each line on its own, so the lines outside an edit parse
// exactly as before; the ones after it only move. Their syntax trees are moved to their new offsets when they
// are next read (see settle), not at every edit: typing near the top of a long document would otherwise move
// every tree below at every keystroke, which costs more than all else a keystroke does.

import type { Span, Statement } from './ast.ts';
import { parseLine, type ParseProblem } from './parser.ts';
import { LineMap } from './source.ts';
import { completed, STEP, type Steps } from './steps.ts';

export interface ParsedLine {
  statement?: Statement;
  problem?: ParseProblem;
}

/** A line with a statement or a problem, and how far its trees have been moved (see Moves). */
interface Entry extends ParsedLine {
  /** The line's start offset in the coordinates its trees are in. */
  at: number;
  /** How many of the moves its trees have had. */
  moved: number;
  /** Every span of its trees, collected on its first move (see spansOf). */
  spans?: Span[];
}

const BLANK: ParsedLine = {};

/**
 * The moves of the lines after each edit since the trees were last all settled, shared by the parses of one
 * document (each consumes the one before): an entry whose trees have had `moved` of them applies the rest.
 */
interface Moves {
  /** After edit k, the lines starting at `from` or later (in the coordinates before it) moved by `delta`. */
  list: { from: number; delta: number }[];
  /** The entry of each statement of the current parse (made at the first edit). */
  entryOf: Map<Statement, Entry>;
}

/** Past this many moves, an edit settles every line (so that settling one stays cheap). */
const MAX_MOVES = 64;

export class ParsedText {
  private constructor(
    readonly lines: LineMap,
    /** One entry per line of the text. */
    readonly entries: ParsedLine[],
    private readonly moves?: Moves,
    /** For a parse made by edit(): where its text differs from the one before. */
    readonly change?: TextChange,
    /** For a parse made by edit(): the lines parsed again, from line `first`, before and after the edit. */
    readonly edited?: EditedLines,
  ) {}

  get text(): string {
    return this.lines.text;
  }

  static parse(text: string): ParsedText {
    return completed(ParsedText.parseSteps(text));
  }

  /** `parse` in steps (see steps.ts). */
  static *parseSteps(text: string): Steps<ParsedText> {
    const lines = new LineMap(text);
    return new ParsedText(lines, yield* parseRange(lines, 0, lines.lineCount - 1, 0));
  }

  /**
   * The parse of `text`, reusing this one's lines outside the changed region. `change`, when the caller knows it
   * (an editor's change event), bounds the region: the texts agree on their first `from` characters and their
   * last `suffix`; without it, the region is found by comparing the texts. This parse is consumed: its lines
   * after the change serve the returned parse, and move to their new offsets when it settles them.
   */
  edit(text: string, change?: TextChange): ParsedText {
    const old = this.text;
    const usable = change && change.from >= 0 && change.suffix >= 0 && change.from + change.suffix <= Math.min(old.length, text.length);
    const { from, suffix } = usable ? change : commonEnds(old, text);
    const lines = this.lines.edited(text, from, suffix);
    // The lines holding the two ends of the changed region change, unless their text did not (Enter at the
    // end or the start of a line only adds a line); those after it only move.
    let firstLine = this.lines.positionAt(from).line;
    let lastOld = this.lines.positionAt(old.length - suffix).line;
    let lastNew = lines.positionAt(text.length - suffix).line;
    while (firstLine <= Math.min(lastOld, lastNew) && lineAt(this.lines, firstLine) === lineAt(lines, firstLine)) firstLine++;
    while (Math.min(lastOld, lastNew) >= firstLine && lineAt(this.lines, lastOld) === lineAt(lines, lastNew)) {
      lastOld--;
      lastNew--;
    }
    const moves = this.moves ?? { list: [], entryOf: entriesByStatement(this.entries) };
    const delta = text.length - old.length;
    if (delta !== 0 && lastOld + 1 < this.lines.lineCount) moves.list.push({ from: this.lines.lineStart(lastOld + 1), delta });
    const removed = this.entries.slice(firstLine, lastOld + 1);
    const edited = completed(parseRange(lines, firstLine, lastNew, moves.list.length));
    for (const e of removed) if (e.statement) moves.entryOf.delete(e.statement);
    for (const e of edited) if (e.statement) moves.entryOf.set(e.statement, e as Entry);
    const parsed = new ParsedText(lines, [...this.entries.slice(0, firstLine), ...edited, ...this.entries.slice(lastOld + 1)], moves, { from, suffix }, { first: firstLine, removed, added: edited });
    if (moves.list.length > MAX_MOVES) {
      for (const e of parsed.entries) if (e !== BLANK) settle(e as Entry, moves);
      moves.list.length = 0;
      for (const e of parsed.entries) if (e !== BLANK) (e as Entry).moved = 0;
    }
    return parsed;
  }

  /** Every statement, in line order, with its trees at their offsets in this text. */
  statements(): Statement[] {
    const out: Statement[] = [];
    for (const e of this.entries) {
      if (!e.statement) continue;
      if (this.moves) settle(e as Entry, this.moves);
      out.push(e.statement);
    }
    return out;
  }

  /** The statement on a line, with its trees at their offsets in this text. */
  statementAt(line: number): Statement | undefined {
    const e = this.entries[line];
    if (e?.statement && this.moves) settle(e as Entry, this.moves);
    return e?.statement;
  }

  /**
   * How far a statement of this parse lies from the offsets its trees hold (0 once they are moved): where a span
   * of it is, read without moving its trees (which would collect and move every span of the line).
   */
  offsetOf(statement: Statement): number {
    const e = this.moves?.entryOf.get(statement);
    return e ? pendingMove(e, this.moves!) : 0;
  }

  /** Moves a statement of this parse to its offsets in this text, if it has not been yet; returns it. */
  settle<S extends Statement>(statement: S): S {
    const e = this.moves?.entryOf.get(statement);
    if (e) settle(e, this.moves!);
    return statement;
  }

  problems(): ParseProblem[] {
    const out: ParseProblem[] = [];
    for (const e of this.entries) {
      if (!e.problem) continue;
      if (this.moves) settle(e as Entry, this.moves);
      out.push(e.problem);
    }
    return out;
  }
}

/** How far the moves an entry has not had yet take its trees. */
function pendingMove(e: Entry, { list }: Moves): number {
  let at = e.at;
  for (let k = e.moved; k < list.length; k++) if (at >= list[k].from) at += list[k].delta;
  return at - e.at;
}

/** Applies the moves an entry has not had yet to its trees. */
function settle(e: Entry, moves: Moves): void {
  if (e.moved === moves.list.length) return;
  const delta = pendingMove(e, moves);
  e.moved = moves.list.length;
  if (delta === 0) return;
  e.at += delta;
  const spans = (e.spans ??= spansOf(e));
  for (let k = 0; k < spans.length; k++) {
    spans[k].start += delta;
    spans[k].end += delta;
  }
}

function entriesByStatement(entries: readonly ParsedLine[]): Map<Statement, Entry> {
  const out = new Map<Statement, Entry>();
  for (const e of entries) if (e.statement) out.set(e.statement, e as Entry);
  return out;
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

/** The text of a line, without its newline. */
function lineAt(lines: LineMap, line: number): string {
  const end = line + 1 < lines.lineCount ? lines.lineStart(line + 1) - 1 : lines.text.length;
  return lines.text.slice(lines.lineStart(line), end);
}

/** Lines first…last (inclusive) of the text, parsed; `moved`: how many moves their trees are up to. */
function* parseRange(lines: LineMap, first: number, last: number, moved: number): Steps<ParsedLine[]> {
  const text = lines.text;
  const out: ParsedLine[] = [];
  for (let line = first; line <= last; line++) {
    if ((line - first) % STEP === STEP - 1) yield;
    const start = lines.lineStart(line);
    const end = line + 1 < lines.lineCount ? lines.lineStart(line + 1) - 1 : text.length;
    const parsed = parseLine(text, start, end);
    if (!parsed.statement && !parsed.problem) {
      out.push(BLANK);
      continue;
    }
    // Every entry has every field from the start: settling all lines is a hot loop, and it stays fast only
    // while the entries share one shape.
    const entry: Entry = { statement: parsed.statement, problem: parsed.problem, at: start, moved, spans: undefined };
    out.push(entry);
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
 * a tree, `refs` aside (test/unit/incremental.property.test.ts checks it), so each span is listed once.
 */
function collectSpans(node: object, out: Span[]): void {
  const span = node as Partial<Span>;
  if (typeof span.start === 'number' && typeof span.end === 'number') out.push(span as Span);
  for (const key in node) {
    // A definition's `refs` lists nodes of its own tree again.
    if (key === 'refs') continue;
    const value = (node as Record<string, unknown>)[key];
    if (value !== null && typeof value === 'object') collectSpans(value, out);
  }
}
