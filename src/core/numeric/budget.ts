// Sizing numeric work before anything is allocated. Every tensor a check or an evaluation would build is
// counted from its shape and the bound sizes (in floating point: 10⁹ × 10⁹ must not wrap), so a request that
// would take gigabytes is refused in milliseconds with a message saying what is too large and how to shrink it.

import { type Node, topoOrder } from '../ir.ts';
import { superscript } from '../ops/format.ts';
import { type Shape, dimsOf } from '../shape.ts';
import { materialisedOrder } from './sandwich.ts';

/** Default largest tensor a check or an evaluation may build (10⁷ float64s: 80 MB). */
export const DEFAULT_MAX_ELEMENTS = 1e7;

/** A request over the budget: the message says what is too large and what to do. */
export class BudgetError extends Error {}

/** Elements of a value of shape `s`; an unbound dimension counts as 1 (it is reported elsewhere). */
export function elementCount(s: Shape, dims: ReadonlyMap<string, number>): number {
  const size = (d: string | number) => (typeof d === 'number' ? d : (dims.get(d) ?? 1));
  switch (s.kind) {
    case 'scalar':
      return 1;
    case 'vector':
    case 'row':
      return size(s.n);
    case 'matrix':
      return size(s.m) * size(s.n);
  }
}

/** The node with the most elements among those an evaluation of `roots` builds (a Hessian sandwich's N×N diagonal is never built). */
export function largestNode(roots: readonly Node[], dims: ReadonlyMap<string, number>): { node: Node; elements: number } | undefined {
  let best: { node: Node; elements: number } | undefined;
  for (const node of materialisedOrder(roots)) {
    const elements = elementCount(node.shape, dims);
    if (!best || elements > best.elements) best = { node, elements };
  }
  return best;
}

/** Total elements of every node of `roots`: the work of one evaluation, roughly. */
export function totalElements(roots: readonly Node[], dims: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const node of topoOrder(roots)) total += elementCount(node.shape, dims);
  return total;
}

/** A count as people read it: 4000, 250000, 10⁹, 2.5×10¹⁸. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n < 1e6) return String(Math.round(n));
  const exponent = Math.floor(Math.log10(n) + 1e-9);
  const mantissa = Number((n / 10 ** exponent).toPrecision(2));
  const power = `10${superscript(String(exponent))}`;
  return mantissa === 1 ? power : `${mantissa}×${power}`;
}

/** "n = 10⁹, m = 3": the sizes a message is about. */
export function formatSizes(dims: ReadonlyMap<string, number>): string {
  return [...dims].map(([k, v]) => `${k} = ${formatCount(v)}`).join(', ');
}

/** The largest-tensor budget as given (a positive whole number), or the default. */
export function resolveBudget(max: number | undefined): number {
  if (max === undefined) return DEFAULT_MAX_ELEMENTS;
  if (!Number.isSafeInteger(max) || max < 1) throw new BudgetError(`The element budget must be a positive whole number, not ${max}.`);
  return max;
}

/** Element operations the finite differences of one point may take, per element of the tensor budget. */
const WORK_PER_TENSOR = 100;

/**
 * Refuses (BudgetError) a check whose tensors or finite differences would exceed the budget, before anything
 * is allocated: the dense derivative (full mode), every tensor of f, the claim and the engine's result, and
 * the element-by-element finite differences (2 evaluations of f per element of x; 4 per pair for Hessians).
 */
export function ensureCheckAffordable(what: string, hessian: boolean, o: { fast: boolean; maxElements: number }, dims: ReadonlyMap<string, number>, x: { shape: Shape }, f: Node, roots: readonly Node[]): void {
  const at = dims.size ? ` at ${formatSizes(dims)}` : '';
  const limit = `(the limit is ${formatCount(o.maxElements)} per tensor)`;
  // --dim sizes only the symbolic dimensions: a tensor whose sizes are all written in the document needs others.
  const smaller = (...shapes: Shape[]) =>
    shapes.some((s) => dimsOf(s).some((d) => typeof d === 'string'))
      ? 'a smaller --dim'
      : 'smaller sizes in the document, or a larger --max-elements';
  const xSize = elementCount(x.shape, dims);
  const dense = hessian ? xSize * xSize : elementCount(f.shape, dims) * xSize;
  if (!o.fast && dense > o.maxElements) throw new BudgetError(`${what} has ${formatCount(dense)} elements${at} ${limit}: use --fast or ${smaller(f.shape, x.shape)}`);
  const big = largestNode(roots, dims);
  if (big && big.elements > o.maxElements) {
    const name = big.node.op === 'var' ? String(big.node.attr) : `a part of ${what}`;
    throw new BudgetError(`${name} has ${formatCount(big.elements)} elements${at} ${limit}: use ${smaller(big.node.shape)}`);
  }
  if (o.fast) return;
  const evaluations = hessian ? 2 * xSize * (xSize + 1) : 2 * xSize;
  const work = evaluations * totalElements([f], dims);
  if (work > WORK_PER_TENSOR * o.maxElements) {
    throw new BudgetError(`checking ${what} element by element takes ${formatCount(evaluations)} evaluations of f (${formatCount(work)} element operations)${at}: use --fast or ${smaller(f.shape, x.shape)}`);
  }
}
