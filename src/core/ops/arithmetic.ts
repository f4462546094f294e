// Arithmetic: + − (with scalar expansion), negation, scalar and element-wise products and quotients (* ⊗ / ⊘),
// powers, matrix products, transpose and the dot product.

import type { Builder } from '../builder.ts';
import { type Node, constValue, isConst, isIdentity, isScalarConst, isZero } from '../ir.ts';
import { isComparison, normalProduct } from './products.ts';
import { minus, powRange, times } from './intervals.ts';
import { cancelTerm, coefficient, factorCommon, regroup } from './sums.ts';
import { PREC, eachLinearArg, type OpDef, type ShapeError } from './types.ts';
import {
  type Shape, SCALAR, cols, formatShape, rows, sameDim, sameShape, shapeFromDims, transposeShape, vectorOf,
} from '../shape.ts';
import { map2, matmulT, scalarT, transposeT, EvalError } from '../numeric/tensor.ts';
import { lowerDot, lowerMatmul, lowerTranspose } from './lowerJs.ts';
import { addProbe, divProbe, matmulProbe, mulProbe, negProbe, subProbe, transposeProbe } from './probeRules.ts';

// ---- shape rules ------------------------------------------------------------------------------------------

/** Element-wise binary shapes with scalar expansion. */
export function elementwiseShape(verb: string, a: Shape, b: Shape): Shape | ShapeError {
  if (a.kind === 'scalar') return b;
  if (b.kind === 'scalar') return a;
  if (sameShape(a, b)) return a;
  const fa = formatShape(a);
  const fb = formatShape(b);
  if ((a.kind === 'vector' && b.kind === 'row') || (a.kind === 'row' && b.kind === 'vector')) {
    return { error: `Cannot ${verb} ${fa} and ${fb}: one is a column and the other a row.`, hint: 'Transpose one of them (xᵀ) so both are columns or both rows.' };
  }
  if (a.kind === b.kind && a.kind !== 'matrix') {
    return { error: `Cannot ${verb} ${fa} and ${fb}: the sizes ${rows(a) === 1 ? cols(a) : rows(a)} and ${rows(b) === 1 ? cols(b) : rows(b)} differ.` };
  }
  if (a.kind === 'matrix' && b.kind === 'matrix') {
    return { error: `Cannot ${verb} ${fa} and ${fb}: element-wise operations need the same rows and columns.`, hint: sameDim(rows(a), cols(b)) && sameDim(cols(a), rows(b)) ? 'Transpose one of them.' : undefined };
  }
  return { error: `Cannot ${verb} ${fa} and ${fb}: element-wise operations need the same shape, or a scalar on one side.`, hint: scalingHint(a, b) };
}

/** For a vector beside a matrix with as many rows or columns: how to scale the matrix's rows or columns by it. */
function scalingHint(a: Shape, b: Shape): string | undefined {
  const [v, M] = a.kind === 'matrix' ? [b, a] : [a, b];
  if (M.kind !== 'matrix' || (v.kind !== 'vector' && v.kind !== 'row')) return undefined;
  if (sameDim(v.n, rows(M))) return 'To scale each row of the matrix by an element of the vector, write diag(v) * M.';
  if (sameDim(v.n, cols(M))) return 'To scale each column of the matrix by an element of the vector, write M * diag(v).';
  return undefined;
}

export function matmulShape(a: Shape, b: Shape): Shape | ShapeError {
  if (a.kind === 'scalar' || b.kind === 'scalar') return a.kind === 'scalar' ? b : a;
  const fa = formatShape(a);
  const fb = formatShape(b);
  if (a.kind === 'vector' && b.kind === 'vector') {
    return {
      error: `Cannot multiply ${fa} by ${fb}: a column vector times a column vector is not a matrix product.`,
      hint: 'Use ⊗ (or .*) for the element-wise product, · (or dot(x, y)) for the dot product, or xᵀ * y.',
    };
  }
  if (a.kind === 'row' && b.kind === 'row') {
    return { error: `Cannot multiply ${fa} by ${fb}: a row vector times a row vector is not a matrix product.`, hint: 'Transpose the second one (x * yᵀ) or use ⊗ for the element-wise product.' };
  }
  if (!sameDim(cols(a), rows(b))) {
    return {
      error: `Cannot multiply ${fa} by ${fb}: the left side has ${cols(a)} column${cols(a) === 1 ? '' : 's'} but the right side has ${rows(b)} row${rows(b) === 1 ? '' : 's'}.`,
      hint: sameDim(rows(a), rows(b)) ? 'Did you mean to transpose the left side?' : sameDim(cols(a), cols(b)) ? 'Did you mean to transpose the right side?' : undefined,
    };
  }
  const kind: Shape['kind'] = a.kind === 'row' ? (b.kind === 'vector' ? 'scalar' : 'row') : b.kind === 'vector' ? 'vector' : 'matrix';
  return shapeFromDims(rows(a), cols(b), kind);
}

/** The shape of a · b (and of dot(a, b)): two vectors of one length give a scalar. */
export function dotShape(a: Shape, b: Shape): Shape | ShapeError {
  const vec = (s: Shape) => s.kind === 'vector' || s.kind === 'row';
  if (!vec(a) || !vec(b)) {
    return { error: `The dot product needs two vectors, not ${formatShape(a)} and ${formatShape(b)}.`, hint: a.kind === 'matrix' || b.kind === 'matrix' ? 'Use * for matrix products.' : 'Use * to multiply by a scalar.' };
  }
  if (!sameDim((a as { n: string | number }).n, (b as { n: string | number }).n)) {
    return { error: `The dot product needs vectors of the same length, not ${formatShape(a)} and ${formatShape(b)}.` };
  }
  return SCALAR;
}

/** What is wrong with the shapes of a call dot(a, b), if anything. */
function dotCallError(a: Shape, c: Shape): ShapeError | undefined {
  const vecLike = (s: Shape) => s.kind === 'vector' || s.kind === 'row';
  if (!vecLike(a) || !vecLike(c)) return { error: `dot(a, b) needs two vectors, not ${formatShape(a)} and ${formatShape(c)}.` };
  if (!sameDim((a as { n: string | number }).n, (c as { n: string | number }).n)) return { error: `dot(a, b) needs vectors of the same length, not ${formatShape(a)} and ${formatShape(c)}.` };
  return undefined;
}

// ---- simplification helpers ------------------------------------------------------------------------------

/** The constant at the head of a product chain (−2 in (−2·a)·b), if any. */
function leadingConstant(n: Node): number | undefined {
  let m = n;
  while (m.op === 'mul') m = m.args[0];
  return m !== n && isScalarConst(m) ? constValue(m) : undefined;
}

