// The derivation record, the way Parr & Howard teach it: (1) introduce intermediate variables, innermost
// first; (2) the partial (Jacobian) of each intermediate w.r.t. its parameters, with the rule used; (3) combine
// them with the named chain rule; (4) substitute back and simplify. Plus the dataflow graph and the
// forward/backward order of the partials, for the preview to draw.
//
// The record is a walk of the DAG: every entry prints only its own local formula in terms of named
// intermediates, so the whole record is linear in the size of the expression (a depth-1,000 nest gives a
// record of about a megabyte, not a hundred). Lines that would spell out a large subexpression are left out.

import type { Analysis, DerivativeInfo } from '../analyze.ts';
import type { Node } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import { type Layout, type Shape, formatJacobianDims, formatShape, jacobianShape } from '../shape.ts';
import { type NameLookup, namesExcept, printLocal } from '../print.ts';
import type { DerivativeForm } from '../ops/structure.ts';
import { type Variable, differentiate, extractAll, extractJacobian, jvpAll, lowerDerivatives } from './engine.ts';
import { type Intermediates, formatResult, nameIntermediates } from './result.ts';
import type { PrintedResult } from './printedResult.ts';

export { cachedResult, definitionNames, deriveResult, formatResult } from './result.ts';
export { joinResult, PrintedResult } from './printedResult.ts';

export type ChainRule = 'single-variable chain rule' | 'single-variable total-derivative chain rule' | 'vector chain rule';

/**
 * Step 1: `name = text`, the intermediate's own operation on named arguments. Step 3 reads the rest:
 * ∂name/∂x = Σ ∂name/∂a · ∂a/∂x over its `partials` (indices into the record's partials), equal to `total` (the
 * accumulated derivative) where that prints short.
 */
export interface Intermediate {
  name: string;
  text: string;
  latex: string;
  shape: string;
  partials: number[];
  total?: { text: string; latex: string };
}

/** Step 2: the local partial ∂of/∂wrt (or the differential d(of) in d(wrt)); `text`/`latex` are its right-hand side. */
export interface Partial {
  of: string;
  wrt: string;
  /** Set when the partial is a differential (matrix arguments); absent for a Jacobian. */
  kind?: 'differential';
  text: string;
  latex: string;
  /** Shape of this partial in the derivation's layout, e.g. `n×n`. */
  shape: string;
  rule: string;
}

export interface GraphNode {
  /** The name of x or of an intermediate; `p1`, `p2`, … for parameters. */
  id: string;
  /** A parameter's expression (absent where the id says it all). */
  label?: string;
  shape: string;
  kind: 'variable' | 'parameter' | 'intermediate' | 'output';
}

export interface Derivation {
  of: string;
  wrt: string;
  /** Shape of the variable, e.g. `vector[n]`. */
  wrtShape: string;
  /** The name of the differentiated function in the record (the user's name, or y, f, …). */
  outName: string;
  form: DerivativeForm;
  layout: Layout;
  /** Shape of the result in this layout, e.g. `1×n`. */
  shape: string;
  result: PrintedResult;
  /** The chain rule that combines the partials, and why it applies. */
  rule: ChainRule;
  ruleReason: string;
  /** Set when `of` does not depend on `wrt` (no intermediates, a zero result). */
  independent?: boolean;
  intermediates: Intermediate[];
  partials: Partial[];
  /** A single dataflow path: the partials (indices) whose product is the derivative, in the layout's order. */
  product?: number[];
  /** Prose for step 4: which simplifications were applied, where the function has kinks. */
  notes: string[];
  simplifications: string[];
  /** The dataflow graph's parameters and their [from, to] edges (see `graphOf` for the whole graph). */
  graph: { parameters: GraphNode[]; edges: [string, string][] };
  /** Indices into `partials` in the order forward mode (innermost first) and reverse mode (outermost first) use them. */
  order: { forward: number[]; backward: number[] };
  /** Set when the result is given slice by slice (tensors of order ≥ 3). */
  indexForm?: { indices: string[] };
}

/** Record lines that would print more unnamed nodes than this are left out (they would repeat the DAG). */
const LINE_BUDGET = 30;

function variableLookup(analysis: Analysis) {
  return (name: string): Variable | undefined => analysis.variable(name);
}

