// The derivation preview's script. It renders the result as soon as it arrives, the record's steps one per
// animation frame after it, and patches: every section has a signature,
// and an update rebuilds only the sections whose signature changed. Long lists fold, formulas are typeset as
// they scroll into view, and the last message is kept as webview state so a hidden or reloaded preview shows
// the same derivation at once.

import type { Derivation } from '../core/diff/derivation.ts';
import { whereNameLatex } from '../core/diff/printedResult.ts';
import { STEP_TITLES, type Step, type StepLine, graphOf, stepLines } from '../core/diff/steps.ts';
import { MAX_GRAPH_NODES, drawGraph } from './graph.ts';
import { graphView } from './panzoom.ts';
import { copyButtons, el, lineList, math } from './render.ts';
import type { CheckSummary, ClaimParts, DerivationMessage, FromWebview, HeadlineMessage, ResultParts, ToWebview, WebviewState } from './protocol.ts';

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
/** `check`: undefined while the quick check runs, null when the form cannot be checked; `d` once the record came. */
let shown: { msg: Omit<HeadlineMessage, 'type'>; d?: Derivation; check: CheckSummary | null | undefined } | undefined;

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

/** The quick check's verdict: on the claim when the form is a claim's left side, else on mcalc's result. */
function checkBadge(c: CheckSummary | undefined, claim: boolean): HTMLElement {
  const subject = claim ? 'your claim ' : '';
  if (!c) return el('div', 'check pending', `checking ${subject}against finite differences…`);
  return el(
    'div',
    `check ${c.passed ? 'pass' : 'fail'}`,
    c.passed
      ? `✓ ${subject}agrees with finite differences (max abs err ${c.maxAbsErr.toExponential(2)})`
      : `✗ ${subject}${c.status === 'inconclusive' ? 'could not be checked' : 'disagrees with finite differences'}${c.note ? `: ${c.note}` : ''}`,
  );
}

/** mcalc's result and, for a claim, the claim's right side beside it. */
function resultAndClaim(r: ResultParts, claim: ClaimParts | undefined): HTMLElement {
  const result = math(r.main.latex, r.main.text + (r.suffix ?? ''), true);
  if (!claim) return result;
  const side = (className: string, caption: string, body: HTMLElement) => {
    const figure = el('figure', className);
    figure.append(el('figcaption', undefined, caption), body);
    return figure;
  };
  const row = el('div', 'versus');
  row.append(side('mcalc', "mcalc's result", result), side('claim', `your claim (line ${claim.line})`, math(claim.latex, claim.text, true)));
  return row;
}

function whereLines(r: ResultParts): StepLine[] {
  return r.where.map((w) => ({ step: 4, kind: 'formula', text: `${w.name} = ${w.text}`, latex: `${whereNameLatex(w)} = ${w.latex}` }));
}

function headline(msg: Omit<HeadlineMessage, 'type'>, check: CheckSummary | null | undefined): Section[] {
  const r = msg.result;
  const sections: Section[] = [
    {
      key: 'header',
      sig: `${msg.title}|${msg.file}|${msg.line}|${msg.layout}|${msg.pinned}|${msg.shape}`,
      build: () => {
        const head = el('header');
        head.append(el('h1', undefined, msg.title), el('div', 'where', `${msg.file}, line ${msg.line} · ${msg.layout} layout${msg.pinned ? ' (set by the document)' : ''} · ${msg.shape}`));
        return head;
      },
    },
    {
      key: 'result',
      sig: `${r.main.latex}|${r.where.length}|${r.where.map((w) => w.latex).join('|')}|${msg.claim?.latex}|${msg.claim?.line}`,
      build: () => {
        const result = el('section', 'result');
        result.append(resultAndClaim(r, msg.claim), copyButtons((format) => vscode.postMessage({ type: 'copy', format })));
        const where = r.where;
        if (where.length) {
          const parts = el('details', 'where-clause');
          parts.open = where.length <= OPEN_WHERE;
          parts.append(el('summary', undefined, `where — ${where.length} named part${where.length === 1 ? '' : 's'}`), lineList(whereLines(r)));
          result.append(parts);
        }
        return result;
      },
    },
  ];
  if (check !== null) sections.push({ key: 'check', sig: `${JSON.stringify(check ?? null)}|${!!msg.claim}`, build: () => checkBadge(check, !!msg.claim) });
  return sections;
}

