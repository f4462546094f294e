// Which declared name is where: the dimensions, variables and definitions of a document and every place
// their names occur. The language has one flat scope (every name is global to its document), so an
// occurrence is simply a name token spelling a declared name — except the `d` of `d(f)/d(x)`.

import type { Analysis } from '../analyze.ts';
import type { TextChange } from '../parsedLines.ts';
import { tokenize } from '../lexer.ts';
import { completed, STEP, type Steps } from '../steps.ts';

/** Tokens filtered or moved between two yields. */
const TOKENS_PER_STEP = 4096;
import type { Shape } from '../shape.ts';
import type { Range } from '../source.ts';

export type NameKind = 'dimension' | 'variable' | 'definition';

export interface DeclaredName {
  name: string;
  kind: NameKind;
  /** Where it is declared (`w` in `w: vector[n]`, `z` in `z = …`, `n` in `dim n` or its first type). */
  declaration: Range;
  /** Absent for dimensions and for definitions that did not analyse (or are tensors). */
  shape?: Shape;
  /** The right-hand side of a definition. */
  definedAs?: string;
}

export interface Occurrence {
  name: string;
  start: number;
  end: number;
}

export interface NameIndex {
  names: Map<string, DeclaredName>;
  /** Every occurrence of a declared name, in document order (declarations included). */
  occurrences: Occurrence[];
}

/** An index, and every name token of its text (declared or not: a name declared by a later edit is among them). */
interface Indexed {
  index: NameIndex;
  tokens: Occurrence[];
}

const indexes = new WeakMap<Analysis, Indexed>();

/** The index of the version an analysis was re-analysed from, and where the texts differ. */
const predecessors = new WeakMap<Analysis, { indexed: Indexed; previousLength: number; change: TextChange }>();

/** The document's names and their occurrences (computed once per analysis). */
export function nameIndex(a: Analysis): NameIndex {
  return indexes.get(a)?.index ?? completed(nameIndexSteps(a));
}

/** `nameIndex` in steps (see steps.ts): the editor makes a long document's in slices. */
export function* nameIndexSteps(a: Analysis): Steps<NameIndex> {
  const made = indexes.get(a);
  if (made) return made.index;
  // Taken at once: another index of `a` made meanwhile reads the whole text instead of moving the same tokens.
  const before = predecessors.get(a);
  predecessors.delete(a);
  const names = yield* declaredNames(a);
  const indexed = before ? yield* movedIndex(a, names, before.indexed, before.previousLength, before.change) : yield* indexOf(names, yield* nameTokensSteps(a));
  indexes.set(a, indexed);
  return indexed.index;
}

function* indexOf(names: Map<string, DeclaredName>, tokens: Occurrence[]): Steps<Indexed> {
  const occurrences: Occurrence[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (names.has(tokens[i].name)) occurrences.push(tokens[i]);
    if (i % TOKENS_PER_STEP === TOKENS_PER_STEP - 1) yield;
  }
  return { index: { names, occurrences }, tokens };
}

/** Every name token of the text (see nameTokens), STEP lines at a time. */
function* nameTokensSteps({ text, lines }: Analysis): Steps<Occurrence[]> {
  const out: Occurrence[] = [];
  for (let line = 0; line < lines.lineCount; line += STEP) {
    const from = lines.lineStart(line);
    const to = line + STEP < lines.lineCount ? lines.lineStart(line + STEP) : text.length;
    for (const o of nameTokens(text.slice(from, to), from)) out.push(o);
    yield;
  }
  return out;
}

/**
 * Lets `next`, re-analysed from `previous` after a change, update `previous`'s name index (when it was made)
 * instead of reading the whole text again: only the changed lines can hold other name tokens. `previous` is
 * consumed (its tokens below the change move to their new offsets).
 */
export function carryNameIndex(previous: Analysis, next: Analysis, change: TextChange): void {
  const indexed = indexes.get(previous);
  if (indexed) predecessors.set(next, { indexed, previousLength: previous.text.length, change });
}

/**
 * The index of the edited text: the previous name tokens above the changed lines, those of the changed lines
 * read again, and the previous ones below them moved (in place: no token is made anew). Tokens never span lines
 * (a newline is a token), so the lines outside the change read as before. While the same names are declared,
 * the occurrences are the tokens that were occurrences (they are the same objects) and the changed lines' ones.
 */
