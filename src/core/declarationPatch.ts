// What a patched re-analysis (Analyzer.patchSteps in analyze.ts) does when the edited lines declare variables: the
// variables after the edit, or nothing when the edit changes more than which variables there are and their
// shapes (a dimension, a message about a name): the statement-by-statement path then follows it. Typing in a
// declaration (`b, y, s: scalar` → `b, r, y, s: scalar`) thereby costs the statements that look the changed
// names up, not a visit of every statement and a move of every syntax tree below it.

import type { DimRef, NameRef, Statement, TypeExpr } from './ast.ts';
import type { DimInfo, VariableInfo } from './analyze.ts';
import { type Dim, matrixOf, SCALAR, type Shape, vectorOf } from './shape.ts';
import type { Range } from './source.ts';

type Declare = Extract<Statement, { kind: 'declare' }>;

/** The shape a declaration's type gives its names. */
export function typeShape(t: TypeExpr): Shape {
  const dim = (d: DimRef): Dim => (d.kind === 'literal' ? d.value : d.name);
  return t.kind === 'scalar' ? SCALAR : t.kind === 'vector' ? vectorOf(dim(t.size)) : matrixOf(dim(t.rows), dim(t.cols));
}

/** The sizes a type names, rows first. */
export function dimRefs(t: TypeExpr): DimRef[] {
  return t.kind === 'scalar' ? [] : t.kind === 'vector' ? [t.size] : [t.rows, t.cols];
}

export interface VariablesAfterEdit {
  /** Every variable after the edit, in the order a full analysis registers them (the document's). */
  variables: Map<string, VariableInfo>;
  /** The names whose variable came, went or changed shape: what looked them up is analysed again. */
  changed: string[];
  /** Whether a variable came or went (the list of all names changed). */
  renamed: boolean;
  /**
   * Variables the edit kept (same name and shape) with their declaration's new range: set once the ranges below
   * the edit have moved (the same objects stay, so everything that holds one sees the new range).
   */
  moved: [VariableInfo, Range][];
}

export interface DeclarationScope {
  /** The variables before the edit. */
  before: ReadonlyMap<string, VariableInfo>;
  dims: ReadonlyMap<string, DimInfo>;
  /** Whether a name cannot be a new variable's: reserved, built in, or a definition's. */
  taken: (name: string) => boolean;
  /** The edited lines, before the edit: first … oldEnd − 1. */
  first: number;
  oldEnd: number;
  /** A variable's record (its node interned: the same name and shape give the same node). */
  variable: (name: NameRef, shape: Shape) => VariableInfo;
}

/**
 * The variables after an edit that replaced the declarations `removed` with `added` (the edited lines', in line
 * order), `statements` being the document's after the edit; undefined when a full pass must follow it: a
 * declaration of the edit names a dimension not declared above it, or (before or after) a name that is reserved,
 * built in, a dimension's or a definition's, or that another declaration also declares, or the edit removes a
 * variable that a dimension is named like — cases whose messages quote or move, or that change the dimensions.
 */
export function variablesAfter(removed: readonly Statement[], added: readonly Statement[], statements: readonly Statement[], scope: DeclarationScope): VariablesAfterEdit | undefined {
  const { before, dims, first, oldEnd } = scope;
  const declaredAbove = (t: TypeExpr) => dimRefs(t).every((d) => d.kind === 'literal' || (dims.get(d.name)?.range.start.line ?? oldEnd) < first);
  const old = new Map<string, VariableInfo>();
  for (const s of removed) {
    if (s.kind !== 'declare') continue;
    if (!declaredAbove(s.type)) return undefined;
    for (const n of s.names) {
      const info = before.get(n.name);
      // Not registered from this line: a duplicate, or a name some message is about.
      if (!info || info.range.start.line < first || info.range.start.line >= oldEnd) return undefined;
      old.set(n.name, info);
    }
  }
  const now = new Map<string, VariableInfo>();
  const moved: [VariableInfo, Range][] = [];
  const edited = new Set<Declare>();
  for (const s of added) {
    if (s.kind !== 'declare') continue;
    if (!declaredAbove(s.type)) return undefined;
    edited.add(s);
    const shape = typeShape(s.type);
    for (const n of s.names) {
      const name = n.name;
      if (now.has(name) || scope.taken(name) || dims.has(name) || (before.has(name) && !old.has(name))) return undefined;
      const info = scope.variable(n, shape);
      const kept = old.get(name);
      if (kept && kept.node === info.node) {
        now.set(name, kept);
        moved.push([kept, info.range]);
      } else now.set(name, info);
    }
  }
  // A dimension named like a variable the edit removes was refused: it would now be one.
  const gone = (d: { name: string }) => old.has(d.name) && !now.has(d.name);
  const variables = new Map<string, VariableInfo>();
  for (const s of statements) {
    if (s.kind === 'dim' && s.names.some(gone)) return undefined;
    if (s.kind !== 'declare') continue;
    if (dimRefs(s.type).some((d) => d.kind === 'name' && gone(d))) return undefined;
    for (const { name } of s.names) {
      const info = edited.has(s) ? now.get(name) : before.get(name);
      // Declared again outside the edit: one of the two is a duplicate, whose message would change.
      if (!edited.has(s) && info && old.get(name) === info) return undefined;
      if (info && !variables.has(name)) variables.set(name, info);
    }
  }
  const changed = [...old.keys()].filter((name) => now.get(name) !== old.get(name));
  const renamed = changed.some((name) => !now.has(name)) || [...now.keys()].some((name) => !old.has(name));
  for (const name of now.keys()) if (!old.has(name)) changed.push(name);
  return { variables, changed, renamed, moved };
}
