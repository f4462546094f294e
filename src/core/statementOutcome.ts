// What analysing one definition or claim produced, and everything it read from the rest of the document to
// produce it. An edit re-analyses a statement only when its text changed or one of its reads now gives a
// different answer; otherwise its outcome is reused as it is. Reads are replayed in the order they were made,
// at the point where a full analysis would analyse the statement, so a reused outcome is exactly what a fresh
// analysis would compute. Offsets are relative to the statement's start: an outcome survives being moved.

import type { DerivativeExpr, Expr, Span, Statement } from './ast.ts';
import type { Node } from './ir.ts';
import type { Dim } from './shape.ts';
import type { Severity } from './source.ts';
import type { DerivativeInfo } from './analyze.ts';

/** A definition's value as other statements see it. */
export type Resolved = { kind: 'value'; node: Node } | { kind: 'tensor'; dims: Dim[] } | { kind: 'failed' };

/** A derivative form without its range (computed from its syntax tree when the analysis is assembled). */
export type DerivativeCore = Omit<DerivativeInfo, 'range'>;

/** A diagnostic whose spans are offsets relative to a base (a statement's start, or 0 for the document). */
export interface PendingDiagnostic {
  severity: Severity;
  message: string;
  code: string;
  span: Span;
  hint?: string;
  fixes?: { title: string; edits: { span: Span; text: string }[] }[];
}

/** One look-up in the document's names, with the answer it got. */
export type Read =
  | { kind: 'variable'; name: string; node?: Node }
  /** `form`: whether the definition is written as a derivative form (whatever became of it). */
  | { kind: 'definition'; name: string; found: boolean; form: boolean; value?: Resolved; derivative?: DerivativeCore }
  | { kind: 'dim'; name: string; found: boolean }
  /** Whether a reference closes a definition cycle (the reference is in this statement's tree, so it moves with it). */
  | { kind: 'cyclic'; ref: Span; cyclic: boolean }
  /** The list of all names, read for a spelling suggestion. */
  | { kind: 'names'; names: string };

export interface Outcome {
  readonly stmt: Statement;
  reads: Read[];
  diagnostics: PendingDiagnostic[];
  /** The node of every expression that analysed cleanly (for hovers). */
  readonly nodes: ExprNodes;
  /** Derivative forms in the order they were built. */
  derivatives: { expr: DerivativeExpr; core: DerivativeCore }[];
  /** A definition's value and, when its right-hand side is a derivative form, that form. */
  value?: Resolved;
  derivative?: DerivativeCore;
  /** A claim's results: its own left-hand derivative form, or the definition it names, and its formula. */
  claim?: { left?: DerivativeExpr; leftDefinition?: string; formula?: Node };
  /** A summary of `reads` by name (computed when first needed: see stillValid in analyze.ts). */
  readBits?: number;
}

export function newOutcome(stmt: Statement): Outcome {
  // Every field from the start: fields added later would live out of the object, in a second allocation.
  return { stmt, reads: [], diagnostics: [], nodes: new ExprNodes(), derivatives: [], value: undefined, derivative: undefined, claim: undefined, readBits: undefined };
}

/** The empty array finished outcomes share (frozen: nothing adds to a finished outcome). */
const NONE = Object.freeze([]) as unknown as never[];

/**
 * A finished outcome's lists without spare room: a copy of exactly their length, or the shared empty array (a
 * full analysis keeps one outcome per statement, and most have no diagnostics and no derivative forms; what
 * the analysis keeps is copied by every minor garbage collection while it runs).
 */
export function trimOutcome(o: Outcome): void {
  o.nodes.trim();
  o.reads = o.reads.length ? o.reads.slice() : NONE;
  if (!o.diagnostics.length) o.diagnostics = NONE;
  if (!o.derivatives.length) o.derivatives = NONE;
}

/**
 * The node of each expression of one statement. Most statements have a handful, for which one array of
 * pairs is cheaper to make than a Map (a full analysis makes one per statement); a long line switches to a Map.
 */
export class ExprNodes {
  /** Expression, node, expression, node, … */
  private pairs: (Expr | Node)[] = [];
  private map?: Map<Expr, Node>;

  set(e: Expr, node: Node): void {
    if (this.map) {
      this.map.set(e, node);
      return;
    }
    this.pairs.push(e, node);
    if (this.pairs.length > 64) {
      this.map = new Map();
      for (let i = 0; i < this.pairs.length; i += 2) this.map.set(this.pairs[i] as Expr, this.pairs[i + 1] as Node);
      this.pairs = [];
    }
  }

  get(e: Expr): Node | undefined {
    if (this.map) return this.map.get(e);
    for (let i = this.pairs.length - 2; i >= 0; i -= 2) if (this.pairs[i] === e) return this.pairs[i + 1] as Node;
    return undefined;
  }

  /**
   * Drops the spare room of a grown array (an array that grew by pushing has room for 17): the outcome outlives
   * the statement's analysis, and every byte it keeps is copied by each garbage collection it survives.
   */
  trim(): void {
    if (this.pairs.length) this.pairs = this.pairs.slice();
  }
}

export function sameResolved(a: Resolved | undefined, b: Resolved | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'value') return a.node === (b as typeof a).node;
  if (a.kind === 'tensor') return sameDims(a.dims, (b as typeof a).dims);
  return true;
}

/** Equal as far as any reader can tell (the variable's range is not read: it is looked up again when assembling). */
export function sameDerivative(a: DerivativeCore | undefined, b: DerivativeCore | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.form === b.form &&
    a.syntax === b.syntax &&
    a.text === b.text &&
    a.of === b.of &&
    a.ofText === b.ofText &&
    a.wrt.node === b.wrt.node &&
    a.definition === b.definition &&
    a.node === b.node &&
    sameDims(a.shapes.numerator.dims, b.shapes.numerator.dims) &&
    sameDims(a.shapes.denominator.dims, b.shapes.denominator.dims)
  );
}

function sameDims(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
