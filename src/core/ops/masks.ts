// A Hadamard mask D ⊙ dM over a matrix differential, rewritten with the mask inside dM so that probes
// (ops/probes.ts) with factors on both sides, diag(A·(D ⊙ dM)·B), can go on: element-wise functions of
// matrices that depend on x, nested in matrix products, are masks of this kind (d sin(M) = cos(M) ⊙ dM).

import type { Builder } from '../builder.ts';
import { type Node, isIdentity } from '../ir.ts';
import type { ProbeContext } from './probes.ts';

/** A term of a sum, with its sign. */
export interface Term {
  node: Node;
  negated: boolean;
}

/** Beyond this many terms a differential is left to index form rather than expanded further. */
const MAX_TERMS = 16;

/**
 * D ⊙ dM as a sum of terms with the mask inside: dM is expanded into products without sums, and each is masked
 * by the rules of maskedTerm. The terms are kept apart (a sum would collect its common mask back). null when a
 * term is a sandwich A·diag(dv)·B under a full mask, which has no matrix form (docs/derivation.md).
 */
export function maskedTerms(b: Builder, D: Node, dM: Node, ctx: ProbeContext): Term[] | null {
  if (D.op === 'diag') return [{ node: b.call('diag', b.mul(D.args[0], b.call('diagvec', dM))), negated: false }]; // diag(d) ⊙ dM = diag(d ⊗ diag(dM))
  const terms = expandTerms(b, dM, ctx);
  const out: Term[] = [];
  for (const t of terms ?? []) {
    const node = maskedTerm(b, D, t.node, ctx);
    if (!node) return null;
    out.push({ node, negated: t.negated });
  }
  return terms && out;
}

/**
 * One product under the mask: D ⊙ (ds N) = ds (D ⊙ N), D ⊙ (c r) = diag(c) D diag(rᵀ) for an outer product c r,
 * D ⊙ (C diag(v)) = (D ⊙ C) diag(v) and D ⊙ (diag(v) C) = diag(v) (D ⊙ C); D ⊙ dNᵀ = (Dᵀ ⊙ dN)ᵀ and masks of
 * masks (D ⊙ (s dN), D ⊙ (D₂ ⊙ dN)) move the mask one step in, to be rewritten when probed.
 */
function maskedTerm(b: Builder, D: Node, dM: Node, ctx: ProbeContext): Node | null {
  if (dM.shape.kind === 'scalar') return b.mul(dM, D);
  const outer = asOuter(b, dM);
  if (outer) return b.matmul(b.matmul(b.call('diag', outer[0]), D), b.call('diag', b.transpose(outer[1])));
  const one = oneSidedDiagonal(b, dM, ctx);
  if (one) return one.left ? b.matmul(b.mul(D, one.C), b.call('diag', one.v)) : b.matmul(b.call('diag', one.v), b.mul(D, one.C));
  const [X, Y] = dM.args;
  switch (dM.op) {
    case 'transpose':
      return b.transpose(b.mul(b.transpose(D), X));
    case 'mul': {
      const [c, d] = ctx.varies(X) ? [Y, X] : [X, Y];
      return d.shape.kind === 'scalar' ? b.mul(d, b.mul(D, c)) : b.mul(b.mul(D, c), d);
    }
    case 'div':
      if (ctx.varies(Y)) return null;
      return X.shape.kind === 'scalar' ? b.mul(X, b.div(D, Y)) : b.mul(b.div(D, Y), X);
    default:
      return null;
  }
}

/** dM as signed products without sums: products, transposes and masks distribute over ± (at most MAX_TERMS). */
function expandTerms(b: Builder, dM: Node, ctx: ProbeContext): Term[] | null {
  const [X, Y] = dM.args;
  const rebuilt = (inner: Node, make: (t: Node) => Node): Term[] | null => {
    const terms = expandTerms(b, inner, ctx);
    return terms && terms.map((t) => ({ node: make(t.node), negated: t.negated }));
  };
  switch (dM.op) {
    case 'add':
    case 'sub': {
      const terms: Term[] = [];
      for (let k = 0; k < 2; k++) {
        if (!ctx.varies(dM.args[k])) continue;
        const part = expandTerms(b, dM.args[k], ctx);
        if (!part) return null;
        terms.push(...part.map((t) => ({ node: t.node, negated: t.negated !== (k === 1 && dM.op === 'sub') })));
      }
      return terms.length <= MAX_TERMS ? terms : null;
    }
    case 'neg': {
      const terms = expandTerms(b, X, ctx);
      return terms && terms.map((t) => ({ node: t.node, negated: !t.negated }));
    }
    case 'transpose':
      return rebuilt(X, (t) => b.transpose(t));
    case 'matmul':
      return ctx.varies(X) ? rebuilt(X, (t) => b.matmul(t, Y)) : rebuilt(Y, (t) => b.matmul(X, t));
    case 'mul':
      return ctx.varies(X) ? rebuilt(X, (t) => b.mul(t, Y)) : rebuilt(Y, (t) => b.mul(X, t));
    default:
      return [{ node: dM, negated: false }];
  }
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

/** dM = C·diag(v) (`left`: the constant C on the left) or diag(v)·C, through products, masks and transposes. */
function oneSidedDiagonal(b: Builder, dM: Node, ctx: ProbeContext): { C: Node; v: Node; left: boolean } | null {
  const [X, Y] = dM.args;
  switch (dM.op) {
    case 'diag':
      return { C: b.identity((dM.shape as { m: string | number }).m), v: X, left: true };
    case 'neg':
    case 'transpose': {
      const inner = oneSidedDiagonal(b, X, ctx);
      if (!inner) return null;
      return dM.op === 'neg' ? { ...inner, C: b.neg(inner.C) } : { C: b.transpose(inner.C), v: inner.v, left: !inner.left };
    }
    case 'matmul': {
      const varyingLeft = ctx.varies(X);
      const inner = oneSidedDiagonal(b, varyingLeft ? X : Y, ctx);
      if (!inner) return null;
      // A·(C diag(v)) and (diag(v) C)·B keep one side; the identity (a bare diag(v)) fits either.
      if (varyingLeft && (!inner.left || isIdentity(inner.C))) return { C: b.matmul(inner.C, Y), v: inner.v, left: false };
      if (!varyingLeft && (inner.left || isIdentity(inner.C))) return { C: b.matmul(X, inner.C), v: inner.v, left: true };
      return null;
    }
    case 'mul':
    case 'div': {
      if (dM.op === 'div' && ctx.varies(Y)) return null;
      const [c, d] = ctx.varies(X) ? [Y, X] : [X, Y];
      const inner = d.shape.kind === 'matrix' ? oneSidedDiagonal(b, d, ctx) : null;
      return inner && { ...inner, C: dM.op === 'div' ? b.div(inner.C, c) : b.mul(c, inner.C) };
    }
    default:
      return null;
  }
}
