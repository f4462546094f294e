// Random well-formed mcalc documents for property tests and the fuzzer: a prelude of declarations (symbolic
// sizes, or literal sizes of 1 and 2 so that 1×1 Jacobians occur), definitions built from random expressions
// (with derivative forms inside, zero factors and transposed identities), definitions that are derivative
// forms of earlier definitions (also derivatives of those), and claims. Plus text mutations of documents,
// which mostly do not analyse cleanly, for the error paths.

import fc from 'fast-check';
import { PRELUDE, exprArb, type Kind } from './randomExpr.ts';

/** The prelude with `n` replaced by a literal size (when given): every name of PRELUDE keeps its kind. */
export function preludeWith(size?: number): string {
  if (size === undefined) return PRELUDE;
  return PRELUDE.replace('dim n, m', 'dim m').replace(/\bn\b/g, String(size));
}

/** Variables of PRELUDE by name, with their kind; `C` (m×n) only ever appears as a variable to derive by. */
export const DOC_VARIABLES: Record<string, Kind> = { s: 'scalar', t: 'scalar', u: 'vector', v: 'vector', A: 'matrix', B: 'matrix', C: 'matrix' };
const WRT = Object.keys(DOC_VARIABLES);

export interface RandomDocument {
  text: string;
  /** Definitions in order, with the kind of value they hold. */
  definitions: { name: string; kind: DefinitionKind }[];
}

/**
 * What a definition holds: a value usable in expressions of that kind, `other` (a row vector, or a matrix
 * that is not n×n: only differentiated further by scalars) or a `tensor` (possibly of order ≥ 3: not used
 * further). With the literal size 1, n×n matrices are 1×1, which the analysis calls scalars: a few of those
 * documents do not analyse cleanly.
 */
export type DefinitionKind = Kind | 'other' | 'tensor';

/** Expressions of each kind for definitions, built once (building an arbitrary is not cheap). */
const VALUE_EXPRS: Record<Kind, fc.Arbitrary<string>> = {
  scalar: exprArb('scalar', 2, { kinks: true, forms: true }),
  vector: exprArb('vector', 2, { kinks: true, forms: true }),
  matrix: exprArb('matrix', 1, { kinks: true, forms: true }),
};

/** One definition's right-hand side: an expression of its kind, maybe using an earlier definition of that kind. */
function valueArb(kind: Kind, same: readonly string[]): fc.Arbitrary<string> {
  const expr = VALUE_EXPRS[kind];
  if (!same.length) return expr;
  return fc.oneof(expr, fc.tuple(expr, fc.constantFrom(...same)).map(([e, name]) => (kind === 'scalar' ? `${e} * ${name}` : `${e} + ${name}`)));
}

const DERIVATIVE_FORMS = ['d', '∂', 'jacobian', 'grad', 'hessian'] as const;

/** Kind of d(f)/d(x) (the same in both layouts, or `other`), for f of kind `f` and x of kind `x`. */
function jacobianKind(f: DefinitionKind, x: Kind, xName: string): DefinitionKind {
  if (f === 'scalar') return x === 'scalar' ? 'scalar' : x === 'matrix' && xName !== 'C' ? 'matrix' : 'other';
  if (x === 'scalar') return f === 'matrix' ? 'matrix' : 'other';
  return f === 'vector' && x === 'vector' ? 'matrix' : 'tensor';
}

interface Planned {
  name: string;
  kind: DefinitionKind;
  /** Derivative definitions: their text, fixed by the plan; value definitions draw theirs. */
  text?: string;
}

/** A derivative form of an earlier definition (any but a tensor), with a form that applies to it. */
function planDerivative(name: string, earlier: readonly Planned[], pickOf: number, wrt: string, pickForm: number): Planned {
  const candidates = earlier.filter((d) => d.kind !== 'tensor');
  const of = candidates.length ? candidates[pickOf % candidates.length] : { name: '(s * sum(u ⊗ u))', kind: 'scalar' as const };
  const x = DOC_VARIABLES[wrt];
  // grad and hessian need a scalar f; hessian needs x to be a scalar or a vector.
  const usable = DERIVATIVE_FORMS.filter((f) => (f !== 'grad' && f !== 'hessian') || (of.kind === 'scalar' && (f === 'grad' || x !== 'matrix')));
  const form = usable[pickForm % usable.length];
  const f = of.name;
  if (form === 'grad') return { name, kind: x === 'matrix' && wrt === 'C' ? 'other' : x, text: `grad(${f}, ${wrt})` };
  if (form === 'hessian') return { name, kind: x === 'scalar' ? 'scalar' : 'matrix', text: `hessian(${f}, ${wrt})` };
  const text = form === 'jacobian' ? `jacobian(${f}, ${wrt})` : form === '∂' && /^\w+$/.test(f) ? `∂${f}/∂${wrt}` : `d(${f})/d(${wrt})`;
  return { name, kind: jacobianKind(of.kind, x, wrt), text };
}