function ruleSection(d: Derivation): Section {
  return {
    key: 'rule',
    sig: `${d.rule}|${d.ruleReason}`,
    build: () => {
      const rule = el('p', 'rule');
      rule.append(el('strong', undefined, `${d.rule}: `), document.createTextNode(d.ruleReason));
      return rule;
    },
  };
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
  if (graph.nodes.length > MAX_GRAPH_NODES) {
    sections.push({
      key: 'dataflow',
      sig: String(graph.nodes.length),
      build: () => {
        const g = el('section', 'dataflow');
        const why = `The dataflow graph has ${graph.nodes.length} nodes: graphs of more than ${MAX_GRAPH_NODES} are not drawn (as a picture they are an unreadable hairball). Steps 1 and 2 list every node and edge; mcalc derive --format json gives the graph's edges.`;
        g.append(el('h2', undefined, 'Dataflow'), el('p', 'graph-not-drawn', why));
        return g;
      },
    });
  } else if (graph.nodes.length > 1) {
    sections.push({
      key: 'dataflow',
      sig: JSON.stringify([graph, d.order]),
      build: () => {
        const g = el('section', 'dataflow');
        const label = (k: number) => `∂${d.partials[k].of}/∂${d.partials[k].wrt}`;
        g.append(el('h2', undefined, 'Dataflow'), graphView((markerId) => drawGraph(graph, d, markerId)));
        g.append(el('p', 'order', `Forward order: ${d.order.forward.map(label).join(', ')} · backward (reverse mode): ${d.order.backward.map(label).join(', ')}`));
        return g;
      },
    });
  }
  return sections;
}

/** Bumped by every new render: the frames of an older one stop. */
let renderToken = 0;

/** Shows the result of a form while its record is computed (the steps of another form are dropped). */
function showHeadline(msg: HeadlineMessage): void {
  if (shown?.msg.key === msg.key) return;
  shown = { msg, check: undefined };
  renderToken++;
  patch([...headline(msg, undefined), { key: 'pending-steps', sig: '', build: () => el('p', 'empty', 'Computing the steps…') }], true);
  vscode.postMessage({ type: 'rendered', key: msg.key, part: 'headline' });
}

/**
 * Shows a derivation: the headline now (unless it is there), then one step per animation frame, so a record of
 * thousands of lines never holds the page for long; sections of the previous record are replaced in place.
 */
function show(msg: DerivationMessage, check?: CheckSummary | null): void {
  const d = JSON.parse(msg.json) as Derivation;
  const had = shown?.msg.key === msg.key;
  shown = { msg, d, check: had ? shown!.check : check };
  const token = ++renderToken;
  drop('empty');
  const body = [ruleSection(d)];
  // The headline is rebuilt from `shown` each time: the check may have arrived in between.
  const sections = () => [...headline(msg, shown!.check), ...body];
  patch(sections(), false);
  if (!had) vscode.postMessage({ type: 'rendered', key: msg.key, part: 'headline' });
  const parts: (() => Section[])[] = [...([1, 2, 3, 4] as const).map((s) => () => [stepSection(d, s)]), () => extras(d)];
  const next = () => {
    if (token !== renderToken) return;
    const part = parts.shift();
    if (part) {
      body.push(...part());
      patch(sections(), false);
      requestAnimationFrame(next);
    } else {
      patch(sections(), true);
      vscode.postMessage({ type: 'rendered', key: msg.key, part: 'steps' });
    }
  };
  requestAnimationFrame(next);
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
    case 'headline':
      setStatus('computing', `Computing the steps of ${m.title}…`);
      return showHeadline(m);
    case 'derivation':
      setStatus('');
      show(m);
      return save({ last: m, check: shown?.check });
    case 'check':
      if (shown?.msg.key !== m.key) return;
      shown.check = m.check ?? null;
      patch(headline(shown.msg, shown.check), false);
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

root.replaceChildren(); // the page's placeholder: sections replace it
const saved = vscode.getState();
if (saved?.last) show(saved.last, saved.check);
else setStatus('computing', 'Computing the derivation…');
vscode.postMessage({ type: 'ready' });
