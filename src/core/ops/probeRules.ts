// The probe rules (ops/probes.ts) of the arithmetic operators, kept here so that arithmetic.ts stays readable.
// Each reads the Jacobian of a probe of its node from probes of its arguments, or from their Jacobians once
// the tangent is a vector. `p` null asks for the node's own Jacobian: a vector, row or scalar node made from a
// matrix that varies (dM·w, wᵀ·dM).

import type { Builder } from '../builder.ts';
import type { Node } from '../ir.ts';
import type { OpDef } from './types.ts';
import { type Term, maskedTerms } from './masks.ts';
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
 * With factors on both sides the mask moves inside dM first (ops/masks.ts).
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
