// The dataflow graph, laid out by dagre (layered, inputs at the top, the output at the bottom): a box per
// node, an arrow per edge and, on each edge, the shape of the value it carries (as in Parr & Howard's figures).
// The drawing fits the panel's width and can be zoomed and panned (graphView in panzoom.ts).

import dagre, { type graphlib } from '@dagrejs/dagre';
import type { Derivation } from '../core/diff/derivation.ts';
import type { graphOf } from '../core/diff/steps.ts';

/** Graphs with more nodes than this are not drawn (they would be an unreadable hairball). */
export const MAX_GRAPH_NODES = 60;

const NS = 'http://www.w3.org/2000/svg';
/** Approximate glyph widths of the graph's fonts (12 px node labels, 10 px edge labels), for dagre's boxes. */
const NODE_CHAR = 7.4;
const EDGE_CHAR = 6.2;
const NODE_HEIGHT = 26;
const MAX_LABEL = 16;

type Graph = ReturnType<typeof graphOf>;

export interface GraphDrawing {
  /** The drawing, in its own coordinates (0, 0)–(width, height). */
  content: SVGGElement;
  width: number;
  height: number;
  /** The arrowhead, to go into the svg's <defs>. */
  marker: SVGMarkerElement;
}

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function short(label: string): string {
  return label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label;
}

function arrowMarker(id: string): SVGMarkerElement {
  const marker = svgEl('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svgEl('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }));
  return marker;
}

/** Lays the graph out: node boxes sized to their labels, edge labels (the source's shape) placed by dagre. */
function layout(graph: Graph): graphlib.Graph {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 34, edgesep: 12, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const shapes = new Map(graph.nodes.map((n) => [n.id, n.shape]));
  for (const n of graph.nodes) g.setNode(n.id, { width: short(n.label ?? n.id).length * NODE_CHAR + 18, height: NODE_HEIGHT });
  for (const [from, to] of graph.edges) {
    const shape = shapes.get(from) ?? '';
    g.setEdge(from, to, { label: shape, width: shape.length * EDGE_CHAR + 6, height: 14, labelpos: 'c' });
  }
  dagre.layout(g);
  return g;
}

function edgePath(points: { x: number; y: number }[]): string {
  const [first, ...rest] = points;
  if (rest.length < 2) return `M ${first.x} ${first.y} ${rest.map((p) => `L ${p.x} ${p.y}`).join(' ')}`;
  // A smooth curve through dagre's bend points: each segment ends at the midpoint of the next two points.
  let d = `M ${first.x} ${first.y}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const mid = i === rest.length - 2 ? rest[i + 1] : { x: (rest[i].x + rest[i + 1].x) / 2, y: (rest[i].y + rest[i + 1].y) / 2 };
    d += ` Q ${rest[i].x} ${rest[i].y} ${mid.x} ${mid.y}`;
  }
  return d;
}

/** Draws `graph`: nodes with their names (the full definition and shape as a tooltip), arrows with shapes. */
export function drawGraph(graph: Graph, d: Derivation, markerId: string): GraphDrawing {
  const g = layout(graph);
  const content = svgEl('g', { class: 'content' });
  const edges = svgEl('g', { class: 'edges' });
  for (const [from, to] of graph.edges) {
    const e = g.edge(from, to);
    const path = svgEl('path', { class: 'edge', d: edgePath(e.points), 'marker-end': `url(#${markerId})` });
    path.append(svgEl('title'));
    path.firstElementChild!.textContent = `${from} → ${to} : ${e.label}`;
    const label = svgEl('text', { class: 'edge-label', x: e.x ?? 0, y: (e.y ?? 0) + 3, 'text-anchor': 'middle' });
    label.textContent = String(e.label ?? '');
    edges.append(path, label);
  }
  const defined = new Map(d.intermediates.map((i) => [i.name, i.text]));
  const nodes = svgEl('g', { class: 'nodes' });
  for (const n of graph.nodes) {
    const { x, y, width, height } = g.node(n.id);
    const box = svgEl('g', { class: `node ${n.kind}`, transform: `translate(${x} ${y})` });
    const label = n.label ?? n.id;
    const title = svgEl('title');
    const text = defined.get(n.id);
    title.textContent = `${label}${text !== undefined ? ` = ${text}` : ''} : ${n.shape}`;
    const name = svgEl('text', { y: 4, 'text-anchor': 'middle' });
    name.textContent = short(label);
    box.append(title, svgEl('rect', { x: -width / 2, y: -height / 2, width, height, rx: 5 }), name);
    nodes.append(box);
  }
  content.append(edges, nodes);
  const size = g.graph();
  return { content, width: size.width ?? 0, height: size.height ?? 0, marker: arrowMarker(markerId) };
}