/** The product chain with its leading constant negated. */
function negateLeading(b: Builder, n: Node): Node {
  if (isScalarConst(n)) return b.constant(-constValue(n)!);
  return b.mul(negateLeading(b, n.args[0]), n.args[1]);
}

function scaled(b: Builder, c: number, base: Node): Node {
  return c === 1 ? base : c === -1 ? b.neg(base) : b.mul(b.constant(c), base);
}

/** Is `a` the transpose of `b`? */
function transposeOf(a: Node, b: Node): boolean {
  return a.op === 'transpose' && a.args[0] === b;
}

/** Orders `A + Aᵀ` with the plain one first, as textbooks do. */
function sumOrdered(b: Builder, x: Node, y: Node): Node {
  return transposeOf(x, y) ? b.add(y, x) : b.add(x, y);
}

// ---- printing -------------------------------------------------------------------------------------------

function juxtapose(left: string, right: string): string {
  // `2 3` would read as 23: separate number–number products with a dot.
  return /[\d}]$/.test(left) && /^-?\d/.test(right) ? `${left} \\cdot ${right}` : `${left} \\, ${right}`;
}

function isNonScalar(n: Node): boolean {
  return n.shape.kind !== 'scalar';
}

// ---- the operators ----------------------------------------------------------------------------------------

const add: OpDef<'add'> = {
  op: 'add',
  family: 'arithmetic',
  doc: 'Sum, with scalar expansion (x + z for scalar z adds z to every element).',
  shape: ([a, b]) => elementwiseShape('add', a, b),
  simplify([x, y], _attr, b, shape) {
    if (isZero(y)) return (b.fired('x + 0 → x'), b.broadcast(x, shape));
    if (isZero(x)) return (b.fired('0 + x → x'), b.broadcast(y, shape));
    if (isConst(x) && isConst(y)) return (b.fired('constant folding'), b.constant(constValue(x)! + constValue(y)!, shape));
    if (x === y) return (b.fired('x + x → 2x'), b.mul(b.constant(2), x));
    if (y.op === 'neg') return b.sub(x, y.args[0]);
    if (x.op === 'neg') return b.sub(y, x.args[0]);
    if (transposeOf(x, y)) return b.add(y, x);
    if ((leadingConstant(y) ?? 0) < 0) return b.sub(x, negateLeading(b, y));
    const cancelled = cancelTerm(b, x, y, false);
    if (cancelled) return cancelled;
    const [cx, bx] = coefficient(x);
    const [cy, by] = coefficient(y);
    if (bx === by && sameShape(x.shape, y.shape)) return (b.fired('collect like terms: a·x + b·x → (a + b)x'), scaled(b, cx + cy, bx));
    if (sameShape(x.shape, y.shape)) return factorCommon(b, x, y, (p, q) => sumOrdered(b, p, q)) ?? regroup(b, x, y, false);
    return undefined;
  },
  jvp: (n, [ta, tb], b) => {
    const t = b.addMaybe(ta, tb);
    return t ? b.broadcast(t, n.shape) : null;
  },
  vjp: (n, s, k, b) => b.unbroadcast(s, n.args[k].shape),
  jacobian: eachLinearArg((n, k, J, b) => (n.args[k].shape.kind === 'scalar' && n.shape.kind !== 'scalar' ? expandJacobian(n.shape, J, b) : J)),
  probe: addProbe,
  normalForms: [
    'x + 0 → x; x + x → 2x; a·x + b·x → (a + b)x; A + Aᵀ with the plain term first',
    'A·B·u + C·u → (A·B + C)·u and A·u + A·v → A·(u + v) (common right or left factor of product chains)',
    'diag(a) + diag(b) → diag(a + b)',
    'a ⊗ c + b ⊗ c → (a + b) ⊗ c (common powers: e ⊘ p² − 1 ⊘ p → (e − p) ⊘ p²; equal coefficients: Aᵀ/2 + A/2 → (A + Aᵀ)/2)',
    'x + (c − x) → c; (x₀ ± x₁) + y regroups when y collects with x₀ or x₁',
  ],
  examples: [{ expr: 'x + y', wrt: 'x' }, { expr: 'x + s', wrt: 's' }, { expr: 'a ⊗ x + b ⊗ x', wrt: 'x' }],
  rule: { name: 'sum rule', text: 'd(u + v) = du + dv; with scalar expansion ∂(x + z)/∂z = 𝟏', latex: '\\mathrm{d}(u + v) = \\mathrm{d}u + \\mathrm{d}v' },
  prec: () => PREC.add,
  format: (n, p) => `${p.arg(n.args[0], PREC.add)} + ${p.arg(n.args[1], PREC.add)}`,
  evaluate: (_n, [a, c]) => map2(a, c, (x, y) => x + y),
  emitElement: ([a, c]) => `(${a} + ${c})`,
  batch: 'elementwise',
  python: ([a, c]) => `(${a} + ${c})`,
  range: ([a, c]) => [a[0] + c[0], a[1] + c[1]],
};

const sub: OpDef<'sub'> = {
  op: 'sub',
  family: 'arithmetic',
  doc: 'Difference, with scalar expansion.',
  shape: ([a, b]) => elementwiseShape('subtract', a, b),
  simplify([x, y], _attr, b, shape) {
    if (isZero(y)) return (b.fired('x − 0 → x'), b.broadcast(x, shape));
    if (isZero(x)) return (b.fired('0 − x → −x'), b.neg(b.broadcast(y, shape)));
    if (isConst(x) && isConst(y)) return (b.fired('constant folding'), b.constant(constValue(x)! - constValue(y)!, shape));
    if (x === y) return (b.fired('x − x → 0'), b.zero(shape));
    if (y.op === 'neg') return b.add(x, y.args[0]);
    if ((leadingConstant(y) ?? 0) < 0) return b.add(x, negateLeading(b, y));
    const cancelled = cancelTerm(b, x, y, true);
    if (cancelled) return cancelled;
    const [cx, bx] = coefficient(x);
    const [cy, by] = coefficient(y);
    if (bx === by && sameShape(x.shape, y.shape)) return (b.fired('collect like terms: a·x − b·x → (a − b)x'), scaled(b, cx - cy, bx));
    if (sameShape(x.shape, y.shape)) return factorCommon(b, x, y, (p, q) => b.sub(p, q)) ?? regroup(b, x, y, true);
    return undefined;
  },
  jvp: (n, [ta, tb], b) => {
    if (!ta && !tb) return null;
    const t = !tb ? ta! : !ta ? b.neg(tb) : b.sub(ta, tb);
    return b.broadcast(t, n.shape);
  },
  vjp: (n, s, k, b) => b.unbroadcast(k === 0 ? s : b.neg(s), n.args[k].shape),
  jacobian: eachLinearArg((n, k, J, b) => {
    const j = n.args[k].shape.kind === 'scalar' && n.shape.kind !== 'scalar' ? expandJacobian(n.shape, J, b) : J;
    return j && (k === 0 ? j : b.neg(j));
  }),
  probe: subProbe,
  normalForms: [
    'x − x → 0; x − (−y) → x + y; the same collections as for +',
    'x − (c + x) → −c; (c + x) − x → c',
  ],
  examples: [{ expr: 'x - y', wrt: 'y' }, { expr: 'B * x - X * x', wrt: 'x' }],
  rule: { name: 'difference rule', text: 'd(u − v) = du − dv', latex: '\\mathrm{d}(u - v) = \\mathrm{d}u - \\mathrm{d}v' },
  prec: () => PREC.add,
  format: (n, p) => `${p.arg(n.args[0], PREC.add)} - ${p.arg(n.args[1], PREC.add + 1)}`,
  evaluate: (_n, [a, c]) => map2(a, c, (x, y) => x - y),
  emitElement: ([a, c]) => `(${a} - ${c})`,
  batch: 'elementwise',
  python: ([a, c]) => `(${a} - ${c})`,
  range: ([a, c]) => minus(a, c),
};