export function derive(analysis: Analysis, info: DerivativeInfo, layout: Layout): Derivation {
  const b = analysis.builder;
  const x = info.wrt;
  const f = lowerDerivatives(b, info.of, layout, variableLookup(analysis));
  const naming = nameIntermediates(analysis, f, x);
  const { interior, names, userNames, outName, xNode } = naming;
  // Every node the record mentions prints as its name: intermediates first, then the user's other definitions.
  const allNames: NameLookup = { get: (n) => names.get(n) ?? userNames.get(n), has: (n) => names.has(n) || userNames.has(n) };
  const nameText = (n: Node) => (n === xNode ? x.name : names.get(n)!);
  const local = (n: Node, mode: 'text' | 'latex', budget = Infinity) => printLocal(n, mode, allNames, budget);

  const toLayout = (J: Node) => (layout === 'numerator' ? J : b.transpose(J));
  const partials: Partial[] = [];
  const termsOf = new Map<Node, number[]>();
  for (const n of interior) {
    const terms: number[] = [];
    for (const a of new Set(n.args.filter((m) => m.vars.has(x.name)))) {
      const p = localPartial(b, n, a, nameText(a));
      const value = p.kind === 'jacobian' ? toLayout(p.value) : p.value;
      terms.push(partials.length);
      partials.push({
        of: names.get(n)!,
        wrt: nameText(a),
        ...(p.kind === 'differential' ? { kind: p.kind } : {}),
        text: local(value, 'text')!,
        latex: local(value, 'latex')!,
        shape: formatJacobianDims(jacobianShape(n.shape, a.shape, layout).dims),
        rule: opDef(n.op).rule?.name ?? n.op,
      });
    }
    termsOf.set(n, terms);
  }

  const { rule, ruleReason, singlePath } = chainRule(interior, x, names, outName);
  const totals = accumulatedValues(b, f, x, interior);
  const intermediates: Intermediate[] = interior.map((n) => {
    const own = namesExcept(allNames, n);
    const v = n === f ? undefined : totals.get(n);
    const shown = v && toLayout(v);
    const totalText = shown && local(shown, 'text', LINE_BUDGET);
    return {
      name: names.get(n)!,
      text: printLocal(n, 'text', own, Infinity)!,
      latex: printLocal(n, 'latex', own, Infinity)!,
      shape: formatShape(n.shape),
      partials: termsOf.get(n)!,
      ...(totalText !== undefined && shown ? { total: { text: totalText, latex: local(shown, 'latex')! } } : {}),
    };
  });
  const product = singlePath && interior.length > 1 ? singlePathProduct(interior, termsOf, layout) : undefined;

  b.log.clear();
  const result = differentiate(b, f, x, info.form, layout, info.shapes[layout].shape);
  const simplifications = [...b.log.keys()];
  const notes: string[] = [];
  if (simplifications.length) notes.push(`simplifications applied: ${simplifications.join('; ')}`);
  const kinks = [...new Set(interior.filter((n) => opDef(n.op).kinkDistance).map((n) => n.op))];
  if (kinks.length) notes.push(`${kinks.map((op) => opDef(op).kinkNote).join('; ')}; the subgradient 0 is used there.`);

  const forward = partials.map((_, i) => i);
  const shape = info.form === 'grad' && info.shapes[layout].shape ? formatShape(info.shapes[layout].shape!) : formatJacobianDims(info.shapes[layout].dims);
  return {
    of: info.ofText,
    wrt: x.name,
    wrtShape: formatShape(x.shape),
    outName,
    form: info.form,
    layout,
    shape,
    result: formatResult(analysis, info, f, result, naming),
    rule,
    ruleReason,
    ...(interior.length === 0 ? { independent: true } : {}),
    intermediates,
    partials,
    ...(product ? { product } : {}),
    notes,
    simplifications,
    graph: dataflowParameters(naming, x, allNames),
    order: { forward, backward: [...forward].reverse() },
    ...(result.kind === 'index' ? { indexForm: { indices: result.indices } } : {}),
  };
}

