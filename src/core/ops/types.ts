// What every operator family defines, in one place per family: shape rule, simplification, derivative rules
// (forward, reverse, Jacobian extraction), printing and the numeric kernel.

import type { Attr, Node } from '../ir.ts';
import type { Shape } from '../shape.ts';
import type { Builder } from '../builder.ts';
import type { Tensor, EvalEnv } from '../numeric/tensor.ts';
import type { Probe, ProbeContext } from './probes.ts';

export interface ShapeError {
  error: string;
  hint?: string;
}

export function isShapeError(x: Shape | ShapeError): x is ShapeError {
  return 'error' in x;
}

/** Precedence levels for printing (higher binds tighter). */
export const PREC = {
  compare: 1,
  add: 2,
  mul: 3,
  neg: 4,
  pow: 5,
  postfix: 6,
  atom: 7,
} as const;

export interface Printer {
  readonly mode: 'text' | 'latex';
  /** Prints a child, parenthesised when it binds looser than `minPrec`. */
  arg(node: Node, minPrec: number): string;
  /** Prints a child in a context that needs no parentheses (function argument). */
  plain(node: Node): string;
  /** Whether a child prints as a name (a definition or a shared intermediate) rather than its expression. */
  named(node: Node): boolean;
}

export interface DerivativeRule {
  /** Name of the rule in the derivation record, e.g. "power rule". */
  name: string;
  /** The rule as a formula (text), for docs/rules.md and hovers. */
  text: string;
  latex: string;
}

export interface OpDef {
  op: string;
  family: string;
  /** One-line description for docs/rules.md. */
  doc: string;
  /** Shape of the result, or a plain-English error naming the shapes. */
  shape(args: readonly Shape[], attr: Attr): Shape | ShapeError;
  /** Algebraic simplification applied when the node is built; undefined when nothing applies. */
  simplify?(args: readonly Node[], attr: Attr, b: Builder, shape: Shape): Node | undefined;
  /** Forward derivative: the tangent of `node` from its arguments' tangents (null means zero). */
  jvp?(node: Node, tangents: readonly (Node | null)[], b: Builder): Node | null;
  /** Reverse derivative: the cotangent contribution to `node.args[k]` from the node's cotangent `seed`. */
  vjp?(node: Node, seed: Node, k: number, b: Builder): Node;
  /**
   * Jacobian extraction for an operator that is linear in the arguments that vary (`Js[k]` is the Jacobian of
   * argument k w.r.t. a vector variable, null where the argument is constant): the node's Jacobian, or null
   * when it is not a matrix (a higher-order tensor).
   */
  jacobian?(node: Node, Js: readonly (Node | null)[], b: Builder): Node | null;
  /**
   * Jacobian extraction through matrix-valued differentials (ops/probes.ts): for a matrix node linear in the
   * tangent, the Jacobian of the probe `p` of it (dM·w, dMᵀ·w, tr(C·dM), diag(A·dM·B)); with `p` null, the own
   * Jacobian of a vector, row or scalar node whose matrix argument varies (dM·w, tr(dM)). null when no rule applies.
   */
  probe?(node: Node, p: Probe | null, ctx: ProbeContext, b: Builder): Node | null;
  /** Distance of the arguments from a point where the operator is not differentiable (kinks of max, relu…). */
  kinkDistance?(node: Node, args: readonly Tensor[]): number;
  /**
   * Which side of its kink each element is on (0 or 1): gradient checks sample until every piece of a
   * piecewise function has been exercised, so a claim that is right on one piece only cannot pass.
   */
  branch?(node: Node, args: readonly Tensor[]): ArrayLike<number>;
  /**
   * Compiled evaluation (numeric/compile.ts) of an operator applied element by element, with scalar expansion:
   * the JavaScript expression of one result element, given its arguments' elements as atoms (identifiers,
   * array reads or parenthesised literals, possibly repeated). It may use only `Math` and the atoms, and must be
   * parenthesised or a call. Operators without it are evaluated through `evaluate` in compiled plans.
   */
  emitElement?(args: readonly string[], node: Node): string;
  /** The derivative rule, for the derivation record and docs/rules.md. */
  rule?: DerivativeRule;
  /**
   * The normal form `simplify` keeps this operator in, as rewrites (for docs/rules.md); results read as a
   * textbook prints them because every operator keeps its own.
   */
  normalForms?: string[];
  /** Worked examples for docs/rules.md, differentiated by the engine itself when the docs are generated. */
  examples?: { expr: string; wrt: string }[];
  prec(node: Node): number;
  format(node: Node, p: Printer): string;
  evaluate(node: Node, args: readonly Tensor[], env: EvalEnv): Tensor;
}

/** A function the surface language can call, e.g. `sin(x)` or `max(a, b)`. */
export interface SurfaceFunction {
  name: string;
  aliases?: string[];
  /** Number of arguments. */
  arity: number;
  /** Short signature for messages and docs, e.g. `max(a, b)`. */
  signature: string;
  doc: string;
  /** Builds the IR node; returns a ShapeError to report instead. */
  build(b: Builder, args: Node[]): Node | ShapeError;
}

/** Jacobian rule for an operator linear in each argument separately: the contributions add up. */
export function eachLinearArg(rule: (node: Node, k: number, J: Node, b: Builder) => Node | null): NonNullable<OpDef['jacobian']> {
  return (node, Js, b) => {
    let total: Node | null = null;
    for (let k = 0; k < Js.length; k++) {
      const J = Js[k];
      if (!J) continue;
      const part = rule(node, k, J, b);
      if (!part) return null;
      total = total ? b.add(total, part) : part;
    }
    return total;
  };
}
