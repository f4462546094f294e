// The derivation record, the way Parr & Howard teach it: (1) introduce intermediate variables, innermost
// first; (2) the partial (Jacobian) of each intermediate w.r.t. its parameters, with the rule used; (3) combine
// them with the named chain rule; (4) substitute back and simplify. Plus the dataflow graph and the
// forward/backward order of the partials, for the preview to draw.

import type { Analysis, DerivativeInfo } from '../analyze.ts';
import { type Node, topoOrder } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import { latexName } from '../ops/format.ts';
import { type Layout, type Shape, formatJacobianDims, formatShape, jacobianShape } from '../shape.ts';
import { printExpr, subscriptNumber, toLatex, toText } from '../print.ts';
import type { DerivativeForm } from '../ops/structure.ts';
import {
  type DerivativeResult, type Variable, differentiate, extractAll, extractJacobian, jvpAll, lowerDerivatives,
} from './engine.ts';

export type ChainRule = 'single-variable chain rule' | 'single-variable total-derivative chain rule' | 'vector chain rule';

export interface DerivationEntry {
  step: 1 | 2 | 3 | 4;
  text: string;
  latex: string;
}

export interface Intermediate {
  name: string;
  text: string;
  latex: string;
  shape: string;
}

export interface Partial {
  /** Names: ∂of/∂wrt. */
  of: string;
  wrt: string;
  text: string;
  latex: string;
  /** Shape of this partial in the derivation's layout, e.g. `n×n`. */
  shape: string;
  rule: string;
}

export interface GraphNode {
  id: string;
  label: string;
  text: string;
  shape: string;
  kind: 'variable' | 'parameter' | 'intermediate' | 'output';
}

export interface Derivation {
  of: string;
  wrt: string;
  form: DerivativeForm;
  layout: Layout;
  /** Shape of the result in this layout, e.g. `1×n`. */
  shape: string;
  result: { text: string; latex: string };
  /** The chain rule that combines the partials, and why it applies. */
  rule: ChainRule;
  ruleReason: string;
  steps: DerivationEntry[];
  intermediates: Intermediate[];
  partials: Partial[];
  simplifications: string[];
  graph: { nodes: GraphNode[]; edges: { from: string; to: string }[] };
  /** The partials in the order forward mode (innermost first) and reverse mode (outermost first) use them. */
  order: { forward: string[]; backward: string[] };
  /** Set when the result is given slice by slice (tensors of order ≥ 3). */
  indexForm?: { indices: string[] };
}

const STEP_TITLES = {
  1: 'Introduce intermediate variables',
  2: 'Partial derivatives of each intermediate',
  3: 'Combine with the chain rule',
  4: 'Substitute back and simplify',
} as const;
export { STEP_TITLES };

/** Names of the user's definitions, for printing their nodes by name. */
export function definitionNames(analysis: Analysis): Map<Node, string> {
  const names = new Map<Node, string>();
  for (const d of analysis.definitions) if (d.node && d.node.op !== 'deriv' && d.node.op !== 'var' && !names.has(d.node)) names.set(d.node, d.name);
  return names;
}

function variableLookup(analysis: Analysis) {
  return (name: string): Variable | undefined => analysis.variable(name);
}

/** The symbolic result of a derivative form (derivative forms inside f are resolved first). */
export function deriveResult(analysis: Analysis, info: DerivativeInfo, layout: Layout): { f: Node; result: DerivativeResult } {
  const b = analysis.builder;
  const f = lowerDerivatives(b, info.of, layout, variableLookup(analysis));
  return { f, result: differentiate(b, f, info.wrt, info.form, layout, info.shapes[layout].shape) };
}

/** Text and LaTeX of a result, with the user's definition names. */
export function formatResult(analysis: Analysis, info: DerivativeInfo, f: Node, result: DerivativeResult): { text: string; latex: string } {
  const names = definitionNames(analysis);
  names.delete(f);
  const avoid = [...analysis.variables.map((v) => v.name), ...analysis.definitions.map((d) => d.name)];
  if (result.kind === 'matrix') return { text: toText(result.value, { names, avoid }), latex: toLatex(result.value, { names, avoid }) };
  const x = info.wrt.name;
  const idx = result.indices.join('');
  const fName = names.get(f) ?? (info.ofText.length <= 12 ? info.ofText : 'f');
  return {
    text: `∂${fName}/∂${x}_${idx} = ${toText(result.slice, { names, avoid })}   (for each ${result.indices.join(', ')})`,
    latex: `\\frac{\\partial ${latexName(fName, f.shape)}}{\\partial ${latexName(x)}_{${idx}}} = ${toLatex(result.slice, { names, avoid })}`,
  };
}

