// A layered drawing of the dataflow graph: inputs at the top, the output at the bottom.

import type { Derivation } from '../core/diff/derivation.ts';
import type { graphOf } from '../core/diff/steps.ts';

/** Graphs with more nodes than this are not drawn (they would be an unreadable hairball). */
export const MAX_GRAPH_NODES = 60;

export function graphSvg(graph: ReturnType<typeof graphOf>, d: Derivation): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const depth = new Map<string, number>();
  for (const n of graph.nodes) depth.set(n.id, 0);
  for (const n of graph.nodes) {
    for (const e of graph.edges) if (e[1] === n.id) depth.set(n.id, Math.max(depth.get(n.id)!, depth.get(e[0])! + 1));
  }
  const layers: string[][] = [];
  for (const n of graph.nodes) (layers[depth.get(n.id)!] ??= []).push(n.id);
  const W = 130;
  const H = 56;
  const width = Math.max(...layers.map((l) => l.length)) * W + 20;
  const height = layers.length * H + 10;
  const pos = new Map<string, [number, number]>();
  layers.forEach((ids, row) => ids.forEach((id, col) => pos.set(id, [10 + col * W + (width - 20 - ids.length * W) / 2 + W / 2, 20 + row * H])));
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.classList.add('graph');
  for (const e of graph.edges) {
    const [x1, y1] = pos.get(e[0])!;
    const [x2, y2] = pos.get(e[1])!;
    const line = document.createElementNS(ns, 'line');
    for (const [k, v] of [['x1', x1], ['y1', y1 + 10], ['x2', x2], ['y2', y2 - 12]] as const) line.setAttribute(k, String(v));
    svg.append(line);
  }
  const defined = new Map(d.intermediates.map((i) => [i.name, i.text]));
  for (const n of graph.nodes) {
    const [x, y] = pos.get(n.id)!;
    const g = document.createElementNS(ns, 'g');
    g.classList.add(n.kind);
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', String(x));
    t.setAttribute('y', String(y));
    t.setAttribute('text-anchor', 'middle');
    const label = n.label ?? n.id;
    t.textContent = label.length > 16 ? `${label.slice(0, 15)}…` : label;
    const title = document.createElementNS(ns, 'title');
    const text = defined.get(n.id);
    title.textContent = `${label}${text !== undefined ? ` = ${text}` : ''} : ${n.shape}`;
    g.append(title, t);
    svg.append(g);
  }
  return svg;
}
