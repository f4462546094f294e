// Sums in normal form, shared by `+` and `−`: terms with a common factor collect. Matrix products with a
// common right or left factor (A·B·u − C·u → (A·B − C)·u), diagonal matrices (diag(a) + diag(b) →
// diag(a + b)), scalar multiples of one value (s·v + t·v → (s + t)·v) and element-wise products with common
// powers (y² ⊗ e² ⊘ p² − y² ⊗ e ⊘ p → y² ⊗ e ⊘ p² ⊗ (e − p)). Hessians of GLM losses become sandwiches
// Xᵀ·diag(…)·X through these rules alone.

import type { Builder } from '../builder.ts';
import { type Node, constValue, isConst, isScalarConst } from '../ir.ts';
import { sameShape } from '../shape.ts';
import { type Monomial, fromMonomial, monomialOf } from './products.ts';

type Combine = (p: Node, q: Node) => Node;

/** Splits `c·x` into its constant coefficient and the rest. */
export function coefficient(n: Node): [number, Node] {
  if (n.op === 'neg') {
    const [c, base] = coefficient(n.args[0]);
    return [-c, base];
  }
  if (n.op === 'mul' && isScalarConst(n.args[0]) && !isConst(n.args[1])) return [constValue(n.args[0])!, n.args[1]];
  return [1, n];
}

/** Is `n` a non-scalar times or over a scalar (s·A, A/s)? Such a factor belongs to the whole product chain. */
function isScaled(n: Node): boolean {
  if (n.op === 'mul') return n.args[0].shape.kind === 'scalar' && n.args[1].shape.kind !== 'scalar';
  return n.op === 'div' && n.args[1].shape.kind === 'scalar' && n.args[0].shape.kind !== 'scalar';
}

/** The non-scalar inside s·A or A/s. */
function unscaled(n: Node): Node {
  return n.op === 'mul' ? n.args[1] : n.args[0];
}

/** s·A or A/s with A replaced by `m`. */
function rescaled(b: Builder, n: Node, m: Node): Node {
  return n.op === 'mul' ? b.mul(n.args[0], m) : b.div(m, n.args[1]);
}

/** The last factor of a matrix product chain s·A·B·…·u (however associated), or undefined if not a product. */
function lastFactor(n: Node): Node | undefined {
  let m = isScaled(n) ? unscaled(n) : n;
  if (m.op !== 'matmul') return undefined;
  while (m.op === 'matmul') m = m.args[1];
  return m;
}

/** The chain without its last factor (s·A·B). */
function withoutLast(b: Builder, n: Node): Node {
  if (isScaled(n)) return rescaled(b, n, withoutLast(b, unscaled(n)));
  const [left, right] = n.args;
  return right.op === 'matmul' ? b.matmul(left, withoutLast(b, right)) : left;
}

function firstFactor(n: Node): Node | undefined {
  let m = isScaled(n) ? unscaled(n) : n;
  if (m.op !== 'matmul') return undefined;
  while (m.op === 'matmul') m = m.args[0];
  return m;
}

function withoutFirst(b: Builder, n: Node): Node {
  if (isScaled(n)) return rescaled(b, n, withoutFirst(b, unscaled(n)));
  const [left, right] = n.args;
  return left.op === 'matmul' ? b.matmul(withoutFirst(b, left), right) : right;
}

/** The vector of a diagonal matrix diag(v), s·diag(v) or −diag(v), as v, s·v or −v. */
function diagonalOf(b: Builder, n: Node): Node | undefined {
  if (n.op === 'diag') return n.args[0];
  if (n.op === 'neg' && n.args[0].op === 'diag') return b.neg(n.args[0].args[0]);
  if (isScaled(n) && unscaled(n).op === 'diag') return rescaled(b, n, unscaled(n).args[0]);
  return undefined;
}

/**
 * The common part of two monomials: each base both contain with exponents of the same sign, at the exponent
 * nearer zero for powers (u² and u → u) and at the lower one for quotients (the common denominator: ⊘p² and
 * ⊘p → ⊘p²), and a common coefficient. Returns the common part and what is left of each, or undefined
 * when nothing is shared.
 */
function commonPart(p: Monomial, q: Monomial): [Monomial, Monomial, Monomial] | undefined {
  const common: Monomial = { coef: 1, bases: new Map() };
  const restP: Monomial = { coef: p.coef, bases: new Map(p.bases) };
  const restQ: Monomial = { coef: q.coef, bases: new Map(q.bases) };
  for (const [base, ep] of p.bases) {
    const eq = q.bases.get(base) ?? 0;
    if (ep === 0 || eq === 0 || Math.sign(ep) !== Math.sign(eq)) continue;
    const e = Math.min(ep, eq);
    common.bases.set(base, e);
    restP.bases.set(base, ep - e);
    restQ.bases.set(base, eq - e);
  }
  // Equal coefficients come out too: Aᵀ/2 + A/2 → (Aᵀ + A)/2.
  if (Math.abs(p.coef) === Math.abs(q.coef) && Math.abs(p.coef) !== 1) {
    common.coef = Math.abs(p.coef);
    restP.coef = Math.sign(p.coef);
    restQ.coef = Math.sign(q.coef);
  }
  return common.bases.size || common.coef !== 1 ? [common, restP, restQ] : undefined;
}

/**
 * A term cancelling inside the other operand: x − (c + x) → −c, (x + c) − x → c, x + (c − x) → c, and so on;
 * `minus` says whether the operation is x − y. Undefined when nothing cancels.
 */