const resultCache = new WeakMap<DerivativeInfo, Map<Layout, { text: string; latex: string } | null>>();

/** The formatted result of a derivative form, cached per form and layout (for hovers); null if it failed. */
export function cachedResult(analysis: Analysis, info: DerivativeInfo, layout: Layout): { text: string; latex: string } | null {
  let byLayout = resultCache.get(info);
  if (!byLayout) resultCache.set(info, (byLayout = new Map()));
  if (!byLayout.has(layout)) {
    try {
      const { f, result } = deriveResult(analysis, info, layout);
      byLayout.set(layout, formatResult(analysis, info, f, result));
    } catch {
      byLayout.set(layout, null); // the hover still shows the shapes
    }
  }
  return byLayout.get(layout)!;
}

export function derive(analysis: Analysis, info: DerivativeInfo, layout: Layout): Derivation {
  const b = analysis.builder;
  const x = info.wrt;
  const userNames = definitionNames(analysis);
  const avoid = new Set([...analysis.variables.map((v) => v.name), ...analysis.definitions.map((d) => d.name)]);
  const f = lowerDerivatives(b, info.of, layout, variableLookup(analysis));

  // ---- 1. intermediate variables ------------------------------------------------------------------------
  const order = topoOrder([f], (m) => m.vars.has(x.name));
  const interior = order.filter((n) => n.vars.has(x.name) && n.op !== 'var');
  const fresh = freshNamer(avoid);
  const names = new Map<Node, string>();
  for (const n of interior) if (n !== f) names.set(n, userNames.get(n) ?? fresh());
  const outName = userNames.get(f) ?? ['y', 'f', 'g', 'F'].find((c) => !avoid.has(c)) ?? fresh();
  if (interior.includes(f)) names.set(f, outName);
  const xNode = order.find((n) => n.op === 'var' && n.attr === x.name);
  const printOneLevel = (n: Node, mode: 'text' | 'latex') => {
    const others = new Map(names);
    others.delete(n);
    for (const [node, name] of userNames) if (node !== n && !others.has(node)) others.set(node, name);
    return printExpr(n, mode, { names: others, share: false }).main;
  };
  const nameLatex = (n: Node) => (n === xNode ? latexName(x.name, x.shape) : latexName(names.get(n)!, n.shape));
  const nameText = (n: Node) => (n === xNode ? x.name : names.get(n)!);

  const steps: DerivationEntry[] = [];
  const intermediates: Intermediate[] = interior.map((n) => {
    const inter = { name: names.get(n)!, text: printOneLevel(n, 'text'), latex: printOneLevel(n, 'latex'), shape: formatShape(n.shape) };
    steps.push({ step: 1, text: `${inter.name} = ${inter.text}   (${inter.shape})`, latex: `${nameLatex(n)} = ${inter.latex}` });
    return inter;
  });
  if (interior.length === 0) steps.push({ step: 1, text: `${info.ofText} does not depend on ${x.name}: no intermediate variables.`, latex: `\\text{${escapeText(info.ofText)} does not depend on } ${latexName(x.name, x.shape)}` });

  // ---- 2. local partials --------------------------------------------------------------------------------
  const partials: Partial[] = [];
  const toLayout = (J: Node) => (layout === 'numerator' ? J : b.transpose(J));
  const pText = (n: Node) => printExpr(n, 'text', { names: withUsers(names, userNames), avoid, share: false }).main;
  const pLatex = (n: Node) => printExpr(n, 'latex', { names: withUsers(names, userNames), avoid, share: false }).main;
  for (const n of interior) {
    const def = opDef(n.op);
    const args = [...new Set(n.args.filter((a) => a.vars.has(x.name)))];
    for (const a of args) {
      const local = localPartial(b, n, a, nameText(a));
      const dims = jacobianShape(n.shape, a.shape, layout).dims;
      const ofName = names.get(n)!;
      const wrtName = nameText(a);
      let text: string;
      let latex: string;
      if (local.kind === 'jacobian') {
        text = `∂${ofName}/∂${wrtName} = ${pText(toLayout(local.value))}`;
        latex = `\\frac{\\partial ${nameLatex(n)}}{\\partial ${nameLatex(a)}} = ${pLatex(toLayout(local.value))}`;
      } else {
        text = `d${ofName} = ${pText(local.value)}   (as a differential in d${wrtName})`;
        latex = `\\mathrm{d}${nameLatex(n)} = ${pLatex(local.value)}`;
      }
      const rule = def.rule?.name ?? n.op;
      partials.push({ of: ofName, wrt: wrtName, text, latex, shape: formatJacobianDims(dims), rule });
      steps.push({ step: 2, text: `${text}   (${formatJacobianDims(dims)}; ${rule})`, latex });
    }
  }

  // ---- 3. the chain rule ----------------------------------------------------------------------------------
  const usesOf = new Map<Node, number>();
  for (const n of interior) for (const a of n.args) if (a.vars.has(x.name)) usesOf.set(a, (usesOf.get(a) ?? 0) + 1);
  const singlePath = interior.every((n) => n.args.filter((a) => a.vars.has(x.name)).length === 1) && [...usesOf.values()].every((c) => c === 1);
  const allScalar = x.shape.kind === 'scalar' && interior.every((n) => n.shape.kind === 'scalar');
  const rule: ChainRule = allScalar ? (singlePath ? 'single-variable chain rule' : 'single-variable total-derivative chain rule') : 'vector chain rule';
  const vectorNames = [x.shape.kind !== 'scalar' ? x.name : undefined, ...interior.filter((n) => n.shape.kind !== 'scalar').map((n) => names.get(n))].filter(Boolean);
  const ruleReason = allScalar
    ? singlePath
      ? `${x.name} and every intermediate variable are scalars, and each intermediate depends on ${x.name} through the one before it only: a single dataflow path, so the derivatives multiply.`
      : `Everything is scalar, but ${x.name} reaches ${outName} along more than one path, so the contributions of all paths add up (the total derivative).`
    : `${vectorNames.slice(0, 4).join(', ')}${vectorNames.length > 4 ? ', …' : ''} ${vectorNames.length === 1 ? 'is' : 'are'} not scalar${vectorNames.length === 1 ? '' : 's'}, so the partials are Jacobians and they multiply as matrices${singlePath ? '' : ', summed where paths merge'} (the vector chain rule, which reduces to the single-variable rule for scalars).`;
  steps.push({ step: 3, text: `${rule}: ${ruleReason}`, latex: `\\text{${rule}}` });

  // Total derivatives are written d/dx when everything is scalar (as in the paper), ∂ otherwise.
  const total = allScalar ? 'd' : '∂';
  const totalLatex = allScalar ? '\\mathrm{d}' : '\\partial';
  const partialSym = (n: Node, a: Node, mode: 'text' | 'latex') =>
    mode === 'text' ? `∂${names.get(n)}/∂${nameText(a)}` : `\\frac{\\partial ${nameLatex(n)}}{\\partial ${nameLatex(a)}}`;
  // Forward accumulation: ∂u/∂x = Σ ∂u/∂a · ∂a/∂x over the arguments a that depend on x.
  for (const n of interior) {
    const args = [...new Set(n.args.filter((a) => a.vars.has(x.name)))];
    const term = (a: Node, mode: 'text' | 'latex') => {
      const local = partialSym(n, a, mode);
      if (a === xNode) return local;
      const inner = mode === 'text' ? `${total}${nameText(a)}/${total}${x.name}` : `\\frac{${totalLatex} ${nameLatex(a)}}{${totalLatex} ${latexName(x.name, x.shape)}}`;
      // Numerator layout composes outer·inner; denominator layout inner·outer.
      return layout === 'numerator' ? `${local}${mode === 'text' ? ' · ' : ' \\, '}${inner}` : `${inner}${mode === 'text' ? ' · ' : ' \\, '}${local}`;
    };
    if (args.length === 1 && args[0] === xNode) continue; // ∂u/∂x = ∂u/∂x says nothing
    const lhsText = `${total}${names.get(n)}/${total}${x.name}`;
    const lhsLatex = `\\frac{${totalLatex} ${nameLatex(n)}}{${totalLatex} ${latexName(x.name, x.shape)}}`;
    steps.push({
      step: 3,
      text: `${lhsText} = ${args.map((a) => term(a, 'text')).join(' + ')}`,
      latex: `${lhsLatex} = ${args.map((a) => term(a, 'latex')).join(' + ')}`,
    });
  }
  if (singlePath && interior.length > 1) {
    const chain = [...interior].reverse();
    const factors = chain.map((n) => {
      const a = n.args.find((m) => m.vars.has(x.name))!;
      return { text: partialSym(n, a, 'text'), latex: partialSym(n, a, 'latex') };
    });
    const ordered = layout === 'numerator' ? factors : [...factors].reverse();
    steps.push({
      step: 3,
      text: `so ${total}${outName}/${total}${x.name} = ${ordered.map((q) => q.text).join(' · ')}`,
      latex: `\\frac{${totalLatex} ${nameLatex(f)}}{${totalLatex} ${latexName(x.name, x.shape)}} = ${ordered.map((q) => q.latex).join(' \\, ')}`,
    });
  }
  const forwardValues = accumulatedValues(b, f, x, interior);
  for (const n of interior) {
    const v = forwardValues.get(n);
    if (!v || n === f) continue;
    const shown = toLayout(v);
    steps.push({
      step: 3,
      text: `${total}${names.get(n)}/${total}${x.name} = ${pText(shown)}`,
      latex: `\\frac{${totalLatex} ${nameLatex(n)}}{${totalLatex} ${latexName(x.name, x.shape)}} = ${pLatex(shown)}`,
    });
  }

  // ---- 4. substitute back and simplify --------------------------------------------------------------------
  b.log.clear();
  const result = differentiate(b, f, x, info.form, layout, info.shapes[layout].shape);
  const simplifications = [...b.log.keys()];
  const formatted = formatResult(analysis, info, f, result);
  const lhs = info.form === 'grad' ? `grad(${outName}, ${x.name})` : info.form === 'hessian' ? `hessian(${outName}, ${x.name})` : `${total}${outName}/${total}${x.name}`;
  steps.push({ step: 4, text: result.kind === 'matrix' ? `${lhs} = ${formatted.text}` : formatted.text, latex: formatted.latex });
  if (simplifications.length) steps.push({ step: 4, text: `simplifications applied: ${simplifications.join('; ')}`, latex: `\\text{${escapeText(`simplified with ${simplifications.length} rule${simplifications.length === 1 ? '' : 's'}`)}}` });
  const kinks = interior.filter((n) => opDef(n.op).kinkDistance).map((n) => n.op);
  if (kinks.length) {
    const note = `${[...new Set(kinks)].join(', ')} ${kinks.length === 1 ? 'is' : 'are'} not differentiable where ${kinks.length === 1 ? 'its arguments tie or its argument is 0' : 'their arguments tie or are 0'}; the subgradient 0 is used there.`;
    steps.push({ step: 4, text: note, latex: `\\text{${escapeText(note)}}` });
  }

  // ---- graph and orders ------------------------------------------------------------------------------------
  const graph = dataflowGraph(interior, xNode, x, names, f, pText);
  const partialLabels = partials.map((p) => `∂${p.of}/∂${p.wrt}`);
  const shape = info.form === 'grad' && info.shapes[layout].shape ? formatShape(info.shapes[layout].shape!) : formatJacobianDims(info.shapes[layout].dims);
  return {
    of: info.ofText,
    wrt: x.name,
    form: info.form,
    layout,
    shape,
    result: formatted,
    rule,
    ruleReason,
    steps,
    intermediates,
    partials,
    simplifications,
    graph,
    order: { forward: partialLabels, backward: [...partialLabels].reverse() },
    ...(result.kind === 'index' ? { indexForm: { indices: result.indices } } : {}),
  };
}

