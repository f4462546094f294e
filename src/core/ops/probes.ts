// Jacobian extraction through matrix-valued differentials, by the differential method of Magnus & Neudecker
// (the Matrix Cookbook's own). A matrix dM that is linear in the tangent dx of a vector variable has no
// Jacobian matrix (it would be of order 3), but every vector or scalar the expression makes of it does: the
// engine reads those off by pushing a *probe* — the linear map applied to dM — through dM's operators until
// the tangent appears in vector form: diag(dv)·w = diag(w)·dv, (dv·bᵀ)·w = (bᵀw)·dv, (A·dM·B)·w = A·(dM·(B w)),
// tr(C·dv·bᵀ) = bᵀC·dv, (D ⊙ dM)·w = diag(dM·diag(w)·Dᵀ). Each operator owns its rules (OpDef.probe).

import type { Builder } from '../builder.ts';
import type { Node } from '../ir.ts';

/** A linear map applied to a matrix M (p×q) that gives a vector or a scalar; null factors are identities. */
export type Probe =
  /** M·w for a vector w of length q. */
  | { kind: 'right'; w: Node }
  /** Mᵀ·w for a vector w of length p (the Jacobian of the row wᵀ·M). */
  | { kind: 'left'; w: Node }
  /** tr(C·M), C being q×p. */
  | { kind: 'trace'; C: Node | null }
  /** The diagonal of A·M·B, as a vector. */
  | { kind: 'diagonal'; A: Node | null; B: Node | null };

/** What an operator's probe rule may ask the engine for. */
export interface ProbeContext {
  /** Whether a node depends on the tangent. */
  varies(n: Node): boolean;
  /** The Jacobian (numerator layout) of a vector, row or scalar node that varies; null when it has none. */
  jacobian(n: Node): Node | null;
  /** The Jacobian of a probe of a matrix node that varies; null when no rule applies. */
  probe(m: Node, p: Probe): Node | null;
}

/** A key for memoising probes of one node (the builder interns nodes, so equal probes have equal keys). */
export function probeKey(p: Probe): string {
  const id = (n: Node | null) => (n ? n.id : '-');
  switch (p.kind) {
    case 'right':
    case 'left':
      return `${p.kind}:${p.w.id}`;
    case 'trace':
      return `trace:${id(p.C)}`;
    case 'diagonal':
      return `diagonal:${id(p.A)}:${id(p.B)}`;
  }
}

/** P·Q where a missing factor is the identity (null when both are). */
export function times(b: Builder, P: Node | null, Q: Node | null): Node | null {
  if (!P) return Q;
  if (!Q) return P;
  return b.matmul(P, Q);
}

/** Pᵀ, where a missing factor (the identity) stays missing. */
export function transposed(b: Builder, P: Node | null): Node | null {
  return P && b.transpose(P);
}

/** The probe applied to a matrix N that does not vary: N·w, Nᵀ·w, tr(C·N) or diag(A·N·B). */
export function probeValue(b: Builder, p: Probe, N: Node): Node {
  switch (p.kind) {
    case 'right':
      return b.matmul(N, p.w);
    case 'left':
      return b.matmul(b.transpose(N), p.w);
    case 'trace':
      return b.call('tr', times(b, p.C, N)!);
    case 'diagonal':
      return b.call('diagvec', times(b, times(b, p.A, N), p.B)!);
  }
}

/** A probe of Mᵀ as a probe of M: tr(C·Mᵀ) = tr(Cᵀ·M), diag(A·Mᵀ·B) = diag(Bᵀ·M·Aᵀ). */
export function throughTranspose(b: Builder, p: Probe): Probe {
  switch (p.kind) {
    case 'right':
      return { kind: 'left', w: p.w };
    case 'left':
      return { kind: 'right', w: p.w };
    case 'trace':
      return { kind: 'trace', C: transposed(b, p.C) };
    case 'diagonal':
      return { kind: 'diagonal', A: transposed(b, p.B), B: transposed(b, p.A) };
  }
}

/** Jacobian of a probe of s·N, for a scalar s that varies (Jacobian js, a row) and N that does not: probe(N)·js. */
export function scalarTimesMatrix(b: Builder, p: Probe, N: Node, js: Node): Node {
  const v = probeValue(b, p, N);
  return v.shape.kind === 'scalar' ? b.mul(v, js) : b.matmul(v, js);
}