/** Which chain rule combines the partials, and why. */
function chainRule(interior: Node[], x: Variable, names: Map<Node, string>, outName: string): { rule: ChainRule; ruleReason: string; singlePath: boolean } {
  const usesOf = new Map<Node, number>();
  for (const n of interior) for (const a of n.args) if (a.vars.has(x.name)) usesOf.set(a, (usesOf.get(a) ?? 0) + 1);
  const singlePath = interior.every((n) => n.args.filter((a) => a.vars.has(x.name)).length === 1) && [...usesOf.values()].every((c) => c === 1);
  const allScalar = x.shape.kind === 'scalar' && interior.every((n) => n.shape.kind === 'scalar');
  if (allScalar) {
    return singlePath
      ? { rule: 'single-variable chain rule', singlePath, ruleReason: `${x.name} and every intermediate variable are scalars, and each intermediate depends on ${x.name} through the one before it only: a single dataflow path, so the derivatives multiply.` }
      : { rule: 'single-variable total-derivative chain rule', singlePath, ruleReason: `Everything is scalar, but ${x.name} reaches ${outName} along more than one path, so the contributions of all paths add up (the total derivative).` };
  }
  const vectorNames: string[] = x.shape.kind !== 'scalar' ? [x.name] : [];
  for (const n of interior) {
    if (vectorNames.length > 4) break;
    if (n.shape.kind !== 'scalar') vectorNames.push(names.get(n)!);
  }
  const listed = `${vectorNames.slice(0, 4).join(', ')}${vectorNames.length > 4 ? ', …' : ''}`;
  const verb = vectorNames.length === 1 ? 'is not scalar' : 'are not scalars';
  return {
    rule: 'vector chain rule',
    singlePath,
    ruleReason: `${listed} ${verb}, so the partials are Jacobians and they multiply as matrices${singlePath ? '' : ', summed where paths merge'} (the vector chain rule, which reduces to the single-variable rule for scalars).`,
  };
}

/** On a single path, the derivative is the product of one partial per intermediate (outermost first in numerator layout). */
function singlePathProduct(interior: Node[], termsOf: Map<Node, number[]>, layout: Layout): number[] {
  const outerFirst = [...interior].reverse().map((n) => termsOf.get(n)![0]);
  return layout === 'numerator' ? outerFirst : outerFirst.reverse();
}

/**
 * ∂n/∂a with the other arguments held fixed: a Jacobian when it is at most a matrix, otherwise the
 * differential dn in terms of da (the Matrix Cookbook's form for matrix arguments).
 */
function localPartial(b: Analysis['builder'], n: Node, a: Node, aName: string): { kind: 'jacobian' | 'differential'; value: Node } {
  const def = opDef(n.op);
  const seedFor = (seed: Node) => n.args.map((arg) => (arg === a ? seed : null));
  if (a.shape.kind === 'scalar') return { kind: 'jacobian', value: def.jvp!(n, seedFor(b.constant(1)), b) ?? b.zero(n.shape) };
  const tangent = b.tangent(aName, a.shape);
  const dn = def.jvp!(n, seedFor(tangent), b) ?? b.zero(n.shape);
  if (a.shape.kind === 'vector' && n.shape.kind !== 'matrix') {
    const J = extractJacobian(b, dn, { name: aName, shape: a.shape, node: tangent });
    if (J) return { kind: 'jacobian', value: J };
  }
  return { kind: 'differential', value: dn };
}

/** ∂u/∂x (numerator layout) of every intermediate, where it is at most a matrix. */
function accumulatedValues(b: Analysis['builder'], f: Node, x: Variable, interior: Node[]): Map<Node, Node> {
  const out = new Map<Node, Node>();
  if (x.shape.kind === 'matrix') return out;
  const seed = x.shape.kind === 'scalar' ? b.constant(1) : b.tangent(x.name, x.shape);
  const tangents = jvpAll(b, f, x.name, seed);
  if (x.shape.kind === 'scalar') {
    for (const n of interior) {
      const t = tangents.get(n.id);
      if (t) out.set(n, t);
    }
    return out;
  }
  const root = tangents.get(f.id);
  const Js = root ? extractAll(b, root, x) : new Map<number, Node | null>();
  for (const n of interior) {
    const t = tangents.get(n.id);
    if (!t || n.shape.kind === 'matrix') continue;
    const J = Js.get(t.id) ?? extractJacobian(b, t, x);
    if (J) out.set(n, J);
  }
  return out;
}

/**
 * The parameters of the dataflow graph (arguments that do not depend on x) and their edges. The rest of the
 * graph — x, the intermediates, and the edges between them — is already in the record (`graphOf` assembles it).
 */
function dataflowParameters(naming: Intermediates, x: Variable, allNames: NameLookup): Derivation['graph'] {
  const parameters: GraphNode[] = [];
  const edges: [string, string][] = [];
  const ids = new Map<Node, string>();
  for (const n of naming.interior) {
    for (const a of new Set(n.args)) {
      if (a.vars.has(x.name)) continue;
      let id = ids.get(a);
      if (id === undefined) {
        ids.set(a, (id = `p${ids.size + 1}`));
        parameters.push({ id, label: printLocal(a, 'text', allNames, 12) ?? '…', shape: formatShape(a.shape as Shape), kind: 'parameter' });
      }
      edges.push([id, naming.names.get(n)!]);
    }
  }
  return { parameters, edges };
}
