// The probe rules (ops/probes.ts) of the arithmetic operators, kept here so that arithmetic.ts stays readable.
// Each reads the Jacobian of a probe of its node from probes of its arguments, or from their Jacobians once
// the tangent is a vector. `p` null asks for the node's own Jacobian: a vector, row or scalar node made from a
// matrix that varies (dM·w, wᵀ·dM).

import type { Builder } from '../builder.ts';
import type { Node } from '../ir.ts';
import type { OpDef } from './types.ts';
import { type Probe, type ProbeContext, scalarTimesMatrix, throughTranspose, times, transposed } from './probes.ts';

type Rule = NonNullable<OpDef['probe']>;

/** An outer product dv·bᵀ, v varying (Jacobian Jv), b a constant column: the four probes. */
function outerColumn(b: Builder, p: Probe, bRow: Node, Jv: Node): Node {
  const bCol = b.transpose(bRow);
  switch (p.kind) {
    case 'right': // (dv bᵀ) w = (bᵀw) dv
      return b.mul(b.matmul(bRow, p.w), Jv);
    case 'left': // (dv bᵀ)ᵀ w = b (wᵀ dv)
      return b.matmul(bCol, b.matmul(b.transpose(p.w), Jv));
    case 'trace': // tr(C dv bᵀ) = bᵀ C dv
      return b.matmul(times(b, bRow, p.C)!, Jv);
    case 'diagonal': // diag(A dv bᵀ B) = diag(Bᵀ b) A dv
      return b.matmul(b.call('diag', times(b, transposed(b, p.B), bCol)!), times(b, p.A, Jv)!);
  }
}

/** An outer product a·dyᵀ, y varying (Jacobian Jy, as for the column dy), a a constant column. */
function outerRow(b: Builder, p: Probe, a: Node, Jy: Node): Node {
  switch (p.kind) {
    case 'right': // (a dyᵀ) w = a wᵀ dy
      return b.matmul(a, b.matmul(b.transpose(p.w), Jy));
    case 'left': // (a dyᵀ)ᵀ w = (aᵀw) dy
      return b.mul(b.matmul(b.transpose(a), p.w), Jy);
    case 'trace': // tr(C a dyᵀ) = (C a)ᵀ dy
      return b.matmul(b.transpose(times(b, p.C, a)!), Jy);
    case 'diagonal': // diag(A a dyᵀ B) = diag(A a) Bᵀ dy
      return b.matmul(b.call('diag', times(b, p.A, a)!), times(b, transposed(b, p.B), Jy)!);
  }
}

/** dM·B for a constant B: (dM B) w = dM (B w); (dM B)ᵀ w = Bᵀ (dMᵀ w); tr(C dM B) = tr(B C dM). */
function rightFactor(b: Builder, p: Probe, dM: Node, B: Node, ctx: ProbeContext): Node | null {
  switch (p.kind) {
    case 'right':
      return ctx.probe(dM, { kind: 'right', w: b.matmul(B, p.w) });
    case 'left': {
      const r = ctx.probe(dM, p);
      return r && b.matmul(b.transpose(B), r);
    }
    case 'trace':
      return ctx.probe(dM, { kind: 'trace', C: times(b, B, p.C) });
    case 'diagonal':
      return ctx.probe(dM, { kind: 'diagonal', A: p.A, B: times(b, B, p.B) });
  }
}

/** A·dM for a constant A: (A dM) w = A (dM w); (A dM)ᵀ w = dMᵀ (Aᵀ w); tr(C A dM). */
function leftFactor(b: Builder, p: Probe, A: Node, dM: Node, ctx: ProbeContext): Node | null {
  switch (p.kind) {
    case 'right': {
      const r = ctx.probe(dM, p);
      return r && b.matmul(A, r);
    }
    case 'left':
      return ctx.probe(dM, { kind: 'left', w: b.matmul(b.transpose(A), p.w) });
    case 'trace':
      return ctx.probe(dM, { kind: 'trace', C: times(b, p.C, A) });
    case 'diagonal':
      return ctx.probe(dM, { kind: 'diagonal', A: times(b, p.A, A), B: p.B });
  }
}

