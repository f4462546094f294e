// Random well-shaped mcalc expressions for property tests, generated as source text so the parser and the
// analysis are exercised too. Domains are kept safe (each function's argument is mapped into its entry's
// domain, divisions are by 1 + x²) so failures point at rules, not at NaNs. The element-wise functions come
// from the operator registry, so a new one is generated (and property-tested) without touching this file.

import fc from 'fast-check';
import { ALL_OPS } from '../../../src/core/ops/registry.ts';

export const PRELUDE = 'dim n, m\ns, t: scalar\nu, v: vector[n]\nA, B: matrix[n, n]\nC: matrix[m, n]\n';

/** Variables of PRELUDE by kind. */
export const VARIABLES = { scalar: ['s', 't'], vector: ['u', 'v'], matrix: ['A', 'B'] } as const;

export type Kind = 'scalar' | 'vector' | 'matrix';

/** Calls of the element-wise functions of one argument, each argument mapped into the function's domain. */
const UNARY_CALLS = ALL_OPS.filter((d) => d.family === 'element-wise functions' && d.syntax?.arity === 1).map((d) => ({
  smooth: !d.kinkDistance,
  call: (a: string) => `${d.syntax!.name}(${d.domain ? d.domain.into(a) : a})`,
}));
const SMOOTH_UNARY = UNARY_CALLS.filter((f) => f.smooth).map((f) => f.call);
const KINKY_UNARY = UNARY_CALLS.filter((f) => !f.smooth).map((f) => f.call);

/** A symmetric positive definite matrix built from any X and a: X Xᵀ + diag(a² + 1). Safe to invert. */
function spd(X: string, a: string): string {
  return `(${X} * (${X})ᵀ + diag(${a}^2 + 1))`;
}

export interface ExprOptions {
  /** relu and abs as well as smooth functions. */
  kinks?: boolean;
  /**
   * Derivative forms inside expressions (grad, hessian, d(f)/d(x), the identity d(u)/d(u) transposed),
   * zero factors (0 * X) and differences of equal terms (X − X). Their shapes are the same in both layouts.
   */
  forms?: boolean;
}

/** Extra alternatives of `opts.forms`, per kind; `S`, `V`, `M` draw smaller expressions. */
function formArbs(kind: Kind, S: () => fc.Arbitrary<string>, V: () => fc.Arbitrary<string>, M: () => fc.Arbitrary<string>): fc.Arbitrary<string>[] {
  const same = (a: fc.Arbitrary<string>) => a.map((x) => `(${x} - ${x})`);
  switch (kind) {
    case 'scalar':
      return [S().map((a) => `d(${a})/d(s)`), S().map((a) => `sum(grad(${a}, u))`), S().map((a) => `(0 * ${a})`), same(S())];
    case 'vector':
      return [
        S().map((a) => `grad(${a}, u)`),
        fc.tuple(V(), V()).map(([a, b]) => `(d(${a})/d(u) * ${b})`),
        V().map((a) => `((d(u)/d(u))ᵀ * ${a})`),
        V().map((a) => `(0 * ${a})`),
        same(V()),
      ];
    case 'matrix':
      return [
        V().map((a) => `d(${a})/d(u)`),
        V().map((a) => `(d(${a})/d(u))ᵀ`),
        fc.constant('(d(u)/d(u))ᵀ'),
        S().map((a) => `hessian(${a}, u)`),
        S().map((a) => `grad(${a}, A)`),
        M().map((X) => `(0 * ${X})`),
        same(M()),
      ];
  }
}

