// The training panel's script: the live loss curve (uPlot), the verdict, the per-epoch table and the final
// parameters, and the buttons that ask the extension to rerun, compare, save, copy or cancel. Everything it
// shows is kept as webview state, so a hidden or reloaded panel comes back as it was.

import './locale.ts'; // before the chart: uPlot reads navigator.language when it loads
import { LossChart } from './chart.ts';
import type { FromTrainingPanel, RunSummary, RunView, ToTrainingPanel, TrainingPanelState } from './protocol.ts';
import { applyMessage, emptyPanelState } from './state.ts';
import { valueShape } from '../../core/numeric/train/report.ts';
import type { ParamValue } from '../../core/numeric/train/problem.ts';

declare function acquireVsCodeApi(): { getState(): TrainingPanelState | undefined; setState(s: TrainingPanelState): void; postMessage(m: FromTrainingPanel): void };

const vscode = acquireVsCodeApi();
let state: TrainingPanelState = vscode.getState() ?? emptyPanelState();
/** How often a running curve is written to the webview state (for a reload mid-run), in ms. */
const SAVE_EVERY_MS = 1000;
let savedAt = 0;
/** Longer runs show every k-th epoch in the table (the curve and the saved run keep all of them). */
const TABLE_ROWS = 500;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] {
  return Object.assign(document.createElement(tag), { className, textContent: text });
}
const num = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x));

const chart = new LossChart($('chart'), caption);

function running(): RunView | undefined {
  return state.runs.find((r) => !r.summary && !r.error);
}

/** How many points each curve holds, read from the chart itself. */
function caption(): void {
  const runs = state.runs;
  if (runs.length <= 1) $('caption').textContent = runs.length ? `${chart.pointCount(0)} points, one per epoch` : '';
  else $('caption').textContent = `${runs.map((r, i) => `${r.label}: ${chart.pointCount(i)} points`).join('; ')} (one per epoch, ${runs.length} runs on these axes)`;
}

function paramTable(name: string, v: ParamValue): HTMLElement {
  const box = el('figure', 'param');
  box.append(el('figcaption', '', `${name} : ${valueShape(v)}`));
  const table = el('table');
  const rows = typeof v === 'number' ? [[v]] : Array.isArray(v[0]) ? (v as number[][]) : (v as number[]).map((x) => [x]);
  for (const r of rows) {
    const tr = el('tr');
    for (const x of r) tr.append(el('td', '', num(x)));
    table.append(tr);
  }
  box.append(table);
  return box;
}

function paramsBlock(title: string, params: Record<string, ParamValue>): HTMLElement {
  const sec = el('section', 'params');
  sec.append(el('h3', '', title));
  for (const [k, v] of Object.entries(params)) sec.append(paramTable(k, v));
  return sec;
}

function epochTable(run: RunView): HTMLElement {
  const details = el('details', 'epochs');
  const every = Math.max(1, Math.ceil(run.points.length / TABLE_ROWS));
  details.append(el('summary', '', `Per-epoch loss (${run.points.length} epochs${every > 1 ? `; every ${every}th shown` : ''})`));
  const table = el('table');
  const head = el('tr');
  for (const h of ['epoch', 'mean loss', 'change']) head.append(el('th', '', h));
  table.append(head);
  run.points.forEach(([epoch, loss], i) => {
    if (i % every !== 0 && i !== run.points.length - 1) return;
    const tr = el('tr');
    tr.append(el('td', '', String(epoch)), el('td', '', num(loss)), el('td', '', i ? num(loss - run.points[i - 1][1]) : ''));
    table.append(tr);
  });
  details.append(table);
  return details;
}

