// The derivation preview's script. It renders the record the extension posts in two passes — the headline
// (result and chain rule) at once, the steps on the next frame — and patches: every section has a signature,
// and an update rebuilds only the sections whose signature changed. Long lists fold, formulas are typeset as
// they scroll into view, and the last message is kept as webview state so a hidden or reloaded preview shows
// the same derivation at once.

import type { Derivation } from '../core/diff/derivation.ts';
import { whereNameLatex } from '../core/diff/printedResult.ts';
import { STEP_TITLES, type Step, type StepLine, graphOf, stepLines } from '../core/diff/steps.ts';
import { MAX_GRAPH_NODES, graphSvg } from './graph.ts';
import { el, lineList, math } from './render.ts';
import type { CheckSummary, DerivationMessage, FromWebview, ToWebview, WebviewState } from './protocol.ts';

declare function acquireVsCodeApi(): { getState(): WebviewState | undefined; setState(s: WebviewState): void; postMessage(m: FromWebview): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;
const status = document.getElementById('status')!;

/** Where entries beyond this many start folded (the headline stays the main expression). */
const OPEN_WHERE = 6;

interface Section {
  key: string;
  /** Equal signatures: the section's DOM is kept as it is. */
  sig: string;
  build(): HTMLElement;
}

const built = new Map<string, { sig: string; el: HTMLElement }>();
/** `check`: undefined while the quick check runs, null when the form cannot be checked. */
let shown: { msg: DerivationMessage; d: Derivation; check: CheckSummary | null | undefined } | undefined;
let stepsFrame = 0;

/** Puts `sections` (in order) into `root`, reusing unchanged ones; with `all`, drops sections not listed. */
function patch(sections: Section[], all: boolean): void {
  const listed = new Set(sections.map((s) => s.key));
  if (all) {
    for (const [key, s] of built) {
      if (!listed.has(key)) {
        s.el.remove();
        built.delete(key);
      }
    }
  }
  let prev: Element | null = null;
  for (const s of sections) {
    let cur = built.get(s.key);
    if (!cur || cur.sig !== s.sig) {
      const e = s.build();
      cur?.el.replaceWith(e);
      cur = { sig: s.sig, el: e };
      built.set(s.key, cur);
    }
    const want: ChildNode | null = prev ? prev.nextSibling : root.firstChild;
    if (want !== cur.el) root.insertBefore(cur.el, want);
    prev = cur.el;
  }
}

function checkBadge(c: CheckSummary | undefined): HTMLElement {
  if (!c) return el('div', 'check pending', 'checking against finite differences…');
  return el(
    'div',
    `check ${c.passed ? 'pass' : 'fail'}`,
    c.passed
      ? `✓ agrees with finite differences (max abs err ${c.maxAbsErr.toExponential(2)})`
      : `✗ ${c.status === 'inconclusive' ? 'not checked' : 'disagrees with finite differences'}${c.note ? `: ${c.note}` : ''}`,
  );
}

function whereLines(d: Derivation): StepLine[] {
  return d.result.where.map((w) => ({ step: 4, kind: 'formula', text: `${w.name} = ${w.text}`, latex: `${whereNameLatex(w)} = ${w.latex}` }));
}

function headline(msg: DerivationMessage, d: Derivation, check: CheckSummary | null | undefined): Section[] {
  const sections: Section[] = [
    {
      key: 'header',
      sig: `${msg.title}|${msg.file}|${msg.line}|${d.layout}|${d.shape}`,
      build: () => {
        const head = el('header');
        head.append(el('h1', undefined, msg.title), el('div', 'where', `${msg.file}, line ${msg.line} · ${d.layout} layout · ${d.shape}`));
        return head;
      },
    },
    {
      key: 'result',
      sig: `${d.result.main.latex}|${d.result.where.length}|${d.result.where.map((w) => w.latex).join('|')}`,
      build: () => {
        const result = el('section', 'result');
        result.append(math(d.result.main.latex, d.result.main.text + (d.result.suffix ?? ''), true));
        const where = d.result.where;
        if (where.length) {
          const parts = el('details', 'where-clause');
          parts.open = where.length <= OPEN_WHERE;
          parts.append(el('summary', undefined, `where — ${where.length} named part${where.length === 1 ? '' : 's'}`), lineList(whereLines(d)));
          result.append(parts);
        }
        return result;
      },
    },
  ];
  if (check !== null) sections.push({ key: 'check', sig: JSON.stringify(check ?? null), build: () => checkBadge(check) });
  sections.push({
    key: 'rule',
    sig: `${d.rule}|${d.ruleReason}`,
    build: () => {
      const rule = el('p', 'rule');
      rule.append(el('strong', undefined, `${d.rule}: `), document.createTextNode(d.ruleReason));
      return rule;
    },
  });
  return sections;
}

function stepSection(d: Derivation, step: Step): Section {
  const lines = stepLines(d, step);
  return {
    key: `step-${step}`,
    sig: `${lines.length}|${lines.map((l) => l.latex).join('\n')}`,
    build: () => {
      const sec = el('section', `step step-${step}`);
      sec.append(el('h2', undefined, `${step}. ${STEP_TITLES[step]}`), lineList(lines));
      if (step === 2 && d.partials.length) sec.append(el('p', 'rules', `Rules used: ${[...new Set(d.partials.map((p) => p.rule))].join(' · ')}`));
      return sec;
    },
  };
}

function extras(d: Derivation): Section[] {
  const sections: Section[] = [];
  if (d.simplifications.length) {
    sections.push({
      key: 'simplifications',
      sig: d.simplifications.join('\n'),
      build: () => {
        const s = el('details', 'simplifications');
        s.append(el('summary', undefined, `Simplifications (${d.simplifications.length})`));
        const ul = el('ul');
        for (const r of d.simplifications) ul.append(el('li', undefined, r));
        s.append(ul);
        return s;
      },
    });
  }
  const graph = graphOf(d);
  if (graph.nodes.length > 1 && graph.nodes.length <= MAX_GRAPH_NODES) {
    sections.push({
      key: 'dataflow',
      sig: JSON.stringify([graph, d.order]),
      build: () => {
        const g = el('section', 'dataflow');
        const label = (k: number) => `∂${d.partials[k].of}/∂${d.partials[k].wrt}`;
        g.append(el('h2', undefined, 'Dataflow'), graphSvg(graph, d));
        g.append(el('p', 'order', `Forward order: ${d.order.forward.map(label).join(', ')} · backward (reverse mode): ${d.order.backward.map(label).join(', ')}`));
        return g;
      },
    });
  }
  return sections;
}

/** Shows a derivation: the headline now, the steps on the next frame; tells the extension as each is on screen. */
function show(msg: DerivationMessage, check?: CheckSummary | null): void {
  const d = JSON.parse(msg.json) as Derivation;
  shown = { msg, d, check };
  cancelAnimationFrame(stepsFrame);
  drop('empty');
  const head = headline(msg, d, check);
  patch(head, false);
  vscode.postMessage({ type: 'rendered', key: msg.key, part: 'headline' });
  stepsFrame = requestAnimationFrame(() => {
    const steps = ([1, 2, 3, 4] as const).map((s) => stepSection(d, s));
    patch([...head, ...steps, ...extras(d)], true);
    vscode.postMessage({ type: 'rendered', key: msg.key, part: 'steps' });
  });
}

function setStatus(kind: 'computing' | 'not-following' | 'error' | '', text = ''): void {
  status.className = kind ? `status ${kind}` : 'status';
  status.textContent = text;
  document.body.classList.toggle('not-following', kind === 'not-following');
}

function drop(key: string): void {
  built.get(key)?.el.remove();
  built.delete(key);
}

/** With nothing shown yet, the preview says why. */
function showEmpty(message: string): void {
  patch([{ key: 'empty', sig: message, build: () => el('p', 'empty', message) }], true);
}

function save(patchState: Partial<WebviewState>): void {
  vscode.setState({ ...(vscode.getState() ?? {}), ...patchState });
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const m = event.data;
  switch (m?.type) {
    case 'state':
      return save(m.state);
    case 'derivation':
      setStatus('');
      show(m);
      return save({ last: m, check: undefined });
    case 'check':
      if (shown?.msg.key !== m.key) return;
      shown.check = m.check ?? null;
      patch(headline(shown.msg, shown.d, shown.check), false);
      if (!m.check) drop('check');
      return save({ check: shown.check });
    case 'computing':
      return setStatus('computing', `Computing ${m.what}…`);
    case 'following':
      return setStatus('');
    case 'notFollowing':
      if (!shown) return showEmpty(m.message);
      return setStatus('not-following', `Not following the cursor: showing ${shown.msg.title} (line ${shown.msg.line}). ${m.message}`);
    case 'error':
      if (!shown) return showEmpty(m.message);
      return setStatus('error', m.message);
  }
});

const saved = vscode.getState();
if (saved?.last) show(saved.last, saved.check);
vscode.postMessage({ type: 'ready' });
