// The derivation record as lines, step by step, in text or LaTeX: what `mcalc derive` prints and what the preview
// typesets. Each line is built from one record entry, so rendering is linear in the record too. A line's kind
// says how to show it: a formula (typeset), or prose (plain text).

import { latexName } from '../ops/format.ts';
import { NOT_SCALAR } from '../shape.ts';
import { whereNameLatex } from './printedResult.ts';
import type { Derivation, GraphNode, Intermediate, Partial } from './derivation.ts';

export const STEP_TITLES = {
  1: 'Introduce intermediate variables',
  2: 'Partial derivatives of each intermediate',
  3: 'Combine with the chain rule',
  4: 'Substitute back and simplify',
} as const;

export type Step = keyof typeof STEP_TITLES;

export interface StepLine {
  step: Step;
  kind: 'formula' | 'prose';
  text: string;
  latex: string;
  /** For lines of a list the reader may fold: the rule or operation they share, e.g. `sin rule`. */
  group?: string;
  /** What the text shows in parentheses after a formula (its shape; for a partial, also the rule), e.g. `1×n; dot product rule`. */
  note?: string;
}

const symbolsOf = new WeakMap<Derivation, (name: string) => string>();

/** The names' LaTeX (bold for vectors and matrices, as in the paper); built once per record (lines call it often). */
function symbols(d: Derivation): (name: string) => string {
  let sym = symbolsOf.get(d);
  if (!sym) {
    const shapes = new Map<string, string>([[d.wrt, d.wrtShape]]);
    for (const i of d.intermediates) shapes.set(i.name, i.shape);
    // latexName only asks whether the shape is a scalar; the record keeps shapes as text.
    sym = (name) => latexName(name, shapes.get(name) === 'scalar' || shapes.get(name) === undefined ? undefined : NOT_SCALAR);
    symbolsOf.set(d, sym);
  }
  return sym;
}

/** ∂ for Jacobians; d for total derivatives when everything is scalar (as in the paper). */
function totalSymbol(d: Derivation): { text: string; latex: string } {
  return d.rule === 'vector chain rule' ? { text: '∂', latex: '\\partial' } : { text: 'd', latex: '\\mathrm{d}' };
}

export function stepLines(d: Derivation, step: Step): StepLine[] {
  switch (step) {
    case 1:
      return intermediateLines(d);
    case 2:
      return d.partials.map((p) => partialLine(d, p));
    case 3:
      return chainLines(d);
    case 4:
      return resultLines(d);
  }
}

/** Every line of the record, in order. */
export function allStepLines(d: Derivation): StepLine[] {
  return ([1, 2, 3, 4] as const).flatMap((s) => stepLines(d, s));
}

function intermediateLines(d: Derivation): StepLine[] {
  if (d.independent) {
    const text = `${d.of} does not depend on ${d.wrt}: no intermediate variables.`;
    return [{ step: 1, kind: 'prose', text, latex: text }];
  }
  const sym = symbols(d);
  return d.intermediates.map((i) => ({ step: 1, kind: 'formula', text: `${i.name} = ${i.text}   (${i.shape})`, latex: `${sym(i.name)} = ${i.latex}`, group: opOf(i.text), note: i.shape }));
}