/** Matrix products: outer products of a varying vector, constant factors around a varying matrix, dM·w, wᵀ·dM. */
export const matmulProbe: Rule = (n, p, ctx, b) => {
  const [X, Y] = n.args;
  const vx = ctx.varies(X);
  const vy = ctx.varies(Y);
  if (vx === vy) return null; // linear in the tangent: exactly one factor varies
  if (!p) {
    if (vx && X.shape.kind === 'matrix') return ctx.probe(X, { kind: 'right', w: Y });
    if (vy && Y.shape.kind === 'matrix') return ctx.probe(Y, { kind: 'left', w: b.transpose(X) });
    return null;
  }
  if (vx) {
    if (X.shape.kind !== 'vector') return rightFactor(b, p, X, Y, ctx);
    const Jv = ctx.jacobian(X);
    return Jv && outerColumn(b, p, Y, Jv);
  }
  if (Y.shape.kind !== 'row') return leftFactor(b, p, X, Y, ctx);
  const Jy = ctx.jacobian(Y);
  return Jy && outerRow(b, p, X, Jy);
};

export const transposeProbe: Rule = (n, p, ctx, b) => (p ? ctx.probe(n.args[0], throughTranspose(b, p)) : null);

/** One term of a sum: a varying matrix, or a varying scalar spread over the matrix (s𝟏𝟏ᵀ). */
function termProbe(n: Node, term: Node, p: Probe, ctx: ProbeContext, b: Builder): Node | null {
  if (term.shape.kind === 'matrix') return ctx.probe(term, p);
  const js = ctx.jacobian(term);
  return js && scalarTimesMatrix(b, p, b.ones(n.shape), js);
}

function sumOfTerms(subtract: boolean): Rule {
  return (n, p, ctx, b) => {
    if (!p) return null;
    let total: Node | null = null;
    for (let k = 0; k < 2; k++) {
      const term = n.args[k];
      if (!ctx.varies(term)) continue;
      const r = termProbe(n, term, p, ctx, b);
      if (!r) return null;
      total = !total ? (k === 1 && subtract ? b.neg(r) : r) : subtract ? b.sub(total, r) : b.add(total, r);
    }
    return total;
  };
}

export const addProbe = sumOfTerms(false);
export const subProbe = sumOfTerms(true);

export const negProbe: Rule = (n, p, ctx, b) => {
  const r = p && ctx.probe(n.args[0], p);
  return r && b.neg(r);
};

/**
 * A Hadamard product D ⊙ dM with D constant: (D ⊙ dM) w = diag(dM diag(w) Dᵀ), (D ⊙ dM)ᵀ w = diag(Dᵀ diag(w) dM),
 * tr(C (D ⊙ dM)) = tr((C ⊙ Dᵀ) dM), diag((D ⊙ dM) B) = diag(dM (Dᵀ ⊙ B)), diag(A (D ⊙ dM)) = diag((A ⊙ Dᵀ) dM).
 * With factors on both sides the mask moves inside dM first (maskedTerms).
 */
function hadamardProbe(b: Builder, p: Probe, D: Node, dM: Node, ctx: ProbeContext): Node | null {
  const Dt = b.transpose(D);
  switch (p.kind) {
    case 'right':
      return ctx.probe(dM, { kind: 'diagonal', A: null, B: b.matmul(b.call('diag', p.w), Dt) });
    case 'left':
      return ctx.probe(dM, { kind: 'diagonal', A: b.matmul(Dt, b.call('diag', p.w)), B: null });
    case 'trace':
      return ctx.probe(dM, { kind: 'trace', C: traceMask(b, p.C, Dt) });
    case 'diagonal': {
      if (!p.A && !p.B) {
        const r = ctx.probe(dM, p);
        return r && b.matmul(b.call('diag', b.call('diagvec', D)), r);
      }
      if (!p.A) return ctx.probe(dM, { kind: 'diagonal', A: null, B: b.mul(Dt, p.B!) });
      if (!p.B) return ctx.probe(dM, { kind: 'diagonal', A: b.mul(p.A, Dt), B: null });
      return sumOfProbes(b, maskedTerms(b, D, dM, ctx), p, ctx);
    }
  }
}

