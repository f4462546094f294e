// The derivation preview's script: renders the record the extension posts (typeset with KaTeX) and keeps
// the last message as webview state, so a hidden or reloaded preview shows the same derivation at once.

import katex from 'katex';
import type { Derivation } from '../core/diff/derivation.ts';
import { joinResult } from '../core/diff/printedResult.ts';
import { STEP_TITLES, type Step, graphOf, stepLines } from '../core/diff/steps.ts';
import type { CheckSummary, ToWebview, WebviewState } from './protocol.ts';

declare function acquireVsCodeApi(): { getState(): WebviewState | undefined; setState(s: WebviewState): void; postMessage(m: unknown): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;


function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Typesets LaTeX; falls back to the plain text (never a blank) if KaTeX refuses. */
function math(latex: string, text: string, display = false): HTMLElement {
  const span = el(display ? 'div' : 'span', display ? 'math display' : 'math');
  try {
    katex.render(latex, span, { displayMode: display, throwOnError: true, output: 'htmlAndMathml' });
  } catch {
    span.textContent = text;
    span.classList.add('fallback');
  }
  span.title = text;
  return span;
}

function checkBadge(c: CheckSummary): HTMLElement {
  const badge = el('div', `check ${c.passed ? 'pass' : 'fail'}`);
  badge.textContent = c.passed
    ? `✓ agrees with finite differences (max abs err ${c.maxAbsErr.toExponential(2)})`
    : `✗ ${c.status === 'inconclusive' ? 'not checked' : 'disagrees with finite differences'}${c.note ? `: ${c.note}` : ''}`;
  return badge;
}

/** A layered drawing of the dataflow graph: inputs at the top, the output at the bottom. */
function graphSvg(graph: ReturnType<typeof graphOf>, d: Derivation): SVGSVGElement {
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
    const defined = d.intermediates.find((i) => i.name === n.id);
    title.textContent = `${label}${defined ? ` = ${defined.text}` : ''} : ${n.shape}`;
    g.append(title, t);
    svg.append(g);
  }
  return svg;
}

function render(m: Extract<ToWebview, { type: 'derivation' | 'empty' }>): void {
  root.replaceChildren();
  if (m.type === 'empty') {
    root.append(el('p', 'empty', m.message));
    return;
  }
  const d = m.derivation;
  const head = el('header');
  head.append(el('h1', undefined, m.title), el('div', 'where', `${m.file}, line ${m.line} · ${d.layout} layout · ${d.shape}`));
  root.append(head);
  const result = el('section', 'result');
  const joined = joinResult(d.result);
  result.append(math(joined.latex, joined.text, true));
  if (m.check) result.append(checkBadge(m.check));
  root.append(result);
  const rule = el('p', 'rule');
  rule.append(el('strong', undefined, `${d.rule}: `), document.createTextNode(d.ruleReason));
  root.append(rule);
  for (const step of [1, 2, 3, 4]) {
    const sec = el('section', `step step-${step}`);
    sec.append(el('h2', undefined, `${step}. ${STEP_TITLES[step as Step]}`));
    const list = el('ol');
    for (const s of stepLines(d, step as Step)) {
      const item = el('li');
      if (s.kind === 'prose') item.textContent = s.text;
      else item.append(math(s.latex, s.text));
      list.append(item);
    }
    sec.append(list);
    if (step === 2 && d.partials.length) {
      const rules = el('p', 'rules', `Rules used: ${[...new Set(d.partials.map((p) => p.rule))].join(' · ')}`);
      sec.append(rules);
    }
    root.append(sec);
  }
  if (d.simplifications.length) {
    const s = el('details', 'simplifications');
    s.append(el('summary', undefined, `Simplifications (${d.simplifications.length})`));
    const ul = el('ul');
    for (const r of d.simplifications) ul.append(el('li', undefined, r));
    s.append(ul);
    root.append(s);
  }
  const graph = graphOf(d);
  if (graph.nodes.length > 1 && graph.nodes.length <= 60) {
    const g = el('section', 'dataflow');
    g.append(el('h2', undefined, 'Dataflow'), graphSvg(graph, d));
    const label = (k: number) => `∂${d.partials[k].of}/∂${d.partials[k].wrt}`;
    g.append(el('p', 'order', `Forward order: ${d.order.forward.map(label).join(', ')} · backward (reverse mode): ${d.order.backward.map(label).join(', ')}`));
    root.append(g);
  }
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const m = event.data;
  if (m?.type === 'state') vscode.setState(m.state);
  else if (m?.type === 'derivation' || m?.type === 'empty') {
    render(m);
    vscode.setState({ ...(vscode.getState() ?? {}), last: m });
  }
});

const saved = vscode.getState();
if (saved?.last) render(saved.last);
vscode.postMessage({ type: 'ready' });
