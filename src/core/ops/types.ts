// What every operator defines, in one entry per operator: syntax, shape rule, simplification, derivative rules
// (one forward rule and its transpose, plus Jacobian extraction), printing, the reference kernel, the compiled
// JavaScript lowering, the batch rewrite for training, kink and domain knowledge for gradient checks and the
// Python lowering. compile, batch, the gradient checks and the exporter ask the entry; none of them knows an
// operator by name. docs/language.md ("Adding an operator") says which hooks a new operator needs.

import type { Attr, Node } from '../ir.ts';
import type { Dim, Shape } from '../shape.ts';
import type { Builder } from '../builder.ts';
import type { Tensor, EvalEnv } from '../numeric/tensor.ts';
import type { Probe, ProbeContext } from './probes.ts';
import type { Lowerer } from '../numeric/compile/plan.ts';

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

/** What the exporter offers Python lowerings (export/python.ts). */
export interface PythonContext {
  /** The Python name of a variable (a parameter of the exported function). */
  param(name: string): string;
  number(v: number): string;
  /** A dimension: its size, or its name looked up in the module's `dims`. */
  dim(d: Dim): string;
  /** A shape as a Python tuple. */
  shape(s: Shape): string;
}

/**
 * Python for one node, given its arguments as atoms (names, literals or parenthesised expressions); undefined
 * when this node cannot be written (a unit vector with a symbolic index).
 */
export type PythonLowering = (args: readonly string[], node: Node, py: PythonContext) => string | undefined;

/** A range of values, for the interval arithmetic that decides which pieces of a kink can be reached. */
export type Interval = readonly [number, number];

export interface OpDef<N extends string = string> {
  op: N;
  family: string;
  /** One-line description for docs/rules.md. */
  doc: string;
  /** How users call it (name, aliases, arity, builder); absent for leaves and operators written with symbols. */
  syntax?: SurfaceFunction;
  /** The surface function that builds this operator when it has no syntax of its own (diagvec: `diag`). */
  spelledBy?: string;
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
  /**
   * Where the operator is defined, when that is not everywhere (log: u > 0). Outside it the reference kernel
   * gives NaN, so gradient checks re-sample or report "not checked"; tests sample inside it.
   */
  domain?: {
    text: string;
    /** Whether an argument value is inside (strictly, where the derivative exists too). */
    contains(x: number): boolean;
    /** An expression of any real `e` that lies inside, for random-expression generators, e.g. `(1 + (e)^2)`. */
    into(e: string): string;
  };
  /**
   * The operator inverts its square matrix argument ('inverse': its value is the inverse) or goes through its
   * determinant ('determinant'): near a singular argument finite differences are rounding noise, so checks
   * treat ill-conditioned points as outside the domain (numeric/conditioning.ts).
   */
  conditioning?: 'inverse' | 'determinant';
  /** Distance of the arguments from a point where the operator is not differentiable (kinks of max, relu…). */
  kinkDistance?(node: Node, args: readonly Tensor[]): number;
  /** Those points, as a derivation's note says them: "max is not differentiable where its arguments tie" (required with kinkDistance). */
  kinkNote?: string;
  /**
   * Which side of its kink each element is on (0 or 1): gradient checks sample until every piece of a
   * piecewise function has been exercised, so a claim that is right on one piece only cannot pass.
   */
  branch?(node: Node, args: readonly Tensor[]): ArrayLike<number>;
  /**
   * The conditions of the two sides of the kink as comparison symbols (upper side first, where `branch` is 1),
   * for "not checked: no point with a > b" messages; default `['>', '≤']`. A unary kink compares with 0.
   */
  sides?: readonly [string, string];
  /** The branch is 1 where the first argument is below the second (lt, le), not above it. */
  upperBelow?: boolean;
  /**
   * For a hinge — zero on one side of its kink, its argument on the other (relu(z), max(0, z)) — the
   * pre-activation z whose sign decides whether the gradient through it is zero (training reports dead units).
   */
  hinge?(node: Node): Node | undefined;
  /** A range containing every element of the result, given ranges of the arguments' elements (default: all). */
  range?(args: readonly Interval[], node: Node): Interval;
  /**
   * Compiled evaluation (numeric/compile.ts) of an operator applied element by element, with scalar expansion:
   * the JavaScript expression of one result element, given its arguments' elements as atoms (identifiers,
   * array reads or parenthesised literals, possibly repeated). It may use only `Math` and the atoms, and must be
   * parenthesised or a call. Operators without it are evaluated through `evaluate` in compiled plans.
   */
  emitElement?(args: readonly string[], node: Node): string;
  /**
   * Compiled evaluation of a structured operator (products, reductions, leaves…): lowers the node through
   * the compiler's Lowerer (numeric/compile/plan.ts). Takes precedence over `emitElement`; operators with
   * neither run their reference kernel from compiled plans.
   */
  lowerJs?(node: Node, lo: Lowerer): void;
  /**
   * Training's batch rewrite (train/batch.ts): 'elementwise' when the operator applies element by element with
   * scalar expansion, so the batch version is the same operator over rows; otherwise a rule of its own, or why
   * a per-sample value of this operator has no batch form (training then runs row by row). Leaves need none.
   */
  batch?: 'elementwise' | BatchRule | { unbatchable: string };
  /** The Python code it lowers to (export), or why it never reaches an exported module. */
  python?: PythonLowering | { notExported: string };
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

/** An entry, its operator name kept as a literal type (registry.ts derives OpName from the entries). */
export function defineOp<N extends string>(def: OpDef<N>): OpDef<N> {
  return def;
}

/** A per-sample argument during the batch rewrite: its batch version and whether that has one value per row. */
export interface BatchArg {
  node: Node;
  batched: boolean;
}

/** What the batch rewrite offers operators' rules (train/batch.ts). */
export interface BatchContext {
  readonly b: Builder;
  /** The ones vector of a dimension (𝟏[n]). */
  ones(n: Dim): Node;
  /** A per-sample scalar as vector[rows]. */
  asColumn(r: BatchArg): Node;
  /** The rows-wise dot product of per-sample vectors u and v (vector[rows]). */
  rowDot(u: Node, ru: BatchArg, v: Node, rv: BatchArg): Node;
  /** Signals that this per-sample value has no batch form (throws). */
  unbatchable(why: string): never;
}

/** The batch version of `node` (a per-sample value that depends on data) from its arguments' batch versions. */
export type BatchRule = (node: Node, args: readonly BatchArg[], c: BatchContext) => Node;

/** A function the surface language can call, e.g. `sin(x)` or `max(a, b)`. */
export interface SurfaceFunction {
  name: string;
  aliases?: string[];
  /** Number of arguments. */
  arity: number;
  /** Every accepted number of arguments, when there is more than one (`ones(n)`, `ones(m, n)`). */
  arities?: readonly number[];
  /** The arguments are sizes (dimension names or whole numbers), not values: `eye(n)`. */
  sizeArguments?: true;
  /** How the grammar (syntaxes/) highlights the name: support.function.<highlight>.mcalc. */
  highlight: 'math' | 'activation' | 'reduction' | 'linear-algebra';
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