/** C ⊙ Dᵀ, the trace probe's matrix through a mask: I ⊙ Dᵀ = diag(diag(D)), (a bᵀ) ⊙ Dᵀ = diag(a) Dᵀ diag(b). */
function traceMask(b: Builder, C: Node | null, Dt: Node): Node {
  if (!C) return b.call('diag', b.call('diagvec', Dt));
  if (C.op === 'matmul' && C.args[0].shape.kind === 'vector') return b.matmul(b.matmul(b.call('diag', C.args[0]), Dt), b.call('diag', b.transpose(C.args[1])));
  return b.mul(C, Dt);
}

/** A term of a sum, with its sign. */
interface Term {
  node: Node;
  negated: boolean;
}

/**
 * D ⊙ dM as a sum of terms with the mask inside dM, where dM's form allows it: D ⊙ diag(dv) = diag(diag(D) ⊗ dv),
 * D ⊙ (c r) = diag(c) D diag(rᵀ) for an outer product c r (dv bᵀ, A dv bᵀ B, …), D ⊙ (A diag(dv)) = (D ⊙ A) diag(dv),
 * D ⊙ (diag(dv) B) = diag(dv) (D ⊙ B), D ⊙ dMᵀ = (Dᵀ ⊙ dM)ᵀ, a diagonal mask diag(d) ⊙ dM = diag(d ⊗ diag(dM)); the
 * mask distributes over sums and scalar factors and merges with another mask. The terms are kept apart (a sum
 * would collect its common mask back). null for a sandwich A·diag(dv)·B under a full mask: no matrix form
 * (docs/derivation.md).
 */
function maskedTerms(b: Builder, D: Node, dM: Node, ctx: ProbeContext): Term[] | null {
  const one = (node: Node): Term[] => [{ node, negated: false }];
  if (D.op === 'diag') return one(b.call('diag', b.mul(D.args[0], b.call('diagvec', dM))));
  if (dM.shape.kind === 'scalar') return one(b.mul(dM, D)); // a varying scalar spread over the matrix
  const [X, Y] = dM.args;
  switch (dM.op) {
    case 'add':
    case 'sub':
      return maskedSum(b, D, dM, ctx);
    case 'neg':
      return negatedTerms(maskedTerms(b, D, X, ctx));
    case 'diag':
      return one(b.call('diag', b.mul(b.call('diagvec', D), X)));
    case 'transpose':
      return one(b.transpose(b.mul(b.transpose(D), X)));
    case 'mul':
    case 'div':
      return maskedProduct(b, D, dM, ctx);
    case 'matmul': {
      const outer = asOuter(b, dM);
      if (outer) return one(b.matmul(b.matmul(b.call('diag', outer[0]), D), b.call('diag', b.transpose(outer[1]))));
      if (ctx.varies(Y) && Y.op === 'diag') return one(b.matmul(b.mul(D, X), Y));
      if (ctx.varies(X) && X.op === 'diag') return one(b.matmul(X, b.mul(D, Y)));
      return null;
    }
    default:
      return null;
  }
}

function negatedTerms(terms: Term[] | null): Term[] | null {
  return terms && terms.map((t) => ({ node: t.node, negated: !t.negated }));
}

function maskedSum(b: Builder, D: Node, dM: Node, ctx: ProbeContext): Term[] | null {
  const terms: Term[] = [];
  for (let k = 0; k < 2; k++) {
    const part = dM.args[k];
    if (!ctx.varies(part)) continue;
    const inner = maskedTerms(b, D, part, ctx);
    if (!inner) return null;
    terms.push(...(k === 1 && dM.op === 'sub' ? negatedTerms(inner)! : inner));
  }
  return terms;
}

