// The compiled plan's vocabulary, shared by its stages (lower → needed → fusion → buffers → codegen):
// every node is lowered to one of
//  - an inline value (a constant, I, e_j: an expression of the element index),
//  - an input (a variable or a direction dx, read from a slot),
//  - a scalar statement,
//  - an element-wise "map" over a loop of `len` elements,
//  - a "reduction" over such a loop (sum, mean, norm, dot, Xᵀg accumulated row by row),
//  - a kernel call on whole buffers (matrix products, inverse, determinant; runtime helpers, not inlined).

import type { Node } from '../../ir.ts';
import { EvalError, type Tensor } from '../tensor.ts';

/** How a user reads a value: one element per loop iteration, the whole array, or a scalar. */
export type Access = 'point' | 'whole' | 'scalar';
export type Kind = 'input' | 'inline' | 'scalar' | 'map' | 'reduce' | 'kernel';

export interface Dep {
  l: L;
  access: Access;
}

/** A lowered node. */
export interface L {
  node: Node;
  id: number;
  kind: Kind;
  rows: number;
  cols: number;
  size: number;
  /** Loop length (map, reduce). */
  len: number;
  deps: Dep[];
  order: number;
  /** Scalar-valued (its value is `s<id>`), else an array. */
  scalar: boolean;
  /** input: the name it is bound under (a variable's, or tangentKey(name) for a direction). */
  inputName?: string;
  /** Input slot (set once the plan knows which inputs it needs). */
  slot?: number;
  /** Inline element (index expression → JS expression), for constants, I and e_j. */
  inlineAt?: (idx: string) => string;
  /** Inline scalar literal. */
  inlineScalar?: string;
  /**
   * inline: fills the constant array when something reads the value whole; absent for values that depend on
   * an index symbol (e_j), which are refilled at the start of each run from `inlineAt`.
   */
  fill?: (data: Float64Array) => void;
  /** A transpose: the matrix it reads and whether it is read transposed (products read it strided). */
  view?: { base: L; t: boolean };
  /** map: statements defining t<id> (loop index `i`); scalar/kernel: statements defining s<id> or filling the buffer. */
  body?: (c: Ctx) => string;
  /** reduce: before the loop, in the loop, after the loop. */
  init?: (c: Ctx) => string;
  step?: (c: Ctx) => string;
  finish?: (c: Ctx) => string;
  /** Set during planning. */
  needed: boolean;
  users: Dep[];
  buffer?: number;
  constBuffer?: number;
  unitIndexBuffer?: boolean;
}

/** How generated code reads values (codegen.ts). */
export interface Ctx {
  /** Element `idx` of an array value (in-loop locals when idx is the loop index and the value is fused). */
  at(l: L, idx?: string): string;
  /** The array holding a value (materialised). */
  arr(l: L): string;
  /** A scalar value as an atom. */
  sc(l: L): string;
  /** The buffer of this node. */
  buf(l: L): string;
}

/**
 * What the lowering stage offers operators' `lowerJs` hooks (OpDef.lowerJs): each hook lowers its node by
 * calling `make` (or one of the shortcuts) exactly once.
 */
export interface Lowerer {
  /** Rows and columns of a node's value at the plan's sizes. */
  dims(n: Node): [number, number];
  /** The size bound to a dimension name. */
  dimSize(name: string): number;
  /** The lowered value of a node (after aliases). */
  get(n: Node): L;
  /** A matrix operand seen through transposes: the stored matrix, and whether it is read transposed. */
  view(n: Node): { base: L; t: boolean };
  make(n: Node, kind: Kind, deps: Dep[], extra?: Partial<L>): L;
  /** `n` is the same value as `target` (no code of its own). */
  alias(n: Node, target: Node): L;
  /** Read one element per iteration (a scalar as itself). */
  point(l: L): Dep;
  /** Read the whole array (a scalar as itself). */
  whole(l: L): Dep;
  /** An element-wise operator from its element formula, with scalar expansion. */
  elementwise(n: Node, emit: (args: readonly string[], node: Node) => string): L;
  /** A reduction of one array into a scalar: accumulate `step(element)`, then `finish(accumulator)`. */
  reduction(n: Node, arg: L, step: (x: string) => string, finish: (acc: string) => string): L;
  /** Evaluation through the operator's reference kernel, called from the generated code. */
  fallback(n: Node): L;
  /** Registers an error message; `H.fail(k)` throws it at run time. */
  message(text: string): number;
  /** The local holding an index symbol's value (J<k>). */
  indexVar(name: string): string;
}

/** A variable's value: its data (row-major), a number for scalars, or a Tensor. */
export type InputValue = Float64Array | number | Tensor;

export interface PlanInput {
  /** The variable's name (or `tangentKey(name)` for a direction dx). */
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
}

export interface CompiledPlan {
  /** The inputs the plan reads, in slot order (`runSlots` takes them in this order). */
  readonly inputs: readonly PlanInput[];
  /** Free index symbols (e_j) the plan reads, in slot order. */
  readonly indexNames: readonly string[];
  /** The generated function's source (for tests and debugging). */
  readonly source: string;
  /** How many fused loops and kernels the plan runs (for tests and reports). */
  readonly stats: { loops: number; kernels: number; buffers: number; bufferElements: number; largestBuffer: number };
  /**
   * Values of the roots. The tensors are the plan's own buffers: the next call overwrites them (copy what
   * you keep, or use `evaluate`).
   */
  run(vars: ReadonlyMap<string, InputValue>, indices?: ReadonlyMap<string, number>): Tensor[];
  /** Like `run`, with the results copied. */
  evaluate(vars: ReadonlyMap<string, InputValue>, indices?: ReadonlyMap<string, number>): Tensor[];
  /** The fast path: inputs by slot (see `inputs`), no look-ups; results as for `run`. */
  runSlots(inputs: readonly Float64Array[], indices?: readonly number[]): Tensor[];
}

export interface CompileOptions {
  /** Fuse loops across operators (default true; false gives one loop per operator, for testing). */
  fuse?: boolean;
}

export const isLoop = (l: L): boolean => l.kind === 'map' || l.kind === 'reduce';

/** A number as JavaScript source; throws for anything else (attributes are data, never code). */
export function numberLiteral(v: unknown): string {
  if (typeof v !== 'number') throw new EvalError(`internal: expected a number, got ${typeof v}`);
  if (Number.isNaN(v)) return '(0 / 0)';
  if (v === Infinity) return '(1 / 0)';
  if (v === -Infinity) return '(-1 / 0)';
  if (Object.is(v, -0)) return '(-0)';
  const s = String(v);
  if (!/^-?[0-9.e+-]+$/.test(s)) throw new EvalError(`internal: unexpected number text ${JSON.stringify(s)}`);
  return `(${s})`;
}

/** An integer as JavaScript source; throws for anything else. */
export function intLiteral(v: number): string {
  if (!Number.isSafeInteger(v)) throw new EvalError(`internal: expected an integer, got ${v}`);
  return String(v);
}
