// Source positions, ranges and diagnostics shared by every stage. Offsets are UTF-16 code units, like VS Code's.

export interface Position {
  line: number; // 0-based
  character: number; // 0-based, UTF-16 code units
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information';

export interface TextEdit {
  range: Range;
  newText: string;
}

/** A quick fix: one or more edits that resolve the problem. */
export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Diagnostic {
  severity: Severity;
  message: string;
  range: Range;
  /** A stable machine-readable code, e.g. `unknown-name`. */
  code: string;
  /** How to fix it, when we know. */
  hint?: string;
  /** Quick fixes, when the fix is mechanical. */
  fixes?: Fix[];
}

/** Codes of problems that only concern a `check` line: they change no value, so eval and train go on. */
const CLAIM_ONLY_CODES: ReadonlySet<string> = new Set(['claim-shape', 'claim-not-derivative', 'claim-tensor']);

export function concernsOnlyAClaim(d: Pick<Diagnostic, 'code'>): boolean {
  return CLAIM_ONLY_CODES.has(d.code);
}

/** Offset <-> position conversion for one text. */
export class LineMap {
  private readonly starts: number[];
  /** `starts`: the offsets where lines begin, when already known (after an edit, from the text before it). */
  constructor(
    readonly text: string,
    starts?: number[],
  ) {
    if (!starts) {
      starts = [0];
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    this.starts = starts;
  }

  /** The line map of `text`, which equals this map's text except in [from, length − suffix) (`suffix` characters agree at the end). */
  edited(text: string, from: number, suffix: number): LineMap {
    const firstLine = this.positionAt(from).line;
    const lastOld = this.positionAt(this.text.length - suffix).line;
    const delta = text.length - this.text.length;
    const starts = this.starts.slice(0, firstLine + 1);
    const changedEnd = text.length - suffix;
    for (let i = this.starts[firstLine]; i < changedEnd; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    // The lines after the change only move: one slice, shifted in place, and one concatenation.
    const after = this.starts.slice(lastOld + 1);
    if (delta) for (let l = 0; l < after.length; l++) after[l] += delta;
    return new LineMap(text, starts.concat(after));
  }
  get lineCount(): number {
    return this.starts.length;
  }
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }
  /** Line text without its line terminator. */
  lineText(line: number): string {
    const start = this.lineStart(line);
    const next = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    const end = next > start && this.text.charCodeAt(next - 1) === 13 ? next - 1 : next;
    return this.text.slice(start, Math.max(start, end));
  }
  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }
  offsetAt(pos: Position): number {
    if (pos.line >= this.starts.length) return this.text.length;
    return Math.min(this.lineStart(pos.line) + pos.character, this.text.length);
  }
  range(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }
}

/** The text without a leading UTF-8 byte-order mark (editors hide it; the grammar does not expect it). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A message as people read it: at most `max` characters, an overlong middle (a pasted name) elided. */
export function bounded(text: string, max = 300): string {
  if (text.length <= max) return text;
  const keep = max - 40;
  return `${text.slice(0, Math.ceil(keep * 0.75))}…(${text.length - keep} characters left out)…${text.slice(text.length - Math.floor(keep * 0.25))}`;
}