/** D ⊙ (s dN), D ⊙ (ds N), D ⊙ (D₂ ⊙ dN) = (D ⊙ D₂) ⊙ dN, and the quotients dN / s, dN ⊘ D₂, ds ⊘ D₂. */
function maskedProduct(b: Builder, D: Node, dM: Node, ctx: ProbeContext): Term[] | null {
  const [X, Y] = dM.args;
  const quotient = dM.op === 'div';
  if (quotient && ctx.varies(Y)) return null;
  const [c, d] = ctx.varies(X) ? [Y, X] : [X, Y]; // c constant, d varying
  if (d.shape.kind === 'scalar') return [{ node: b.mul(d, quotient ? b.div(D, c) : b.mul(D, c)), negated: false }];
  if (c.shape.kind === 'scalar') {
    const inner = maskedTerms(b, D, d, ctx);
    return inner && inner.map((t) => ({ node: quotient ? b.div(t.node, c) : b.mul(c, t.node), negated: t.negated }));
  }
  return maskedTerms(b, quotient ? b.div(D, c) : b.mul(D, c), d, ctx);
}

/** dM as an outer product c·r (a column times a row, one of them varying), through constant factors around it. */
function asOuter(b: Builder, dM: Node): [Node, Node] | null {
  if (dM.op === 'transpose') {
    const inner = asOuter(b, dM.args[0]);
    return inner && [b.transpose(inner[1]), b.transpose(inner[0])];
  }
  if (dM.op !== 'matmul') return null;
  const [X, Y] = dM.args;
  if (X.shape.kind === 'vector' && Y.shape.kind === 'row') return [X, Y];
  const left = Y.shape.kind === 'matrix' ? asOuter(b, Y) : null;
  if (left) return [b.matmul(X, left[0]), left[1]];
  const right = X.shape.kind === 'matrix' ? asOuter(b, X) : null;
  return right && [right[0], b.matmul(right[1], Y)];
}

function sumOfProbes(b: Builder, terms: Term[] | null, p: Probe, ctx: ProbeContext): Node | null {
  let total: Node | null = null;
  for (const t of terms ?? []) {
    const r = ctx.probe(t.node, p);
    if (!r) return null;
    total = !total ? (t.negated ? b.neg(r) : r) : t.negated ? b.sub(total, r) : b.add(total, r);
  }
  return total;
}

/** Element-wise and scalar products: s·dM, ds·N, D ⊙ dM. */
export const mulProbe: Rule = (n, p, ctx, b) => {
  if (!p) return null;
  const [X, Y] = n.args;
  const vx = ctx.varies(X);
  if (vx === ctx.varies(Y)) return null;
  const [c, d] = vx ? [Y, X] : [X, Y]; // c constant, d varying
  if (d.shape.kind === 'scalar') {
    const js = ctx.jacobian(d);
    return js && scalarTimesMatrix(b, p, c, js);
  }
  if (c.shape.kind === 'scalar') {
    const r = ctx.probe(d, p);
    return r && b.mul(c, r);
  }
  return hadamardProbe(b, p, c, d, ctx);
};

/** dM / s, dM ⊘ D (a Hadamard product with 1 ⊘ D) and ds ⊘ D, the denominator constant. */
export const divProbe: Rule = (n, p, ctx, b) => {
  const [X, Y] = n.args;
  if (!p || ctx.varies(Y)) return null;
  if (X.shape.kind === 'scalar') {
    const js = ctx.jacobian(X);
    return js && scalarTimesMatrix(b, p, b.div(b.constant(1), Y), js);
  }
  if (Y.shape.kind === 'scalar') {
    const r = ctx.probe(X, p);
    return r && b.div(r, Y);
  }
  return hadamardProbe(b, p, b.div(b.constant(1), Y), X, ctx);
};

/** Reductions of a varying matrix: sum(dM) = 𝟏ᵀ dM 𝟏 = tr(𝟏𝟏ᵀ dM), and the mean divides by the element count. */
export function sumOfMatrix(n: Node, ctx: ProbeContext, b: Builder): Node | null {
  const M = n.args[0];
  if (M.shape.kind !== 'matrix') return null;
  return ctx.probe(M, { kind: 'trace', C: b.matmul(b.ones({ kind: 'vector', n: M.shape.n }), b.rowOnes(M.shape.m)) });
}