/** The operators that print as products (`a * b`, `a / b`, `a ⊗ b`, `a · b`), at PREC.mul. */
const PRODUCTS = new Set(['mul', 'div', 'matmul', 'dot']);

/** Whether a node prints as a product, unparenthesised in a product's left operand. */
function printsAsProduct(n: Node): boolean {
  if (n.op === 'neg') return PRODUCTS.has(n.args[0].op);
  if (n.op === 'const') return n.shape.kind !== 'scalar' && !isConst(n, 0) && !isConst(n, 1); // c * 𝟏[n]
  return PRODUCTS.has(n.op);
}

/** Whether a node prints as an element-wise product or quotient of two non-scalars (`u ⊗ v`, `u ⊘ v`). */
function printsElementwise(n: Node): boolean {
  return (n.op === 'mul' || n.op === 'div') && isNonScalar(n.args[0]) && isNonScalar(n.args[1]);
}

/**
 * The precedence a product's left operand needs: a matrix product inside an element-wise one, or the other way
 * round, keeps its parentheses although `*` and `⊗` bind alike (left to right): `(Aᵀ * c) ⊗ y` reads as meant,
 * `Aᵀ * c ⊗ y` reads as Aᵀ * (c ⊗ y) to most readers.
 */
function leftOperandPrec(x: Node, elementwise: boolean): number {
  const mixed = elementwise ? x.op === 'matmul' || x.op === 'dot' : printsElementwise(x);
  return mixed ? PREC.mul + 1 : PREC.mul;
}

/**
 * Whether `x op (p op' q)` may print as `x op p op' q`, which reads back as `(x op p) op' q`: only when p is
 * not itself a product, and x is a scalar (it commutes with every product), or the product is scalar, or both
 * are element-wise (⊗ is associative). `u ⊗ (s * v)` must keep its parentheses: `(u ⊗ s) * v` multiplies vectors.
 */
function flattensRight(x: Node, y: Node, elementwise: boolean): boolean {
  if ((y.op !== 'mul' && y.op !== 'matmul') || printsAsProduct(y.args[0])) return false;
  if (x.shape.kind === 'scalar' || y.shape.kind === 'scalar') return true;
  return elementwise && y.op === 'mul' && isNonScalar(y.args[0]) && isNonScalar(y.args[1]);
}

const neg: OpDef<'neg'> = {
  op: 'neg',
  family: 'arithmetic',
  doc: 'Negation.',
  shape: ([a]) => a,
  simplify([x], _attr, b, shape) {
    if (isConst(x)) return b.constant(-constValue(x)!, shape);
    if (x.op === 'neg') return (b.fired('−(−x) → x'), x.args[0]);
    if (x.op === 'sub') return (b.fired('−(x − y) → y − x'), b.sub(x.args[1], x.args[0]));
    if (leadingConstant(x) !== undefined) return negateLeading(b, x);
    return undefined;
  },
  jvp: (_n, [t], b) => (t ? b.neg(t) : null),
  vjp: (_n, s, _k, b) => b.neg(s),
  jacobian: eachLinearArg((_n, _k, J, b) => b.neg(J)),
  probe: negProbe,
  examples: [{ expr: '-x', wrt: 'x' }],
  rule: { name: 'constant multiple (−1)', text: 'd(−u) = −du', latex: '\\mathrm{d}(-u) = -\\mathrm{d}u' },
  // `-a * b` reads back as a product (so `x · -a * b` would be `(x · -a) * b`): a negated product binds like one.
  prec: (n) => (PRODUCTS.has(n.args[0].op) ? PREC.mul : PREC.neg),
  emitElement: ([a]) => `(-${a})`,
  // −(a b) = (−a) b, so a product needs no parentheses after the minus.
  format: (n, p) => `-${p.arg(n.args[0], PREC.mul)}`,
  evaluate: (_n, [a]) => {
    const out = { rows: a.rows, cols: a.cols, data: new Float64Array(a.data.length) };
    for (let i = 0; i < a.data.length; i++) out.data[i] = -a.data[i];
    return out;
  },
  batch: 'elementwise',
  python: ([a]) => `(-${a})`,
  range: ([[a, b]]) => [-b, -a],
};

/** Jacobian of a scalar spread over `shape` (scalar expansion): 𝟏·J. */
function expandJacobian(shape: Shape, J: Node, b: Builder): Node | null {
  if (shape.kind === 'vector') return b.matmul(b.ones(shape), J);
  if (shape.kind === 'row') return b.matmul(b.ones(vectorOf(shape.n)), J);
  return null;
}

/** Jacobian of `c ⊗ u` from J = ∂u/∂x with c constant: c·J (scalar c), diag(c)·J, or c·J for scalar u. */
function scaleJacobian(c: Node, u: Node, J: Node, b: Builder): Node | null {
  if (c.shape.kind === 'scalar') return b.mul(c, J);
  if (c.shape.kind === 'matrix') return null;
  const col = c.shape.kind === 'row' ? b.transpose(c) : c;
  if (u.shape.kind === 'scalar') return b.matmul(col, J);
  return b.matmul(b.call('diag', col), J);
}

