// A derivative form's symbolic result and how it prints. The result is a sentence of the language: a main
// expression plus a `where` clause naming its shared and long parts, every name defined there or a name of the
// document. Parts that are intermediate variables of the derivation keep the derivation's names (u₁, u₂, …),
// so the result, the hover and the record's step 1 agree on what each name means.

import type { Analysis, DerivativeInfo } from '../analyze.ts';
import { type Node, topoOrder } from '../ir.ts';
import type { Layout } from '../shape.ts';
import { type PrintedBoth, namesExcept, printBoth } from '../print.ts';
import { latexName, subscriptDigits } from '../ops/format.ts';
import { PrintedResult } from './printedResult.ts';
import { type DerivativeResult, type Variable, differentiate, lowerDerivatives } from './engine.ts';

/** Names of the user's definitions, for printing their nodes by name. */
export function definitionNames(analysis: Analysis): Map<Node, string> {
  const names = new Map<Node, string>();
  for (const d of analysis.definitions) if (d.node && d.node.op !== 'deriv' && d.node.op !== 'var' && !names.has(d.node)) names.set(d.node, d.name);
  return names;
}

/** Every name of the document (variables and definitions): introduced names avoid them. */
export function documentNames(analysis: Analysis): Set<string> {
  return new Set([...analysis.variables.map((v) => v.name), ...analysis.definitions.map((d) => d.name)]);
}

/** The derivation's intermediate variables: the nodes of f that depend on x, innermost first, each named. */
export interface Intermediates {
  /** Interior nodes (depend on x, not x itself), innermost first; f last when it depends on x. */
  interior: Node[];
  /** Every interior node's name: the user's definition name, or u₁, u₂, … */
  names: Map<Node, string>;
  /** The user's definitions (all of them, interior or not). */
  userNames: Map<Node, string>;
  outName: string;
  xNode: Node | undefined;
  avoid: Set<string>;
}

export function nameIntermediates(analysis: Analysis, f: Node, x: Variable): Intermediates {
  const userNames = definitionNames(analysis);
  const avoid = documentNames(analysis);
  const order = topoOrder([f], (m) => m.vars.has(x.name));
  const interior = order.filter((n) => n.vars.has(x.name) && n.op !== 'var');
  const fresh = freshNamer(avoid);
  const names = new Map<Node, string>();
  for (const n of interior) if (n !== f) names.set(n, userNames.get(n) ?? fresh());
  const outName = userNames.get(f) ?? ['y', 'f', 'g', 'F'].find((c) => !avoid.has(c)) ?? fresh();
  if (interior.includes(f)) names.set(f, outName);
  const xNode = order.find((n) => n.op === 'var' && n.attr === x.name);
  return { interior, names, userNames, outName, xNode, avoid };
}

function freshNamer(avoid: Set<string>): () => string {
  const letter = ['u', 'v', 'p', 'q', 'r', 'h'].find((c) => !avoid.has(c)) ?? 'ξ';
  let k = 0;
  return () => {
    let name: string;
    do name = `${letter}${subscriptDigits(++k)}`;
    while (avoid.has(name));
    return name;
  };
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

/** Text and LaTeX of a result, with the user's definition names and the derivation's intermediate names. */
export function formatResult(analysis: Analysis, info: DerivativeInfo, f: Node, result: DerivativeResult, naming?: Intermediates): PrintedResult {
  const inter = naming ?? nameIntermediates(analysis, f, info.wrt);
  const names = namesExcept(inter.userNames, f);
  // Intermediates that are not the user's definitions are defined in the where-clause, under their step-1 names.
  const preferred = new Map<Node, string>();
  for (const [n, name] of inter.names) if (!inter.userNames.has(n)) preferred.set(n, name);
  const avoid = [...inter.avoid];
  if (result.kind === 'matrix') return assemble(printBoth(result.value, { names, preferred, avoid }));
  const x = info.wrt.name;
  const idx = result.indices.join('');
  const fName = inter.userNames.get(f) ?? (info.ofText.length <= 12 ? info.ofText : 'f');
  const slice = printBoth(result.slice, { names, preferred, avoid });
  return assemble({
    main: {
      text: `∂${fName}/∂${x}_${idx} = ${slice.main.text}`,
      latex: `\\frac{\\partial ${latexName(fName, f.shape)}}{\\partial ${latexName(x)}_{${idx}}} = ${slice.main.latex}`,
    },
    where: slice.where,
  }, `   (for each ${result.indices.join(', ')})`);
}

function assemble(p: PrintedBoth, suffix = ''): PrintedResult {
  return new PrintedResult(p.main, p.where, suffix);
}

const resultCache = new WeakMap<DerivativeInfo, Map<Layout, PrintedResult | null>>();

/** The formatted result of a derivative form, cached per form and layout (for hovers); null if it failed. */
export function cachedResult(analysis: Analysis, info: DerivativeInfo, layout: Layout): PrintedResult | null {
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
