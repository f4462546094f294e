// The syntax tree. Every node is its own source span: `start` and `end` offsets into the document text
// (no separate span objects: the tree is retained during analysis, and fewer objects mean less GC work).

import type { Layout } from './shape.ts';

export interface Span {
  start: number;
  end: number;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '^' | 'hadamard' | 'ediv' | 'epow' | 'dot' | '>' | '<' | '>=' | '<=';

export type Expr = (
  | ({ kind: 'number'; value: number; text: string } & Span)
  | ({ kind: 'name'; name: string } & Span)
  /** `[a, b]` (a column of scalars) or `[aᵀ; bᵀ]` (`rows`: a matrix stacked from row vectors). */
  | ({ kind: 'vector'; elements: Expr[]; rows?: true } & Span)
  | ConstantExpr
  | ({ kind: 'index'; target: Expr; index: Expr } & Span)
  | ({ kind: 'transpose'; operand: Expr } & Span)
  | ({ kind: 'neg'; operand: Expr } & Span)
  | ({ kind: 'binary'; op: BinaryOp; opSpan: Span; left: Expr; right: Expr } & Span)
  | ({ kind: 'call'; callee: string; calleeSpan: Span; args: Expr[] } & Span)
  | DerivativeExpr
  /** Placeholder for text that did not parse; its diagnostic is already reported. */
  | ({ kind: 'error' } & Span)
);

/** A constant written with its size: `𝟎[m, n]`, `𝟏[n]`, the identity `𝐈[n]`, the unit vector `𝐞₂[n]` (or `𝐞_j[n]`). */
export interface ConstantExpr extends Span {
  kind: 'constant';
  constant: 'zeros' | 'ones' | 'identity' | 'unit';
  /** The unit vector's index: a number, or a letter in index-form results. */
  index?: number | string;
  dims: DimRef[];
}

export type DerivativeKind = 'jacobian' | 'grad' | 'hessian';

export interface DerivativeExpr extends Span {
  kind: 'derivative';
  form: DerivativeKind;
  /** How it was written: `d(f)/d(x)`, `∂f/∂x`, or a call like `grad(f, x)`. */
  syntax: 'd' | 'partial' | 'call';
  of: Expr;
  wrt: NameRef;
}

export interface NameRef extends Span {
  name: string;
}

/** `name = expr` in a claim's `where` clause: local to that claim. */
export interface LocalDefinition {
  name: NameRef;
  expr: Expr;
  /**
   * The names `expr` refers to (as values, and as variables to differentiate by), in source order: the tree's own
   * nodes, listed by the parser so that the dependency order never walks the tree.
   */
  refs: readonly NameRef[];
}

export type TypeExpr = ({ kind: 'scalar' } | { kind: 'vector'; size: DimRef } | { kind: 'matrix'; rows: DimRef; cols: DimRef }) & Span;

export type DimRef = ({ kind: 'name'; name: string } | { kind: 'literal'; value: number }) & Span;

export type Statement = (
  | { kind: 'dim'; names: NameRef[] }
  | { kind: 'declare'; names: NameRef[]; type: TypeExpr }
  | { kind: 'define'; name: NameRef; expr: Expr; /** As LocalDefinition's. */ refs: readonly NameRef[] }
  | { kind: 'claim'; keywordSpan: Span; left: Expr; right: Expr; where?: LocalDefinition[] }
  /** `layout numerator` / `layout denominator`: the document's Jacobian layout, whatever the caller asked for. */
  | { kind: 'layout'; keywordSpan: Span; layout: Layout; valueSpan: Span }
) &
  Span;