const mul: OpDef<'mul'> = {
  op: 'mul',
  family: 'arithmetic',
  doc: 'Scalar multiplication (scalar expansion) and the element-wise (Hadamard) product ⊗.',
  shape: ([a, b]) => elementwiseShape('multiply element-wise', a, b),
  simplify([x, y], _attr, b, shape) {
    if (isZero(x) || isZero(y)) return (b.fired('0·x → 0'), b.zero(shape));
    if (x.shape.kind === 'scalar' && y.shape.kind === 'scalar') return normalProduct(b, x, y, false, shape);
    if (isConst(x) && isConst(y)) return (b.fired('constant folding'), b.constant(constValue(x)! * constValue(y)!, shape));
    if (isConst(x, 1) && (x.shape.kind === 'scalar' || sameShape(y.shape, shape))) return (b.fired('1·x → x'), b.broadcast(y, shape));
    if (isConst(y, 1) && (y.shape.kind === 'scalar' || sameShape(x.shape, shape))) return (b.fired('x·1 → x'), b.broadcast(x, shape));
    if (x.op === 'neg') return b.neg(b.mul(x.args[0], y));
    if (y.op === 'neg') return b.neg(b.mul(x, y.args[0]));
    if (isConst(x, -1) && x.shape.kind === 'scalar') return b.neg(y);
    // The identity masks the diagonal: I ⊗ X → diag(diag(X)) (so ∂tr(f(X))/∂X reads diag(diag(f'(X)))).
    if (isIdentity(x) && y.shape.kind === 'matrix') return (b.fired('I ⊗ X → diag(diag(X))'), b.call('diag', b.call('diagvec', y)));
    if (isIdentity(y) && x.shape.kind === 'matrix') return (b.fired('X ⊗ I → diag(diag(X))'), b.call('diag', b.call('diagvec', x)));
    // An expanded scalar s𝟏 times a value of the same shape is just s times it.
    if (isExpandedScalar(x) && sameShape(y.shape, shape)) return (b.fired('(s𝟏) ⊗ v → s v'), b.mul(x.args[0], y));
    if (isExpandedScalar(y) && sameShape(x.shape, shape)) return (b.fired('v ⊗ (s𝟏) → s v'), b.mul(y.args[0], x));
    // Scalar factors move to the front of element-wise products: (s u) ⊗ v → s (u ⊗ v).
    if (x.shape.kind !== 'scalar' && y.shape.kind !== 'scalar') {
      if (x.op === 'mul' && x.args[0].shape.kind === 'scalar') return b.mul(x.args[0], b.mul(x.args[1], y));
      if (y.op === 'mul' && y.args[0].shape.kind === 'scalar') return b.mul(y.args[0], b.mul(x, y.args[1]));
    }
    // Constants first, then other scalars, then the rest: "2 s x".
    if (isScalarConst(y) && !isConst(x)) return b.mul(y, x);
    if (y.shape.kind === 'scalar' && x.shape.kind !== 'scalar') return b.mul(y, x);
    if (x.shape.kind === 'scalar' && y.op === 'mul' && y.args[0].shape.kind === 'scalar') {
      if (isScalarConst(x) && isScalarConst(y.args[0])) return b.mul(b.constant(constValue(x)! * constValue(y.args[0])!), y.args[1]);
      if (y.args[1].shape.kind !== 'scalar' || (!isScalarConst(y.args[0]) && !isConst(x))) return b.mul(b.mul(x, y.args[0]), y.args[1]);
    }
    if (y.shape.kind === 'scalar' && x.shape.kind === 'scalar' && isScalarConst(x) === false && y.op === 'mul' && isScalarConst(y.args[0])) {
      return b.mul(y.args[0], b.mul(x, y.args[1]));
    }
    // (p / q)·q → p
    if (x.op === 'div' && x.args[1] === y && y.shape.kind === 'scalar') return (b.fired('(p/q)·q → p'), b.broadcast(x.args[0], shape));
    if (y.op === 'div' && y.args[1] === x && x.shape.kind === 'scalar') return (b.fired('q·(p/q) → p'), b.broadcast(y.args[0], shape));
    if (x === y) {
      if (isComparison(x)) return (b.fired('1[c]⊗1[c] → 1[c]'), x);
      return (b.fired('x·x → x²'), b.pow(x, b.constant(2)));
    }
    if (x.op === 'pow' && x.args[0] === y && isScalarConst(x.args[1])) return (b.fired('xᵖ·x → xᵖ⁺¹'), b.pow(y, b.constant(constValue(x.args[1])! + 1)));
    if (y.op === 'pow' && y.args[0] === x && isScalarConst(y.args[1])) return (b.fired('x·xᵖ → xᵖ⁺¹'), b.pow(x, b.constant(constValue(y.args[1])! + 1)));
    if (x.op === 'pow' && y.op === 'pow' && x.args[0] === y.args[0] && isScalarConst(x.args[1]) && isScalarConst(y.args[1])) {
      return (b.fired('xᵖ·x^q → xᵖ⁺q'), b.pow(x.args[0], b.constant(constValue(x.args[1])! + constValue(y.args[1])!)));
    }
    return normalProduct(b, x, y, false, shape);
  },
  jvp: (_n, [ta, tb], b) => {
    const [x, y] = _n.args;
    return b.addMaybe(ta && b.mul(ta, y), tb && b.mul(x, tb));
  },
  vjp: (n, s, k, b) => b.unbroadcast(b.mul(s, n.args[1 - k]), n.args[k].shape),
  jacobian: eachLinearArg((n, k, J, b) => scaleJacobian(n.args[1 - k], n.args[k], J, b)),
  probe: mulProbe,
  normalForms: [
    'scalar and element-wise products: coefficient × Π baseᵉ, equal bases merged (y ⊗ v ⊗ y → y² ⊗ v), constants then scalars in front, leaves before the rest, differentials last',
    'quotients last: (1 ⊘ p) ⊗ e → e ⊘ p; a coefficient ±1/k divides (x/2, 1 ⊘ (2 sqrt(x)))',
    'negations move outward: (−a) ⊗ b → −(a ⊗ b); 1[c] ⊗ 1[c] → 1[c]',
    'the identity masks the diagonal: I ⊗ X → diag(diag(X))',
  ],
  examples: [{ expr: 'x ⊗ y', wrt: 'x' }, { expr: 's * x', wrt: 's' }, { expr: 's * x', wrt: 'x' }, { expr: 'a ⊗ (b ⊗ x)', wrt: 'x' }],
  rule: { name: 'product rule', text: 'd(u ⊗ v) = du ⊗ v + u ⊗ dv; element-wise products have diagonal Jacobians diag(v)', latex: '\\mathrm{d}(u \\otimes v) = \\mathrm{d}u \\otimes v + u \\otimes \\mathrm{d}v' },
  prec: () => PREC.mul,
  format(n, p) {
    const [x, y] = n.args;
    // (1/d)·v reads better as v/d (unless 1/d is printed as a name: then d is not printed at all).
    if (x.op === 'div' && !p.named(x) && isConst(x.args[0], 1) && x.shape.kind === 'scalar' && y.op !== 'mul') {
      const d = x.args[1];
      return p.mode === 'latex' ? `\\frac{${p.plain(y)}}{${p.plain(d)}}` : `${p.arg(y, PREC.mul)} / ${p.arg(d, PREC.mul + 1)}`;
    }
    const elementwise = isNonScalar(x) && isNonScalar(y);
    const l = p.arg(x, leftOperandPrec(x, elementwise));
    // Scalar and element-wise products are associative: a * (b * c) prints as a * b * c.
    const r = p.arg(y, flattensRight(x, y, elementwise) ? PREC.mul : PREC.mul + 1);
    if (p.mode === 'text') return elementwise ? `${l} ⊗ ${r}` : `${l} * ${r}`;
    return elementwise ? `${l} \\otimes ${r}` : juxtapose(l, r);
  },
  evaluate: (_n, [a, c]) => map2(a, c, (x, y) => x * y),
  emitElement: ([a, c]) => `(${a} * ${c})`,
  batch: 'elementwise',
  python: ([a, c]) => `(${a} * ${c})`,
  // u ⊗ u is a square; otherwise the product of the ranges.
  range: ([a, c], n) => (n.args[0] === n.args[1] ? [0, Infinity] : times(a, c)),
};