type Step = { value: Kind } | { derivative: [number, string, number] };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Kind>('scalar', 'vector', 'matrix').map((value) => ({ value })) },
  fc.tuple(fc.nat(), fc.constantFrom(...WRT), fc.nat()).map((derivative) => ({ derivative })),
);

function plan(steps: readonly Step[]): Planned[] {
  const out: Planned[] = [];
  steps.forEach((step, i) => {
    const name = `f${i + 1}`;
    out.push('value' in step ? { name, kind: step.value } : planDerivative(name, out, ...step.derivative));
  });
  return out;
}

/** A generated expression in a prelude with a literal size: its constructors follow (`ones(n)` → `ones(2)`). */
function sized(expr: string, size: number | null): string {
  return size === null ? expr : expr.replace(/\bn\b/g, String(size));
}

export const documentArb: fc.Arbitrary<RandomDocument> = fc
  .tuple(fc.option(fc.constantFrom(1, 2), { freq: 3 }), fc.array(stepArb, { minLength: 1, maxLength: 5 }))
  .chain(([size, steps]) => {
    const planned = plan(steps);
    const rhs = planned.map((d, i) => {
      if (d.text !== undefined) return fc.constant(d.text);
      const same = planned.slice(0, i).filter((e) => e.kind === d.kind).map((e) => e.name);
      return valueArb(d.kind as Kind, same);
    });
    // A claim that the engine's derivative of a scalar definition equals itself (checks the claim path).
    const scalars = planned.filter((d) => d.kind === 'scalar').map((d) => d.name);
    const claim = scalars.length ? fc.option(fc.tuple(fc.constantFrom(...scalars), fc.constantFrom(...WRT)).map(([f, x]) => `check d(${f})/d(${x}) = d(${f})/d(${x})`), { freq: 2 }) : fc.constant(null);
    return fc.tuple(fc.tuple(...rhs), claim).map(([values, c]) => ({
      text: `${preludeWith(size ?? undefined)}${planned.map((d, i) => `${d.name} = ${sized(values[i], size)}\n`).join('')}${c ? `${c}\n` : ''}`,
      definitions: planned.map(({ name, kind }) => ({ name, kind })),
    }));
  });

const PIECES = ['(', ')', 'ᵀ', "'", '*', '+', '-', '⊗', '·', '/', '^', '0', '1', 'u', 'A', 's', 'f1', 'd(', ')/d(', 'grad(', 'tr(', ',', '=', '\n', ' ', 'check ', ':', 'vector[', 'dim '];

export type Edit = [position: number, kind: 'delete' | 'insert' | 'replace' | 'duplicate-line', piece: string];

/** Up to `maxLength` random edits (deletions, insertions of `pieces`, replacements, duplicated lines). */
export function editsArb(pieces: readonly string[], maxLength: number): fc.Arbitrary<Edit[]> {
  return fc.array(fc.tuple(fc.nat(), fc.constantFrom<Edit[1]>('delete', 'insert', 'replace', 'duplicate-line'), fc.constantFrom(...pieces)), { minLength: 1, maxLength });
}

export function applyEdits(text: string, edits: readonly Edit[]): string {
  let t = text;
  for (const [pos, kind, piece] of edits) {
    const i = pos % (t.length + 1);
    if (kind === 'delete') t = t.slice(0, i) + t.slice(i + 1 + (pos % 3));
    else if (kind === 'insert') t = t.slice(0, i) + piece + t.slice(i);
    else if (kind === 'replace') t = t.slice(0, i) + piece + t.slice(i + piece.length);
    else {
      const lines = t.split('\n');
      const k = pos % lines.length;
      lines.splice(k, 0, lines[k]);
      t = lines.join('\n');
    }
  }
  return t;
}

/** A few random edits of a document's text. */
export function mutationArb(text: string): fc.Arbitrary<string> {
  return editsArb(PIECES, 4).map((edits) => applyEdits(text, edits));
}
