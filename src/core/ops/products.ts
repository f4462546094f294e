// Products in normal form, shared by `*`, `⊗`, `/` and `⊘`: a product or quotient of scalars, or an
// element-wise one of same-shape values (scalar factors allowed), is flattened into coefficient × Π baseᵉ,
// equal bases are merged and it is rebuilt as coefficient × (positive powers) ⊘ (negative powers), scalars
// in front: (1/u²)·2u → 2/u, (1 ⊘ p) ⊗ e ⊗ y → y ⊗ e ⊘ p, y ⊗ v ⊗ y → y² ⊗ v. Bounded, so long chains
// (deep nests) are left alone instead of costing quadratic time.

import { type Builder, InternalError } from '../builder.ts';
import { type Node, isConst } from '../ir.ts';
import { type Shape, SCALAR, formatShape, sameShape } from '../shape.ts';

const MAX_FACTORS = 12;

/** Operators a product chain is made of. */
const PRODUCT_PARTS = new Set(['const', 'neg', 'mul', 'div', 'pow']);

interface Factors {
  coef: number;
  bases: Map<Node, number>;
  budget: number;
  /** The product's shape: every factor is a scalar or has this shape. */
  shape: Shape;
}

/** Can `n` be a factor of a product of shape `shape` (a scalar, or element-wise of the same shape)? */
function fits(n: Node, shape: Shape): boolean {
  return n.shape.kind === 'scalar' || sameShape(n.shape, shape);
}

function collectFactors(n: Node, e: number, acc: Factors): boolean {
  if (--acc.budget < 0 || !fits(n, acc.shape)) return false;
  if (n.op === 'const') {
    acc.coef *= Math.pow(n.attr as number, e);
    return true;
  }
  if (n.op === 'neg') {
    acc.coef *= -1;
    return collectFactors(n.args[0], e, acc);
  }
  if (n.op === 'mul') return collectFactors(n.args[0], e, acc) && collectFactors(n.args[1], e, acc);
  if (n.op === 'div') return collectFactors(n.args[0], e, acc) && collectFactors(n.args[1], -e, acc);
  if (n.op === 'pow' && isConst(n.args[1])) {
    const base = n.args[0];
    if (isConst(base)) {
      acc.coef *= Math.pow(base.attr as number, e * (n.args[1].attr as number));
      return true;
    }
    acc.bases.set(base, (acc.bases.get(base) ?? 0) + e * (n.args[1].attr as number));
    return true;
  }
  acc.bases.set(n, (acc.bases.get(n) ?? 0) + e);
  return true;
}

/** Counts the factors of a product chain of `shape`, giving up (returning limit + 1) once there are more. */
function factorCount(root: Node, shape: Shape, limit: number): number {
  let count = 0;
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (fits(n, shape) && (n.op === 'mul' || n.op === 'div' || n.op === 'neg')) {
      for (const a of n.args) stack.push(a);
    } else if (++count > limit) return count;
  }
  return count;
}

export function isComparison(n: Node): boolean {
  return n.op === 'gt' || n.op === 'lt' || n.op === 'ge' || n.op === 'le';
}

/** Leaves first, then the rest; differentials last, as in f'(u) du (Jacobians read off them keep that order). */
function rank(n: Node): number {
  return n.op === 'tangent' ? 2 : n.args.length === 0 ? 0 : 1;
}

/** A product as coefficient × Π baseᵉ. */
export interface Monomial {
  coef: number;
  bases: Map<Node, number>;
}

/** `n` as a monomial of shape `shape`, or undefined when it has too many factors or is not a product there. */
export function monomialOf(n: Node, shape: Shape): Monomial | undefined {
  if (factorCount(n, shape, MAX_FACTORS) > MAX_FACTORS) return undefined;
  const acc: Factors = { coef: 1, bases: new Map(), budget: MAX_FACTORS, shape };
  return collectFactors(n, 1, acc) && Number.isFinite(acc.coef) ? acc : undefined;
}

/** Normal form of the product x·y (x ⊗ y), or quotient x/y (x ⊘ y), or undefined when it is already normal. */
export function normalProduct(b: Builder, x: Node, y: Node, quotient: boolean, shape: Shape): Node | undefined {
  // Two plain factors (no constants, powers, products or quotients) are already in normal form.
  if (x !== y && !PRODUCT_PARTS.has(x.op) && !PRODUCT_PARTS.has(y.op)) return undefined;
  // Long chains (deep nests) are left alone without paying for the attempt.
  if (factorCount(x, shape, MAX_FACTORS) + factorCount(y, shape, MAX_FACTORS) > MAX_FACTORS) return undefined;
  const acc: Factors = { coef: 1, bases: new Map(), budget: MAX_FACTORS, shape };
  if (!collectFactors(x, 1, acc) || !collectFactors(y, quotient ? -1 : 1, acc)) return undefined;
  if (!Number.isFinite(acc.coef)) return undefined;
  if (acc.coef === 0) return b.zero(shape);
  if (shape.kind !== 'scalar' && !hasElementwiseBase(acc)) return undefined;
  const result = fromMonomial(b, acc);
  if (!sameShape(result.shape, shape)) throw new InternalError(`internal: a normalised product changed shape to ${formatShape(result.shape)}`);
  if (result === b.graph.intern(quotient ? 'div' : 'mul', [x, y], shape)) return undefined;
  b.fired('collect constants and powers in a product');
  return result;
}