function isExpandedScalar(n: Node): boolean {
  return n.op === 'mul' && n.args[0].shape.kind === 'scalar' && isConst(n.args[1], 1);
}


const div: OpDef<'div'> = {
  op: 'div',
  family: 'arithmetic',
  doc: 'Division by a scalar (x / s) and element-wise division ⊘, with scalar expansion.',
  shape: ([a, b]) => elementwiseShape('divide element-wise', a, b),
  simplify([x, y], _attr, b, shape) {
    if (isConst(y, 1) && y.shape.kind === 'scalar') return (b.fired('x/1 → x'), b.broadcast(x, shape));
    if (isZero(x)) return (b.fired('0/x → 0'), b.zero(shape));
    if (x.shape.kind === 'scalar' && y.shape.kind === 'scalar' && !isZero(y)) return normalProduct(b, x, y, true, shape);
    if (isConst(x) && isConst(y) && constValue(y) !== 0) return (b.fired('constant folding'), b.constant(constValue(x)! / constValue(y)!, shape));
    if (x === y) return (b.fired('x/x → 1'), b.ones(shape));
    if (x.op === 'neg') return b.neg(b.div(x.args[0], y));
    if (x.op === 'mul' && x.args[1] === y && y.shape.kind === 'scalar') return (b.fired('(p·q)/q → p'), b.broadcast(x.args[0], shape));
    if (x.op === 'mul' && x.args[0] === y && y.shape.kind === 'scalar') return (b.fired('(q·p)/q → p'), b.broadcast(x.args[1], shape));
    // Pull a scalar factor out of an element-wise quotient: (s·x)/y keeps s in front.
    if (x.op === 'mul' && isScalarConst(x.args[0]) && y.shape.kind === 'scalar') return b.mul(x.args[0], b.div(x.args[1], y));
    return normalProduct(b, x, y, true, shape);
  },
  jvp: (n, [ta, tb], b) => {
    const [x, y] = n.args;
    const first = ta && b.div(ta, y);
    const second = tb && b.div(b.mul(x, tb), b.pow(y, b.constant(2)));
    if (first && second) return b.sub(first, second);
    return first ?? (second && b.neg(second));
  },
  vjp: (n, s, k, b) => {
    const [x, y] = n.args;
    const g = k === 0 ? b.div(s, y) : b.neg(b.div(b.mul(s, x), b.pow(y, b.constant(2))));
    return b.unbroadcast(g, n.args[k].shape);
  },
  jacobian: eachLinearArg((n, k, J, b) => (k === 0 ? scaleJacobian(b.div(b.constant(1), n.args[1]), n.args[0], J, b) : null)),
  probe: divProbe,
  normalForms: [
    'the normal form of ⊗ (x ⊘ y², not x ⊗ (1 ⊘ y²)); x/1 → x; x/x → 1; 0/x → 0',
  ],
  examples: [{ expr: 'x ⊘ y', wrt: 'y' }, { expr: 'x / s', wrt: 's' }],
  rule: { name: 'quotient rule', text: 'd(u/v) = du/v − u dv/v²', latex: '\\mathrm{d}\\frac{u}{v} = \\frac{\\mathrm{d}u}{v} - \\frac{u\\,\\mathrm{d}v}{v^2}' },
  prec: () => PREC.mul,
  format(n, p) {
    const [x, y] = n.args;
    if (y.shape.kind === 'scalar') {
      if (p.mode === 'latex') return `\\frac{${p.plain(x)}}{${p.plain(y)}}`;
      return `${p.arg(x, PREC.mul)} / ${p.arg(y, PREC.mul + 1)}`;
    }
    const l = p.arg(x, leftOperandPrec(x, isNonScalar(x)));
    return p.mode === 'latex' ? `${l} \\oslash ${p.arg(y, PREC.mul + 1)}` : `${l} ⊘ ${p.arg(y, PREC.mul + 1)}`;
  },
  evaluate: (_n, [a, c]) => map2(a, c, (x, y) => x / y),
  emitElement: ([a, c]) => `(${a} / ${c})`,
  batch: 'elementwise',
  python: ([a, c]) => `(${a} / ${c})`,
};

/** log of a power's base: a constant base keeps its name (2ˣ log(2), not 2ˣ · 0.6931…). */
function logOfBase(x: Node, b: Builder): Node {
  return isConst(x) ? b.raw('log', [x]) : b.call('log', x);
}

/** `x .^ y`: both sides are vectors or matrices (a scalar on either side is the power `^`). */
function isHadamardPower(n: Node): boolean {
  return isNonScalar(n.args[0]) && isNonScalar(n.args[1]);
}

