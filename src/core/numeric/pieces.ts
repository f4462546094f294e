// The pieces of a piecewise formula and which of them a gradient check has exercised.
//
// Every operator with a `branch` (max, min, relu, abs, sign, comparisons: the entry says) splits its domain in two: the
// side where the branch is 1 ("upper": a > b, u > 0) and the side where it is 0. A claim that is right on one
// side only agrees with finite differences wherever that side holds, so a check may pass only once every
// piece of f, of the claim and of the engine's result has been seen on each side that can be reached.
//
// "Can be reached" is decided conservatively by interval arithmetic: a side is unreachable only when the
// kink argument's range proves it (exp(u) > 0, u² ≥ 0, |u| ≥ 0…: each entry's `range` hook); anything else
// must be sampled.

import { type Node, topoOrder } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import { minus, ALL_REALS } from '../ops/intervals.ts';
import type { Interval } from '../ops/types.ts';
import { toText } from '../print.ts';
import type { Tensor } from './tensor.ts';

const LOWER = 1;
const UPPER = 2;

/** Magnitudes the search for missing pieces tries, smallest first (values are drawn from ±scale). */
export const SEARCH_SCALES = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000] as const;
/** Points drawn per scale while searching, at most (each of the twelve kinds of draw four times: see searchDraw)… */
export const SEARCH_POINTS_PER_SCALE = 48;
/** …and fewer for large inputs, so that the search evaluates about this many elements in all (≥ 1 per scale). */
export const SEARCH_WORK = 1e7;

/** Points per scale for a search whose candidates each evaluate `elements` elements. */
export function searchPointsPerScale(elements: number): number {
  const affordable = Math.floor(SEARCH_WORK / (Math.max(1, elements) * SEARCH_SCALES.length));
  return Math.max(1, Math.min(SEARCH_POINTS_PER_SCALE, affordable));
}

export class Pieces {
  /** Piecewise operators that depend on a variable (constant ones cannot change side). */
  readonly nodes: readonly Node[];
  private readonly seen = new Map<Node, number>();
  private readonly reachable = new Map<Node, number>();

  constructor(roots: readonly Node[]) {
    this.nodes = topoOrder(roots).filter((n) => n.vars.size > 0 && !!opDef(n.op).branch);
    const ranges = new Map<Node, Interval>();
    for (const n of this.nodes) this.reachable.set(n, reachableSides(n, ranges));
  }

  /** The sides (bit mask) each piece takes at a point, from values that include its arguments. */
  sidesAt(values: ReadonlyMap<Node, Tensor>): Map<Node, number> {
    const out = new Map<Node, number>();
    for (const n of this.nodes) {
      const sides = opDef(n.op).branch!(n, n.args.map((a) => values.get(a)!));
      let mask = 0;
      for (let i = 0; i < sides.length && mask !== (LOWER | UPPER); i++) mask |= sides[i] ? UPPER : LOWER;
      out.set(n, mask);
    }
    return out;
  }

  record(sides: ReadonlyMap<Node, number>): void {
    for (const [n, mask] of sides) this.seen.set(n, (this.seen.get(n) ?? 0) | mask);
  }

  /** Pieces with a reachable side that no checked point has taken yet. */
  missing(): Node[] {
    return this.nodes.filter((n) => (this.reachable.get(n)! & ~(this.seen.get(n) ?? 0)) !== 0);
  }

  /** Does a point with these sides take a side still missing? */
  wouldCover(sides: ReadonlyMap<Node, number>): boolean {
    return this.nodes.some((n) => (this.reachable.get(n)! & ~(this.seen.get(n) ?? 0) & (sides.get(n) ?? 0)) !== 0);
  }

  /** "x > 3", the condition of the side of `n` never taken, in the document's words. */
  missingCondition(n: Node, names: ReadonlyMap<Node, string>): string {
    const side = this.reachable.get(n)! & ~(this.seen.get(n) ?? 0) & UPPER ? UPPER : LOWER;
    return condition(n, side, names);
  }
}

/** The condition of one side of a piece: `a > b` / `a ≤ b` for max, min and comparisons, `u > 0` / `u ≤ 0`. */
function condition(n: Node, side: number, names: ReadonlyMap<Node, string>): string {
  const text = (x: Node) => toText(x, { names });
  const [a, b] = n.args;
  const [upper, lower] = opDef(n.op).sides ?? ['>', '≤'];
  return `${text(a)} ${side === UPPER ? upper : lower} ${b ? text(b) : '0'}`;
}

// ---- reachability by interval arithmetic ------------------------------------------------------------------

/** Sides of a piece that hold on a set of positive measure, as far as the kink argument's range shows. */
function reachableSides(n: Node, memo: Map<Node, Interval>): number {
  const [lo, hi] = n.args.length === 1 ? range(n.args[0], memo) : minus(range(n.args[0], memo), range(n.args[1], memo));
  // The branch is 1 where the difference d = a − b is positive (gt, max, min, unary), negative (lt), …;
  // ties have measure zero and are re-sampled as kinks anyway.
  const positive = hi > 0 ? 1 : 0;
  const negative = lo < 0 ? 1 : 0;
  const upperWhenPositive = !opDef(n.op).upperBelow;
  const upper = upperWhenPositive ? positive : negative;
  const lower = upperWhenPositive ? negative : positive;
  return (upper ? UPPER : 0) | (lower ? LOWER : 0);
}

/** A range containing every element of `n`, for every value of the variables. */
function range(n: Node, memo: Map<Node, Interval>): Interval {
  const known = memo.get(n);
  if (known) return known;
  const args = n.args.map((a) => range(a, memo));
  const rule = opDef(n.op).range;
  let r: Interval = rule ? rule(args, n) : ALL_REALS;
  if (Number.isNaN(r[0]) || Number.isNaN(r[1])) r = ALL_REALS;
  memo.set(n, r);
  return r;
}