/** The verdict, the losses and the distances: what a run came to, shown above the curve. */
function headline(run: RunView): HTMLElement {
  const box = el('section', 'headline');
  box.append(el('h2', '', run.label));
  const s = run.summary;
  if (run.error) box.append(el('p', 'verdict error', run.error));
  else if (!s) box.append(el('p', 'progress', run.points.length ? progressText(run) : 'starting…'));
  else {
    box.append(el('p', `verdict ${s.verdict.kind}`, s.verdict.headline));
    if (s.verdict.detail) box.append(el('p', 'detail', s.verdict.detail));
    box.append(el('p', 'losses', `loss ${num(s.initialLoss)} → ${num(s.loss)} after ${s.epochs} epoch${s.epochs === 1 ? '' : 's'} (${(s.elapsedMs / 1000).toFixed(2)} s)`));
    for (const r of s.references) {
      const rel = r.referenceNorm > 0 ? ` (${num((100 * r.distance) / r.referenceNorm)} % of its norm)` : '';
      box.append(el('p', 'distance', `Distance to ${r.what}: ${num(r.distance)}${rel}`));
    }
  }
  return box;
}

/** Warnings, parameter tables, the gradient and the per-epoch table: below the curve. */
function details(run: RunView, s: RunSummary): HTMLElement {
  const sec = el('section', 'run');
  for (const w of s.warnings.filter((w) => w !== s.verdict.detail)) sec.append(el('p', 'warning', `⚠ ${w}`));
  sec.append(paramsBlock(`Final parameters (${run.label})`, s.params));
  for (const r of s.references) sec.append(paramsBlock(`Parameters of ${r.what}`, r.params));
  const grads = el('p', 'gradients', `Gradient used: ${Object.entries(s.gradients).map(([k, g]) => `∂/∂${k} = ${g}`).join('; ')}${s.dataNote ? ` (${s.dataNote})` : ''}`);
  sec.append(grads, epochTable(run));
  return sec;
}

function progressText(run: RunView): string {
  const [epoch, loss] = run.points[run.points.length - 1];
  return `epoch ${epoch} of ${run.settings.epochs}: loss ${num(loss)}`;
}

function render(): void {
  $('file').textContent = state.file ?? '';
  const live = running();
  $<HTMLButtonElement>('cancel').disabled = !live;
  for (const id of ['rerun', 'change', 'compare', 'save', 'copy']) $<HTMLButtonElement>(id).disabled = !!live || !state.runs.length;
  $<HTMLInputElement>('log').checked = state.logScale;
  $('headlines').replaceChildren(...state.runs.map(headline));
  $('runs').replaceChildren(...state.runs.flatMap((r) => (r.summary ? [details(r, r.summary)] : [])));
  chart.show(state.runs, state.logScale, true);
  vscode.setState(state);
}

/** During a run only the progress line and the curve change: cheap enough for every batch of epochs. */
function renderProgress(run: RunView): void {
  const line = document.querySelectorAll<HTMLElement>('#headlines .headline').item(state.runs.indexOf(run))?.querySelector('.progress');
  if (line) line.textContent = progressText(run);
  chart.show(state.runs, state.logScale);
  if (Date.now() - savedAt > SAVE_EVERY_MS) {
    savedAt = Date.now();
    vscode.setState(state);
  }
}

function receive(m: ToTrainingPanel): void {
  state = applyMessage(state, m);
  if (m.type === 'epochs') {
    const run = state.runs.find((r) => r.id === m.runId);
    if (run) renderProgress(run);
  } else if (m.type === 'note') $('note').textContent = m.text;
  else {
    if (m.type === 'run-start') $('note').textContent = '';
    render();
  }
}

window.addEventListener('message', (e: MessageEvent<ToTrainingPanel>) => e.data && receive(e.data));
for (const id of ['rerun', 'change', 'compare', 'save', 'copy', 'cancel'] as const) $(id).addEventListener('click', () => vscode.postMessage({ type: id }));
$<HTMLInputElement>('log').addEventListener('change', (e) => {
  state = { ...state, logScale: (e.target as HTMLInputElement).checked };
  render();
});
render();
vscode.postMessage({ type: 'ready' });