export function cancelTerm(b: Builder, x: Node, y: Node, minus: boolean): Node | undefined {
  const other = (sum: Node, term: Node): Node | undefined => (sum.args[0] === term ? sum.args[1] : sum.args[1] === term ? sum.args[0] : undefined);
  const result = (r: Node) => (b.fired('cancel a term: x − (c + x) → −c'), b.broadcast(r, x.shape.kind === 'scalar' ? y.shape : x.shape));
  if (minus) {
    const c = y.op === 'add' ? other(y, x) : undefined;
    if (c) return result(b.neg(c));
    const d = x.op === 'add' ? other(x, y) : undefined;
    if (d) return result(d);
    if (y.op === 'sub' && y.args[0] === x) return result(y.args[1]);
    if (x.op === 'sub' && x.args[0] === y) return result(b.neg(x.args[1]));
    return undefined;
  }
  if (y.op === 'sub' && y.args[1] === x) return result(y.args[0]);
  if (x.op === 'sub' && x.args[1] === y) return result(x.args[0]);
  return undefined;
}

/** x ± y with a common factor taken out (`combine` is the sum or the difference), or undefined. */
export function factorCommon(b: Builder, x: Node, y: Node, combine: Combine): Node | undefined {
  if (!sameShape(x.shape, y.shape)) return undefined;
  const u = lastFactor(x);
  if (u && u === lastFactor(y)) {
    b.fired('factor out a common right factor: Ax + Bx → (A + B)x');
    return b.matmul(combine(withoutLast(b, x), withoutLast(b, y)), u);
  }
  const a = firstFactor(x);
  if (a && a === firstFactor(y)) {
    b.fired('factor out a common left factor: Ax + Ay → A(x + y)');
    return b.matmul(a, combine(withoutFirst(b, x), withoutFirst(b, y)));
  }
  const dx = diagonalOf(b, x);
  const dy = dx && diagonalOf(b, y);
  if (dx && dy) return (b.fired('diag(a) + diag(b) → diag(a + b)'), b.call('diag', combine(dx, dy)));
  // s·v ± t·v → (s ± t)·v  for non-constant scalars s, t and a common non-scalar v
  if (x.op === 'mul' && y.op === 'mul' && isScaled(x) && isScaled(y) && x.args[1] === y.args[1]) {
    b.fired('collect like terms: s·x + t·x → (s + t)x');
    return b.mul(combine(x.args[0], y.args[0]), x.args[1]);
  }
  return commonPowers(b, x, y, combine);
}

/** Element-wise products with common powers: the common part times the sum of what is left. */
function commonPowers(b: Builder, x: Node, y: Node, combine: Combine): Node | undefined {
  const p = monomialOf(x, x.shape);
  const q = p && monomialOf(y, y.shape);
  const split = q && commonPart(p, q);
  if (!split) return undefined;
  const [common, restX, restY] = split;
  b.fired('collect common factors: a ⊗ c + b ⊗ c → (a + b) ⊗ c');
  // A constant tensor c𝟏 counts as its coefficient c, so the parts may be scalars: expand the result back.
  return b.broadcast(b.mul(fromMonomial(b, common), combine(fromMonomial(b, restX), fromMonomial(b, restY))), x.shape);
}

/** diag(a), −diag(a), s·diag(a) or diag(a)/s (and their negations). */
function diagonal(n: Node): boolean {
  if (n.op === 'neg') return diagonal(n.args[0]);
  return n.op === 'diag' || (isScaled(n) && unscaled(n).op === 'diag');
}

/** Do two terms collect into one by the rules above (not counting common powers, which almost any share)? */
function collectable(p: Node, q: Node): boolean {
  if (!sameShape(p.shape, q.shape)) return false;
  const u = lastFactor(p);
  if (u && u === lastFactor(q)) return true;
  const a = firstFactor(p);
  if (a && a === firstFactor(q)) return true;
  if (diagonal(p) && diagonal(q)) return true;
  return coefficient(p)[1] === coefficient(q)[1];
}

/**
 * A longer sum (x₀ ± x₁) ± y whose last term collects with one of the others: the two are combined and the
 * sum rebuilt, so Aᵀx/2 − b + Ax/2 → (A + Aᵀ)x/2 − b however the terms arrived. Undefined otherwise.
 */
export function regroup(b: Builder, x: Node, y: Node, minus: boolean): Node | undefined {
  if ((x.op !== 'add' && x.op !== 'sub') || !sameShape(x.shape, y.shape)) return undefined;
  const [x0, x1] = x.args;
  // Terms that look collectable but do not combine (the sum keeps both) are left alone: regrouping them
  // would only reorder the sum, and the reordered sum would regroup back, without end.
  const combined = (r: Node, t: Node) => ((r.op === 'add' || r.op === 'sub') && (r.args.includes(t) || r.args.includes(y)) ? undefined : r);
  const first = collectable(x0, y) ? combined(minus ? b.sub(x0, y) : b.add(x0, y), x0) : undefined;
  if (first) return (b.fired('regroup a sum to collect like terms'), b.node(x.op, [first, x1]));
  if (!collectable(x1, y)) return undefined;
  // x₀ + x₁ ± y = x₀ + (x₁ ± y);  x₀ − x₁ ± y = x₀ − (x₁ ∓ y)
  const second = combined(x.op === 'add' ? (minus ? b.sub(x1, y) : b.add(x1, y)) : minus ? b.add(x1, y) : b.sub(x1, y), x1);
  if (!second) return undefined;
  b.fired('regroup a sum to collect like terms');
  return b.node(x.op, [x0, second]);
}