/** The operation an intermediate applies (`sin`, `+`, …), for folding long uniform lists. */
function opOf(text: string): string {
  const call = /^([^\s(]+)\(/.exec(text);
  if (call) return call[1];
  const op = /\s([+\-*/⊗⊘·^])\s|(\^)/.exec(text);
  return op ? (op[1] ?? op[2]) : text;
}

function partialSymbol(d: Derivation, p: Pick<Partial, 'of' | 'wrt'>, mode: 'text' | 'latex'): string {
  const sym = symbols(d);
  return mode === 'text' ? `∂${p.of}/∂${p.wrt}` : `\\frac{\\partial ${sym(p.of)}}{\\partial ${sym(p.wrt)}}`;
}

function partialLine(d: Derivation, p: Partial): StepLine {
  const sym = symbols(d);
  if (p.kind === 'differential') {
    const note = `as a differential in d${p.wrt}; ${p.shape}; ${p.rule}`;
    return { step: 2, kind: 'formula', text: `d${p.of} = ${p.text}   (${note})`, latex: `\\mathrm{d}${sym(p.of)} = ${p.latex}`, group: p.rule, note };
  }
  const note = `${p.shape}; ${p.rule}`;
  return { step: 2, kind: 'formula', text: `${partialSymbol(d, p, 'text')} = ${p.text}   (${note})`, latex: `${partialSymbol(d, p, 'latex')} = ${p.latex}`, group: p.rule, note };
}

function totalOf(d: Derivation, name: string, mode: 'text' | 'latex'): string {
  const t = totalSymbol(d);
  const sym = symbols(d);
  return mode === 'text' ? `${t.text}${name}/${t.text}${d.wrt}` : `\\frac{${t.latex} ${sym(name)}}{${t.latex} ${sym(d.wrt)}}`;
}

function chainTerm(d: Derivation, p: Partial, mode: 'text' | 'latex'): string {
  const local = partialSymbol(d, p, mode);
  if (p.wrt === d.wrt) return local;
  const inner = totalOf(d, p.wrt, mode);
  const dot = mode === 'text' ? ' · ' : ' \\, ';
  // Numerator layout composes outer·inner; denominator layout inner·outer.
  return d.layout === 'numerator' ? `${local}${dot}${inner}` : `${inner}${dot}${local}`;
}

function chainLines(d: Derivation): StepLine[] {
  const lines: StepLine[] = [];
  for (const i of d.intermediates) {
    const terms = i.partials.map((k) => d.partials[k]);
    if (terms.length === 1 && terms[0].wrt === d.wrt && !i.total) continue; // ∂u/∂x = ∂u/∂x says nothing
    lines.push(chainLine(d, i, terms));
  }
  if (d.product) {
    const factors = d.product.map((k) => d.partials[k]);
    lines.push({
      step: 3,
      kind: 'formula',
      text: `so ${totalOf(d, d.outName, 'text')} = ${factors.map((p) => partialSymbol(d, p, 'text')).join(' · ')}`,
      latex: `${totalOf(d, d.outName, 'latex')} = ${factors.map((p) => partialSymbol(d, p, 'latex')).join(' \\, ')}`,
    });
  }
  return lines;
}

function chainLine(d: Derivation, i: Intermediate, terms: Partial[]): StepLine {
  const sum = (mode: 'text' | 'latex') => terms.map((p) => chainTerm(d, p, mode)).join(' + ');
  const trivial = terms.length === 1 && terms[0].wrt === d.wrt;
  const text = `${totalOf(d, i.name, 'text')} = ${trivial ? '' : `${sum('text')}${i.total ? ' = ' : ''}`}${i.total?.text ?? ''}`;
  const latex = `${totalOf(d, i.name, 'latex')} = ${trivial ? '' : `${sum('latex')}${i.total ? ' = ' : ''}`}${i.total?.latex ?? ''}`;
  return { step: 3, kind: 'formula', text, latex, group: 'chain' };
}

function resultLines(d: Derivation): StepLine[] {
  const t = totalSymbol(d);
  const lhs = d.form === 'grad' ? `grad(${d.outName}, ${d.wrt})` : d.form === 'hessian' ? `hessian(${d.outName}, ${d.wrt})` : `${t.text}${d.outName}/${t.text}${d.wrt}`;
  const sym = symbols(d);
  const lhsLatex = d.form === 'grad' ? `\\nabla_{${sym(d.wrt)}} ${sym(d.outName)}` : d.form === 'hessian' ? `\\nabla^2_{${sym(d.wrt)}} ${sym(d.outName)}` : totalOf(d, d.outName, 'latex');
  const lines: StepLine[] = [
    d.indexForm
      ? { step: 4, kind: 'formula', text: `${d.result.main.text}${d.result.suffix ?? ''}`, latex: d.result.main.latex }
      : { step: 4, kind: 'formula', text: `${lhs} = ${d.result.main.text}`, latex: `${lhsLatex} = ${d.result.main.latex}` },
  ];
  for (const w of d.result.where) lines.push({ step: 4, kind: 'formula', text: `where ${w.name} = ${w.text}`, latex: `${whereNameLatex(w)} = ${w.latex}`, group: 'where' });
  for (const note of d.notes) lines.push({ step: 4, kind: 'prose', text: note, latex: note });
  return lines;
}

/** The whole dataflow graph: x, the parameters, the intermediates (the output last) and every edge. */
export function graphOf(d: Derivation): { nodes: GraphNode[]; edges: [string, string][] } {
  const nodes: GraphNode[] = [];
  if (!d.independent) nodes.push({ id: d.wrt, shape: d.wrtShape, kind: 'variable' });
  nodes.push(...d.graph.parameters);
  const last = d.intermediates.length - 1;
  d.intermediates.forEach((i, k) => nodes.push({ id: i.name, shape: i.shape, kind: k === last && i.name === d.outName ? 'output' : 'intermediate' }));
  const edges: [string, string][] = [...d.graph.edges, ...d.partials.map((p): [string, string] => [p.wrt, p.of])];
  return { nodes, edges };
}
