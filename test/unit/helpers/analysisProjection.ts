// An analysis as plain data, for comparing two analyses of the same text (an incremental one and a full one):
// everything a reader can see, with nodes replaced by structural ids (the two may use different node graphs).

import type { Analysis, DerivativeInfo } from '../../../src/core/analyze.ts';
import { topoOrder, type Node } from '../../../src/core/ir.ts';

/** Structural ids of nodes, shared by the two analyses being compared: equal ids ⇔ equal structure. */
export function canonicaliser(): (n: Node) => number {
  const ids = new Map<string, number>();
  const memo = new WeakMap<Node, number>();
  return (root) => {
    for (const n of topoOrder([root])) {
      if (memo.has(n)) continue;
      const key = `${n.op}|${typeof n.attr}:${String(n.attr)}|${JSON.stringify(n.shape)}|${n.args.map((a) => memo.get(a)).join(',')}`;
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      memo.set(n, id);
    }
    return memo.get(root)!;
  };
}

export function project(a: Analysis, canon: (n: Node) => number): unknown {
  const node = (n: Node | undefined) => (n ? canon(n) : undefined);
  const variable = (v: Analysis['variables'][number]) => ({ name: v.name, shape: v.shape, range: v.range, node: canon(v.node) });
  const form = (d: DerivativeInfo | undefined) =>
    d && { form: d.form, syntax: d.syntax, text: d.text, range: d.range, of: canon(d.of), ofText: d.ofText, wrt: variable(d.wrt), shapes: d.shapes, definition: d.definition, node: node(d.node) };
  const hovers = [];
  for (let offset = 0; offset <= a.text.length; offset++) {
    const h = a.hoverAt(offset);
    hovers.push(h && { start: h.start, end: h.end, text: h.text, shape: h.shape, note: h.note, derivative: form(h.derivative) });
  }
  return {
    text: a.text,
    layout: a.layout,
    layoutDirective: a.layoutDirective,
    diagnostics: a.diagnostics,
    dims: a.dims,
    variables: a.variables.map(variable),
    definitions: a.definitions.map((d) => ({ name: d.name, nameRange: d.nameRange, range: d.range, exprText: d.exprText, shape: d.shape, node: node(d.node), derivative: form(d.derivative) })),
    derivatives: a.derivatives.map(form),
    claims: a.claims.map((c) => ({ ...c, derivative: form(c.derivative), formula: node(c.formula) })),
    hovers,
  };
}