function escapeText(s: string): string {
  return s.replace(/[\\{}$&#^_%~]/g, ' ');
}

function withUsers(names: Map<Node, string>, users: Map<Node, string>): Map<Node, string> {
  const all = new Map(users);
  for (const [n, s] of names) all.set(n, s);
  return all;
}

function freshNamer(avoid: Set<string>): () => string {
  const letter = ['u', 'v', 'p', 'q', 'r', 'h'].find((c) => !avoid.has(c)) ?? 'ξ';
  let k = 0;
  return () => {
    let name: string;
    do name = `${letter}${subscriptNumber(++k)}`;
    while (avoid.has(name));
    return name;
  };
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

function dataflowGraph(interior: Node[], xNode: Node | undefined, x: Variable, names: Map<Node, string>, f: Node, pText: (n: Node) => string): Derivation['graph'] {
  const nodes: GraphNode[] = [];
  const edges: { from: string; to: string }[] = [];
  const ids = new Map<Node, string>();
  const add = (n: Node, kind: GraphNode['kind'], label: string) => {
    const id = `n${n.id}`;
    ids.set(n, id);
    nodes.push({ id, label, text: kind === 'intermediate' || kind === 'output' ? pText(n) : label, shape: formatShape(n.shape as Shape), kind });
    return id;
  };
  if (xNode) add(xNode, 'variable', x.name);
  for (const n of interior) {
    for (const a of n.args) {
      if (ids.has(a) || a.vars.has(x.name)) continue;
      add(a, 'parameter', pText(a));
    }
    add(n, n === f ? 'output' : 'intermediate', names.get(n)!);
    for (const a of new Set(n.args)) edges.push({ from: ids.get(a)!, to: ids.get(n)! });
  }
  return { nodes, edges };
}