const pow: OpDef<'pow'> = {
  op: 'pow',
  family: 'arithmetic',
  doc: 'Element-wise power with scalar expansion on either side: x^2, 2^x, x^y, and x .^ y for two vectors or matrices.',
  shape: ([a, p]) => elementwiseShape('take the element-wise power of', a, p),
  simplify([x, e], _attr, b, shape) {
    if (isConst(e, 1)) return (b.fired('x¹ → x'), b.broadcast(x, shape));
    if (isConst(e, 0)) return (b.fired('x⁰ → 1'), b.ones(shape));
    if (isConst(x) && isConst(e)) return (b.fired('constant folding'), b.constant(Math.pow(constValue(x)!, constValue(e)!), shape));
    if (isConst(x, 1)) return (b.fired('1ᵖ → 1'), b.ones(shape));
    if (x.op === 'pow' && isScalarConst(e) && Number.isInteger(constValue(e)) && isScalarConst(x.args[1])) {
      return (b.fired('(xᵃ)ᵇ → xᵃᵇ'), b.pow(x.args[0], b.constant(constValue(e)! * constValue(x.args[1])!)));
    }
    return undefined;
  },
  jvp(n, [ta, tp], b) {
    const [x, e] = n.args;
    const base = ta && b.mul(b.mul(e, b.pow(x, b.sub(e, b.constant(1)))), ta);
    const expo = tp && b.mul(b.mul(n, logOfBase(x, b)), tp);
    return b.addMaybe(base, expo);
  },
  // A scalar side spread over the other's shape collects its cotangent back with a sum.
  vjp(n, s, k, b) {
    const [x, e] = n.args;
    if (k === 0) return b.unbroadcast(b.mul(s, b.mul(e, b.pow(x, b.sub(e, b.constant(1))))), x.shape);
    return b.unbroadcast(b.mul(s, b.mul(n, logOfBase(x, b))), e.shape);
  },
  examples: [{ expr: 'x^3', wrt: 'x' }, { expr: '2^x', wrt: 'x' }, { expr: 'x .^ y', wrt: 'y' }],
  rule: {
    name: 'power rule',
    text: 'd(uᵛ) = v uᵛ⁻¹ ⊗ du + uᵛ ⊗ log(u) ⊗ dv (element-wise; the second term only for a varying exponent, where u > 0)',
    latex: '\\mathrm{d}(u^v) = v u^{v-1} \\mathrm{d}u + u^v \\log(u)\\, \\mathrm{d}v',
  },
  prec: () => PREC.pow,
  format(n, p) {
    const [x, e] = n.args;
    const base = p.arg(x, PREC.postfix);
    // The Hadamard power x^{∘y}, as matrixcalculus.org's `.^` reads in print.
    if (p.mode === 'latex') return isHadamardPower(n) ? `{${base}}^{\\circ ${p.plain(e)}}` : `{${base}}^{${p.plain(e)}}`;
    if (isHadamardPower(n)) return `${base} .^ ${p.arg(e, PREC.atom)}`;
    const ev = constValue(e);
    if (ev !== undefined && ev >= 0) return `${base}^${p.plain(e)}`;
    return `${base}^${p.arg(e, PREC.atom)}`;
  },
  evaluate: (_n, [a, e]) => map2(a, e, Math.pow),
  // x^2 as x * x: the same number (pow is correctly rounded there) and much faster.
  emitElement: ([a, e], n) => (isConst(n.args[1], 2) ? `(${a} * ${a})` : `Math.pow(${a}, ${e})`),
  batch: 'elementwise',
  python: ([a, e]) => `(${a} ** ${e})`,
  range: ([a], n) => powRange(a, n.args[1]),
};

