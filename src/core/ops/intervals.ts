// Interval arithmetic for operators' `range` hooks: a range containing every element of a value, from which
// gradient checks decide which side of a kink can be reached (numeric/pieces.ts).

import type { Node } from '../ir.ts';
import type { Interval } from './types.ts';

export const ALL_REALS: Interval = [-Infinity, Infinity];
export const NON_NEGATIVE: Interval = [0, Infinity];

export function minus([a, b]: Interval, [c, d]: Interval): Interval {
  return [a - d, b - c];
}

export function times([a, b]: Interval, [c, d]: Interval): Interval {
  const products = [a * c, a * d, b * c, b * d];
  if (products.some(Number.isNaN)) return ALL_REALS;
  return [Math.min(...products), Math.max(...products)];
}

/** The range of base^exponent for a constant exponent: even powers and non-negative bases are non-negative. */
export function powRange(base: Interval, exponent: Node): Interval {
  const e = exponent.op === 'const' ? exponent.attr : undefined;
  if (typeof e !== 'number') return ALL_REALS;
  if (Number.isInteger(e) && e % 2 === 0 && e > 0) return NON_NEGATIVE;
  if (base[0] >= 0) return NON_NEGATIVE;
  return ALL_REALS;
}

/** A function increasing everywhere maps an interval's ends. */
export function increasing(f: (x: number) => number): (x: Interval) => Interval {
  return ([a, b]) => [f(a), f(b)];
}
