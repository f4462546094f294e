// What a patched re-analysis (Analyzer.patchSteps in analyze.ts) needs from an edit: which statements it rewrote,
// removed and added, and how far the lines after it moved; and the moving of the previous analysis's ranges
// below the edit. Kept apart from the analyser: this is plain bookkeeping over lines and ranges.

import type { NameRef, Statement } from './ast.ts';
import type { Define } from './definitionOrder.ts';
import type { ParseProblem } from './parser.ts';
import type { EditedLines } from './parsedLines.ts';
import type { Diagnostic, Range } from './source.ts';

export type StatementPair = readonly [old: Statement, now: Statement];

/** An edit a patch can follow: see planPatch. */
export interface PatchPlan {
  /** Each definition of the edited lines with its new version (the same name). */
  definitions: StatementPair[];
  /** Those of `definitions` whose new version refers to other names than before (a name typed or retyped). */
  rereferenced: StatementPair[];
  /** Definitions of names the edited lines did not define, and of names the new lines no longer define. */
  addedDefinitions: Define[];
  removedDefinitions: Define[];
  /** The k-th claim of the edited lines with the k-th claim of the new lines (a claim retyped in place, mostly). */
  claims: StatementPair[];
  /** Claims of the edited lines without a counterpart, and new lines' claims without one. */
  removedClaims: Statement[];
  addedClaims: Statement[];
  /** Every statement of the edited lines, and of the new lines, in line order. */
  removed: Statement[];
  added: Statement[];
  /** The new lines' parse problems. */
  problems: ParseProblem[];
  /** Lines added minus lines removed: every line after the edit moves by this much. */
  lineDelta: number;
}

/**
 * The plan of an edit whose lines, before and after, hold only blank lines, parse problems, claims,
 * definitions and declarations (which the analyser follows: see variablesAfter), where each definition of the
 * edited lines is the one `winner` gives for its name (not a duplicate), those present before and after coming
 * in the same order. The definitions of names new to the edited lines, or gone from them, and those that now
 * refer to other names (their `refs`), are listed: the analyser decides whether it can follow those.
 * Undefined for any other edit.
 */
export function planPatch({ removed, added }: EditedLines, winner: (name: string) => Statement | undefined): PatchPlan | undefined {
  const before = statementsOf(removed);
  const after = statementsOf(added);
  if (!before || !after) return undefined;
  const oldDefinitions = new Map<string, Define>();
  for (const s of before) {
    if (s.kind !== 'define') continue;
    if (winner(s.name.name) !== s) return undefined;
    oldDefinitions.set(s.name.name, s);
  }
  const definitions: StatementPair[] = [];
  const rereferenced: StatementPair[] = [];
  const addedDefinitions: Define[] = [];
  const kept = new Set<string>();
  for (const now of after) {
    if (now.kind !== 'define') continue;
    const name = now.name.name;
    if (kept.has(name) || addedDefinitions.some((d) => d.name.name === name)) return undefined;
    const old = oldDefinitions.get(name);
    if (!old) {
      addedDefinitions.push(now);
      continue;
    }
    definitions.push([old, now]);
    if (!sameRefs(old.refs, now.refs)) rereferenced.push([old, now]);
    kept.add(name);
  }
  const stayed = [...oldDefinitions.keys()].filter((name) => kept.has(name));
  if (stayed.some((name, k) => (definitions[k][1] as Define).name.name !== name)) return undefined;
  const removedDefinitions = [...oldDefinitions.values()].filter((d) => !kept.has(d.name.name));
  const oldClaims = before.filter((s) => s.kind === 'claim');
  const newClaims = after.filter((s) => s.kind === 'claim');
  const paired = Math.min(oldClaims.length, newClaims.length);
  const problems: ParseProblem[] = [];
  for (const line of added) if (line.problem) problems.push(line.problem);
  return {
    definitions,
    rereferenced,
    addedDefinitions,
    removedDefinitions,
    claims: oldClaims.slice(0, paired).map((old, k) => [old, newClaims[k]] as const),
    removedClaims: oldClaims.slice(paired),
    addedClaims: newClaims.slice(paired),
    removed: before,
    added: after,
    problems,
    lineDelta: added.length - removed.length,
  };
}

/** Whether an edit adds or removes definitions (names come or go). */
export function renamesDefinitions(plan: PatchPlan): boolean {
  return plan.addedDefinitions.length > 0 || plan.removedDefinitions.length > 0;
}

/** Whether two lists of references name the same names in the same order. */
export function sameRefs(a: readonly NameRef[], b: readonly NameRef[]): boolean {
  return a.length === b.length && a.every((r, k) => r.name === b[k].name);
}

type Patchable = Extract<Statement, { kind: 'define' | 'claim' | 'declare' }>;

/** The lines' statements, or undefined if one of them is not a definition, a claim or a declaration. */
function statementsOf(lines: EditedLines['added']): Patchable[] | undefined {
  const out: Patchable[] = [];
  for (const { statement } of lines) {
    if (!statement) continue;
    if (statement.kind !== 'define' && statement.kind !== 'claim' && statement.kind !== 'declare') return undefined;
    out.push(statement);
  }
  return out;
}

/**
 * Moves ranges that start on line `from` or below by `delta` lines, in place: the lines after an edit keep
 * their text, so only their line numbers change. Each range object must be passed once.
 */
export function moveRange(r: Range, from: number, delta: number): void {
  if (r.start.line >= from) r.start.line += delta;
  if (r.end.line >= from) r.end.line += delta;
}

export function moveDiagnostic(d: Diagnostic, from: number, delta: number): void {
  moveRange(d.range, from, delta);
  for (const f of d.fixes ?? []) for (const e of f.edits) moveRange(e.range, from, delta);
}

/** The first index whose item's key (`keyOf`) is `key` or more, in items sorted by key. */
export function firstAtOrAfter<T>(items: readonly T[], key: number, keyOf: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keyOf(items[mid]) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