const matmul: OpDef<'matmul'> = {
  op: 'matmul',
  lowerJs: lowerMatmul,
  family: 'products',
  doc: 'Matrix products: matrix·vector, matrix·matrix, row·vector (a scalar), vector·row (the outer product).',
  shape: ([a, b]) => matmulShape(a, b),
  simplify([x, y], _attr, b, shape) {
    if (isZero(x) || isZero(y)) return (b.fired('0·A → 0'), b.zero(shape));
    if (isIdentity(x)) return (b.fired('I·A → A'), y);
    if (isIdentity(y)) return (b.fired('A·I → A'), x);
    if (x.op === 'neg') return b.neg(b.matmul(x.args[0], y));
    if (y.op === 'neg') return b.neg(b.matmul(x, y.args[0]));
    if (x.op === 'mul' && x.args[0].shape.kind === 'scalar') return (b.fired('(sA)B → s(AB)'), b.mul(x.args[0], b.matmul(x.args[1], y)));
    if (y.op === 'mul' && y.args[0].shape.kind === 'scalar') return (b.fired('A(sB) → s(AB)'), b.mul(y.args[0], b.matmul(x, y.args[1])));
    if (x.op === 'div' && x.args[1].shape.kind === 'scalar') return (b.fired('(A/s)B → (AB)/s'), b.div(b.matmul(x.args[0], y), x.args[1]));
    if (y.op === 'div' && y.args[1].shape.kind === 'scalar') return (b.fired('A(B/s) → (AB)/s'), b.div(b.matmul(x, y.args[0]), y.args[1]));
    if (x.op === 'diag' && y.op === 'diag') return (b.fired('diag(a)diag(b) → diag(a ⊗ b)'), b.call('diag', b.mul(x.args[0], y.args[0])));
    // Diagonal factors merge however the chain is associated: diag(a)·(diag(b)·M) → diag(a ⊗ b)·M.
    if (x.op === 'diag' && y.op === 'matmul' && y.args[0].op === 'diag') {
      return (b.fired('diag(a)diag(b) → diag(a ⊗ b)'), b.matmul(b.call('diag', b.mul(x.args[0], y.args[0].args[0])), y.args[1]));
    }
    if (y.op === 'diag' && x.op === 'matmul' && x.args[1].op === 'diag') {
      return (b.fired('diag(a)diag(b) → diag(a ⊗ b)'), b.matmul(x.args[0], b.call('diag', b.mul(x.args[1].args[0], y.args[0]))));
    }
    if (x.op === 'diag' && y.shape.kind === 'vector') return (b.fired('diag(a)b → a ⊗ b'), b.mul(x.args[0], y));
    if (y.op === 'diag' && x.shape.kind === 'row') {
      b.fired(isConst(x, 1) ? '𝟏ᵀdiag(a) → aᵀ' : 'bᵀdiag(a) → (b ⊗ a)ᵀ');
      return b.transpose(b.mul(b.transpose(x), y.args[0]));
    }
    if (isConst(x, 1) && x.shape.kind === 'row' && y.shape.kind === 'vector') return (b.fired('𝟏ᵀx → sum(x)'), b.sum(y));
    if (isConst(y, 1) && y.shape.kind === 'vector' && x.shape.kind === 'row') return (b.fired('xᵀ𝟏 → sum(x)'), b.sum(x));
    if (x.op === 'transpose' && x.args[0].op === 'unit' && y.shape.kind === 'vector') return (b.fired('e_jᵀx → x_j'), b.node('index', [y], x.args[0].attr));
    if (x.op === 'transpose' && x.args[0].op === 'unit' && y.op === 'diag') {
      return (b.fired('e_jᵀdiag(a) → a_j e_jᵀ'), b.mul(b.node('index', [y.args[0]], x.args[0].attr), x));
    }
    // (u vᵀ) w → (vᵀw) u   and   wᵀ(u vᵀ) → (wᵀu) vᵀ : outer products applied to vectors.
    if (x.op === 'matmul' && x.args[0].shape.kind === 'vector' && x.args[1].shape.kind === 'row' && y.shape.kind === 'vector') {
      return (b.fired('(uvᵀ)w → (vᵀw)u'), b.mul(b.matmul(x.args[1], y), x.args[0]));
    }
    if (y.op === 'matmul' && y.args[0].shape.kind === 'vector' && y.args[1].shape.kind === 'row' && x.shape.kind === 'row') {
      return (b.fired('wᵀ(uvᵀ) → (wᵀu)vᵀ'), b.mul(b.matmul(x, y.args[0]), y.args[1]));
    }
    return undefined;
  },
  jvp: (n, [ta, tb], b) => b.addMaybe(ta && b.matmul(ta, n.args[1]), tb && b.matmul(n.args[0], tb)),
  vjp: (n, s, k, b) => (k === 0 ? b.matmul(s, b.transpose(n.args[1])) : b.matmul(b.transpose(n.args[0]), s)),
  jacobian: eachLinearArg((n, k, J, b) => {
    const [x, y] = n.args;
    if (k === 1) return y.shape.kind === 'vector' && x.shape.kind !== 'vector' ? b.matmul(x, J) : null;
    // x varies: (x y)ᵀ = yᵀ xᵀ, so for a row x the Jacobian is yᵀ J.
    return x.shape.kind === 'row' ? b.matmul(b.transpose(y), J) : null;
  }),
  probe: matmulProbe,
  normalForms: [
    'A·I → A; 0·A → 0; scalars move outward: (sA)B → s(AB), (A/s)B → (AB)/s; negations likewise',
    'diag(a)·diag(b) → diag(a ⊗ b) however the chain is associated (diag(a)·(diag(b)·M) → diag(a ⊗ b)·M)',
    'diag(a)·b → a ⊗ b (so diag(a)·𝟏 → a); 𝟏ᵀ·diag(a) → aᵀ; 𝟏ᵀx → sum(x); (uvᵀ)w → (vᵀw)u',
  ],
  examples: [{ expr: 'A * x', wrt: 'x' }, { expr: 'aᵀ * X * b', wrt: 'X' }, { expr: 'diag(a) * diag(b) * x', wrt: 'x' }],
  rule: { name: 'matrix product rule', text: 'd(AB) = dA B + A dB; ∂(Ax)/∂x = A', latex: '\\mathrm{d}(AB) = \\mathrm{d}A\\,B + A\\,\\mathrm{d}B' },
  prec: () => PREC.mul,
  format(n, p) {
    const l = p.arg(n.args[0], leftOperandPrec(n.args[0], false));
    // Matrix products are associative: A * (B * C) prints as A * B * C.
    const y = n.args[1];
    const r = p.arg(y, y.op === 'matmul' && !printsAsProduct(y.args[0]) ? PREC.mul : PREC.mul + 1);
    return p.mode === 'latex' ? `${l} ${r}` : `${l} * ${r}`;
  },
  evaluate: (_n, [a, c]) => matmulT(a, c),
  batch(n, [rx, ry], c) {
    const [x, y] = n.args;
    if (x.shape.kind === 'row' && y.shape.kind === 'vector') return c.rowDot(x, rx, y, ry);
    // A x with a parameter matrix A: the rows of X Aᵀ are (A xᵢ)ᵀ.
    if (x.shape.kind === 'matrix' && !rx.batched && y.shape.kind === 'vector') return c.b.matmul(ry.node, c.b.transpose(rx.node));
    // xᵀ A with a parameter matrix A: rows of X A.
    if (x.shape.kind === 'row' && y.shape.kind === 'matrix' && !ry.batched) return c.b.matmul(rx.node, ry.node);
    return c.unbatchable(`the product ${formatShape(x.shape)} * ${formatShape(y.shape)} per sample`);
  },
  // Products by the shapes of their operands: matrix·vector, row·vector (a number), vector·row (outer), …
  python: ([a, c], n) => {
    const [x, y] = n.args;
    if (x.shape.kind === 'vector' && y.shape.kind === 'row') return `_outer(${a}, ${c})`;
    if (x.shape.kind === 'scalar' || y.shape.kind === 'scalar') return `(${a} * ${c})`;
    return `(${a} @ ${c})`;
  },
};

const transpose: OpDef<'transpose'> = {
  op: 'transpose',
  lowerJs: lowerTranspose,
  family: 'products',
  doc: 'Transpose; a transposed vector is a row vector.',
  shape: ([a]) => transposeShape(a),
  simplify([x], _attr, b, shape) {
    if (x.shape.kind === 'scalar') return (b.fired('sᵀ → s'), x);
    if (x.op === 'transpose') return (b.fired('(Aᵀ)ᵀ → A'), x.args[0]);
    if (isIdentity(x) || x.op === 'diag') return (b.fired('Iᵀ → I, diag(a)ᵀ → diag(a)'), x);
    if (isConst(x)) return b.constant(constValue(x)!, shape);
    if (x.op === 'neg') return b.neg(b.transpose(x.args[0]));
    if (x.op === 'mul' && x.args[0].shape.kind === 'scalar') return b.mul(x.args[0], b.transpose(x.args[1]));
    if (x.op === 'div' && x.args[1].shape.kind === 'scalar') return b.div(b.transpose(x.args[0]), x.args[1]);
    if ((x.op === 'add' || x.op === 'sub') && x.args[0].shape.kind === 'matrix') return (b.fired('(A + B)ᵀ → Aᵀ + Bᵀ'), b.node(x.op, [b.transpose(x.args[0]), b.transpose(x.args[1])]));
    if (x.op === 'matmul') return (b.fired('(AB)ᵀ → BᵀAᵀ'), b.matmul(b.transpose(x.args[1]), b.transpose(x.args[0])));
    return undefined;
  },
  jvp: (_n, [t], b) => (t ? b.transpose(t) : null),
  vjp: (_n, s, _k, b) => b.transpose(s),
  jacobian: eachLinearArg((n, _k, J) => (n.shape.kind === 'matrix' ? null : J)),
  probe: transposeProbe,
  examples: [{ expr: 'xᵀ', wrt: 'x' }],
  rule: { name: 'transpose rule', text: 'd(Aᵀ) = (dA)ᵀ', latex: '\\mathrm{d}(A^{\\top}) = (\\mathrm{d}A)^{\\top}' },
  prec: () => PREC.postfix,
  format(n, p) {
    const x = n.args[0];
    if (x.op === 'inv' && !p.named(x)) {
      const base = p.arg(x.args[0], PREC.postfix + 1);
      return p.mode === 'latex' ? `{${base}}^{-\\top}` : `${base}⁻ᵀ`;
    }
    const base = p.arg(x, PREC.postfix);
    return p.mode === 'latex' ? `{${base}}^{\\top}` : `${base}ᵀ`;
  },
  evaluate: (_n, [a]) => transposeT(a),
  // Vector and row samples share the rows-by-n batch form.
  batch: (_n, [a]) => a.node,
  // 1-D arrays are both vectors and rows: only a matrix has something to transpose.
  python: ([a], n) => (n.shape.kind === 'matrix' ? `${a}.T` : a),
  range: ([a]) => a,
};