function* movedIndex(a: Analysis, names: Map<string, DeclaredName>, { index, tokens: previous }: Indexed, previousLength: number, { from, suffix }: TextChange): Steps<Indexed> {
  const { lines, text } = a;
  const start = lines.lineStart(lines.positionAt(from).line);
  const last = lines.positionAt(text.length - suffix).line;
  const end = last + 1 < lines.lineCount ? lines.lineStart(last + 1) : text.length;
  const delta = text.length - previousLength;
  const tokens: Occurrence[] = [];
  let i = 0;
  for (; i < previous.length && previous[i].start < start; i++) tokens.push(previous[i]);
  const above = i;
  const changed = nameTokens(text.slice(start, end), start);
  for (const o of changed) tokens.push(o);
  for (; i < previous.length && previous[i].start < end - delta; i++);
  const below = i;
  for (; i < previous.length; i++) {
    const o = previous[i];
    o.start += delta;
    o.end += delta;
    tokens.push(o);
  }
  yield;
  if (!sameNames(index.names, names)) return yield* indexOf(names, tokens);
  // The previous occurrences are a subsequence of the previous tokens (the same objects): walk both.
  const occurrences: Occurrence[] = [];
  const was = index.occurrences;
  let k = 0;
  for (let t = 0; t < above; t++) if (was[k] === previous[t]) occurrences.push(was[k++]);
  for (const o of changed) if (names.has(o.name)) occurrences.push(o);
  for (let t = above; t < below; t++) if (was[k] === previous[t]) k++;
  while (k < was.length) occurrences.push(was[k++]);
  return { index: { names, occurrences }, tokens };
}

function sameNames(a: ReadonlyMap<string, DeclaredName>, b: ReadonlyMap<string, DeclaredName>): boolean {
  if (a.size !== b.size) return false;
  for (const name of a.keys()) if (!b.has(name)) return false;
  return true;
}

function* declaredNames(a: Analysis): Steps<Map<string, DeclaredName>> {
  const names = new Map<string, DeclaredName>();
  for (const d of a.dims) names.set(d.name, { name: d.name, kind: 'dimension', declaration: d.range });
  for (const v of a.variables) names.set(v.name, { name: v.name, kind: 'variable', declaration: v.range, shape: v.shape });
  for (const d of a.definitions) {
    if (names.size % STEP === 0) yield;
    names.set(d.name, { name: d.name, kind: 'definition', declaration: d.nameRange, definedAs: d.exprText, ...(d.shape ? { shape: d.shape } : {}) });
  }
  return names;
}

/** Every name token of `text` (but the `d` of d(f)/d(x)), its offsets moved by `at`. */
function nameTokens(text: string, at: number): Occurrence[] {
  const tokens = tokenize(text);
  const out: Occurrence[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'name') continue;
    if (t.text === 'd' && tokens[i + 1]?.kind === '(') continue; // the derivative syntax, not a name
    out.push({ name: t.text, start: t.start + at, end: t.end + at });
  }
  return out;
}

/** The occurrence of a declared name at `offset` (its end counts, so a cursor just after a name finds it). */
export function occurrenceAt(a: Analysis, offset: number): Occurrence | undefined {
  const { occurrences } = nameIndex(a);
  let lo = 0;
  let hi = occurrences.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const o = occurrences[mid];
    if (offset < o.start) hi = mid - 1;
    else if (offset > o.end) lo = mid + 1;
    else return o;
  }
  return undefined;
}

export interface NameUse {
  range: Range;
  /** The occurrence that declares or defines the name. */
  declaration: boolean;
}

/** Every occurrence of `name`, in document order. */
export function usesOf(a: Analysis, name: string): NameUse[] {
  const { names, occurrences } = nameIndex(a);
  const declared = names.get(name);
  if (!declared) return [];
  const at = a.lines.offsetAt(declared.declaration.start);
  return occurrences.filter((o) => o.name === name).map((o) => ({ range: a.lines.range(o.start, o.end), declaration: o.start === at }));
}

/** Where the name at `offset` is declared. */
export function declarationAt(a: Analysis, offset: number): Range | undefined {
  const o = occurrenceAt(a, offset);
  return o && nameIndex(a).names.get(o.name)!.declaration;
}