export function exprArb(kind: Kind, depth: number, opts: ExprOptions = {}): fc.Arbitrary<string> {
  const leaf = fc.constantFrom(...VARIABLES[kind]);
  if (depth <= 0) {
    return kind === 'scalar' ? fc.oneof(leaf, fc.constantFrom('2', '0.5', '3')) : leaf;
  }
  const sub = (k: Kind) => exprArb(k, depth - 1, opts);
  const S = () => sub('scalar');
  const V = () => sub('vector');
  const M = () => sub('matrix');
  const unary = fc.constantFrom(...SMOOTH_UNARY);
  const kinky = opts.kinks ? fc.constantFrom(...KINKY_UNARY) : unary;
  const kinkyScalar = opts.kinks ? [fc.tuple(S(), fc.constantFrom('>', '<', '>=', '<='), S()).map(([a, op, b]) => `(${a} ${op} ${b})`)] : [];
  const forms = opts.forms ? formArbs(kind, S, V, M) : [];
  switch (kind) {
    case 'scalar':
      return fc.oneof(
        { weight: 2, arbitrary: leaf },
        ...forms,
        fc.tuple(S(), fc.constantFrom('+', '-', '*'), S()).map(([a, op, b]) => `(${a} ${op} ${b})`),
        S().map((a) => `(-${a})`),
        fc.tuple(S(), S()).map(([a, b]) => `(${a} / (1 + ${b}^2))`),
        fc.tuple(unary, S()).map(([f, a]) => f(a)),
        fc.tuple(S(), fc.constantFrom(2, 3)).map(([a, p]) => `(${a})^${p}`),
        V().map((a) => `sum(${a})`),
        V().map((a) => `mean(${a})`),
        fc.tuple(V(), V()).map(([a, b]) => `(${a} · ${b})`),
        fc.tuple(V(), V()).map(([a, b]) => `dot(${a}, ${b})`),
        fc.tuple(V(), M(), V()).map(([a, X, b]) => `(${a}ᵀ * ${X} * ${b})`),
        V().map((a) => `norm(${a} + 3)`),
        M().map((X) => `tr(${X})`),
        fc.tuple(M(), V()).map(([X, a]) => `log(det(${spd(X, a)}))`),
        fc.tuple(V(), M(), V(), V()).map(([a, X, c, b]) => `(${a}ᵀ * inv(${spd(X, c)}) * ${b})`),
        V().map((a) => `(${a})[1]`),
        fc.tuple(S(), S(), fc.constantFrom('max', 'min')).map(([a, b, f]) => `${f}(${a}, ${b})`),
        fc.tuple(S(), S()).map(([a, b]) => `sum([${a}, ${b}])`),
        fc.tuple(kinky, S()).map(([f, a]) => f(a)),
        ...kinkyScalar,
      );
    case 'vector':
      return fc.oneof(
        { weight: 2, arbitrary: leaf },
        ...forms,
        fc.tuple(V(), fc.constantFrom('+', '-', '⊗'), V()).map(([a, op, b]) => `(${a} ${op} ${b})`),
        fc.tuple(V(), V()).map(([a, b]) => `(${a} ⊘ (1 + ${b}^2))`),
        fc.tuple(S(), V()).map(([a, b]) => `(${a} * ${b})`),
        fc.tuple(V(), S()).map(([a, b]) => `(${a} + ${b})`),
        fc.tuple(M(), V()).map(([X, a]) => `(${X} * ${a})`),
        fc.tuple(M(), V()).map(([X, a]) => `(${X}ᵀ * ${a})`),
        fc.tuple(unary, V()).map(([f, a]) => f(a)),
        fc.tuple(kinky, V()).map(([f, a]) => f(a)),
        fc.tuple(V(), fc.constantFrom(2, 3)).map(([a, p]) => `(${a})^${p}`),
        V().map((a) => `max(0, ${a})`),
        M().map((X) => `diag(${X})`),
        fc.tuple(S(), S()).map(([a, b]) => `(${a} * u + ${b} * v)`),
      );
    case 'matrix':
      return fc.oneof(
        { weight: 2, arbitrary: leaf },
        ...forms,
        fc.tuple(M(), fc.constantFrom('+', '-', '*', '⊗'), M()).map(([a, op, b]) => `(${a} ${op} ${b})`),
        fc.tuple(S(), M()).map(([a, X]) => `(${a} * ${X})`),
        M().map((X) => `(${X})ᵀ`),
        fc.tuple(V(), V()).map(([a, b]) => `(${a} * ${b}ᵀ)`),
        fc.tuple(unary, M()).map(([f, X]) => f(X)),
        V().map((a) => `diag(${a})`),
        fc.tuple(M(), V()).map(([X, a]) => `inv(${spd(X, a)})`),
      );
  }
}