function hasElementwiseBase(m: Monomial): boolean {
  for (const [n, e] of m.bases) if (e !== 0 && n.shape.kind !== 'scalar') return true;
  return false;
}

/** The powers of a monomial sorted into numerator and denominator, scalar and element-wise, in print order. */
interface Powers {
  sNum: Node[];
  sDen: Node[];
  eNum: Node[];
  eDen: Node[];
}

function powersOf(b: Builder, m: Monomial): Powers {
  const parts: Powers = { sNum: [], sDen: [], eNum: [], eDen: [] };
  for (let r = 0; r < 3; r++) {
    for (const [base, e] of m.bases) {
      if (e === 0 || rank(base) !== r) continue;
      const scalar = base.shape.kind === 'scalar';
      const list = e > 0 ? (scalar ? parts.sNum : parts.eNum) : scalar ? parts.sDen : parts.eDen;
      const p = Math.abs(e);
      // An indicator is its own square: 1[c] ⊗ 1[c] = 1[c].
      list.push(p === 1 || isComparison(base) ? base : b.graph.intern('pow', [base, b.constant(p)], base.shape));
    }
  }
  return parts;
}

function product(b: Builder, factors: Node[]): Node {
  let p = factors[0];
  for (let i = 1; i < factors.length; i++) p = b.graph.intern('mul', [p, factors[i]], p.shape.kind === 'scalar' ? factors[i].shape : p.shape);
  return p;
}

function quotient(b: Builder, top: Node, bottom: Node[]): Node {
  if (!bottom.length) return top;
  const d = product(b, bottom);
  return b.graph.intern('div', [top, d], top.shape.kind === 'scalar' ? d.shape : top.shape);
}

/** Coefficient × scalar powers over the scalar denominator ("-2 s / N"). */
function scalarPart(b: Builder, c: number, { sNum, sDen }: Powers): Node {
  if (sNum.length === 0) return quotient(b, b.constant(c), sDen);
  return quotient(b, c === 1 ? product(b, sNum) : product(b, [b.constant(c), ...sNum]), sDen);
}

/**
 * Builds a monomial in normal form: scalars in front (constant first, leaves before the rest), then the
 * element-wise part, quotients last. Without element-wise bases the result is a scalar.
 */
export function fromMonomial(b: Builder, m: Monomial): Node {
  const parts = powersOf(b, m);
  if (!parts.sNum.length && !parts.sDen.length && !parts.eNum.length && !parts.eDen.length) return b.constant(m.coef);
  const elementwise = parts.eNum.length > 0 || parts.eDen.length > 0;
  // A coefficient ±1/k (k a whole number) divides instead: x/2 rather than 0.5·x, 1 ⊘ (2 sqrt(x)). The
  // constant joins the scalar denominator, or the element-wise one when there is no scalar part.
  const reciprocal = 1 / Math.abs(m.coef);
  const divides = Math.abs(m.coef) < 1 && Number.isInteger(reciprocal);
  const coef = divides ? Math.sign(m.coef) : m.coef;
  if (divides) (elementwise && !parts.sNum.length && !parts.sDen.length ? parts.eDen : parts.sDen).unshift(b.constant(reciprocal));
  const scalars = parts.sNum.length > 0 || parts.sDen.length > 0;
  // A lone −1 is a negation; other coefficients lead the product ("-2 s x"), as the other rules keep them.
  if (!elementwise) return coef === -1 && parts.sNum.length > 0 ? b.graph.intern('neg', [scalarPart(b, 1, parts)], SCALAR) : scalarPart(b, coef, parts);
  const part = quotient(b, parts.eNum.length ? product(b, parts.eNum) : b.constant(1), parts.eDen);
  const sign = coef === -1 ? -1 : 1;
  const scaled = scalars || coef * sign !== 1 ? b.graph.intern('mul', [scalarPart(b, coef * sign, parts), part], part.shape) : part;
  return sign < 0 ? b.graph.intern('neg', [scaled], scaled.shape) : scaled;
}