const dot: OpDef<'dot'> = {
  op: 'dot',
  lowerJs: lowerDot,
  family: 'products',
  syntax: {
    name: 'dot',
    arity: 2,
    highlight: 'linear-algebra',
    signature: 'dot(a, b)',
    doc: 'Dot product of two vectors (same as a · b).',
    build: (b, [x, y]) => dotCallError(x.shape, y.shape) ?? b.raw('dot', [x, y]),
  },
  doc: 'Dot product of two vectors of the same length: a · b = Σ aᵢbᵢ.',
  shape: ([a, b]) => dotShape(a, b),
  simplify([x, y], _attr, b) {
    if (isZero(x) || isZero(y)) return (b.fired('0 · x → 0'), b.constant(0));
    if (isConst(x, 1)) return (b.fired('𝟏 · x → sum(x)'), b.sum(y));
    if (isConst(y, 1)) return (b.fired('x · 𝟏 → sum(x)'), b.sum(x));
    if (x.op === 'mul' && x.args[0].shape.kind === 'scalar') return b.mul(x.args[0], b.dot(x.args[1], y));
    if (y.op === 'mul' && y.args[0].shape.kind === 'scalar') return b.mul(y.args[0], b.dot(x, y.args[1]));
    return undefined;
  },
  jvp: (n, [ta, tb], b) => b.addMaybe(ta && b.dot(ta, n.args[1]), tb && b.dot(n.args[0], tb)),
  vjp: (n, s, k, b) => {
    const other = n.args[1 - k];
    const g = b.mul(s, other);
    return other.shape.kind === n.args[k].shape.kind ? g : b.transpose(g);
  },
  jacobian: eachLinearArg((n, k, J, b) => {
    const other = n.args[1 - k];
    return b.matmul(other.shape.kind === 'row' ? other : b.transpose(other), J);
  }),
  examples: [{ expr: 'x · y', wrt: 'x' }],
  rule: { name: 'dot product rule', text: 'd(u · v) = du · v + u · dv; ∂(w · x)/∂x = wᵀ', latex: '\\mathrm{d}(u \\cdot v) = \\mathrm{d}u \\cdot v + u \\cdot \\mathrm{d}v' },
  prec: () => PREC.mul,
  format(n, p) {
    const l = p.arg(n.args[0], PREC.mul);
    const r = p.arg(n.args[1], PREC.mul + 1);
    return p.mode === 'latex' ? `${l} \\cdot ${r}` : `${l} · ${r}`;
  },
  evaluate: (_n, [a, c]) => {
    if (a.data.length !== c.data.length) throw new EvalError('Dot product of vectors of different lengths.');
    let s = 0;
    for (let i = 0; i < a.data.length; i++) s += a.data[i] * c.data[i];
    return scalarT(s);
  },
  batch: (n, [ru, rv], c) => c.rowDot(n.args[0], ru, n.args[1], rv),
  python: ([a, c]) => `xp.dot(${a}, ${c})`,
  // u · u is a sum of squares; a dot product of non-negative vectors is non-negative.
  range: ([a, c], n) => (n.args[0] === n.args[1] || (a[0] >= 0 && c[0] >= 0) ? [0, Infinity] : [-Infinity, Infinity]),
};

export const arithmeticOps = [add, sub, neg, mul, div, pow, matmul, transpose, dot];

// ---- surface syntax: what the user's binary operators mean ------------------------------------------------

export type SurfaceBinary = '+' | '-' | '*' | '/' | '^' | 'hadamard' | 'ediv' | 'epow' | 'dot';

/** Builds the user's `a <op> b` exactly as written (no simplification), or explains the shape error. */
export function buildSurfaceBinary(b: Builder, op: SurfaceBinary, x: Node, y: Node): Node | ShapeError {
  const check = (irOp: 'add' | 'sub' | 'matmul' | 'mul' | 'div' | 'pow' | 'dot', err: ShapeError | Shape): Node | ShapeError => ('error' in err ? err : b.raw(irOp, [x, y]));
  switch (op) {
    case '+':
      return check('add', elementwiseShape('add', x.shape, y.shape));
    case '-':
      return check('sub', elementwiseShape('subtract', x.shape, y.shape));
    case '*':
      if (x.shape.kind === 'scalar' || y.shape.kind === 'scalar') return b.raw('mul', [x, y]);
      return check('matmul', matmulShape(x.shape, y.shape));
    case '/':
      if (y.shape.kind !== 'scalar') {
        return { error: `Cannot divide ${formatShape(x.shape)} by ${formatShape(y.shape)}: \`/\` divides by a scalar.`, hint: 'For element-wise division use ⊘ (or ./).' };
      }
      return b.raw('div', [x, y]);
    case '^':
      if (x.shape.kind !== 'scalar' && y.shape.kind !== 'scalar') {
        return { error: `Cannot raise ${formatShape(x.shape)} to the power ${formatShape(y.shape)} with \`^\`: one side must be a scalar.`, hint: 'For an element-wise power with a vector or matrix exponent use .^ (x .^ y).' };
      }
      return check('pow', elementwiseShape('take the element-wise power of', x.shape, y.shape));
    case 'epow':
      return check('pow', elementwiseShape('take the element-wise power of', x.shape, y.shape));
    case 'hadamard':
      return check('mul', elementwiseShape('multiply element-wise', x.shape, y.shape));
    case 'ediv':
      return check('div', elementwiseShape('divide element-wise', x.shape, y.shape));
    case 'dot':
      return check('dot', dotShape(x.shape, y.shape));
  }
}
