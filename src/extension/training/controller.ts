// One training session in the editor: runs the trainer in a worker with the document's text, streams its
// epochs to the training panel (batched, a few times a second), turns the result into the panel's summary
// (verdict, parameters, distances to the teacher or the least-squares optimum), and answers the panel's
// buttons: Cancel, Rerun, Change settings…, Compare…, Save run, Copy parameters.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Context } from '../context.ts';
import { runTrainingInWorker, TrainError, type TrainResult } from '../../core/numeric/train/index.ts';
import { curveCsv, parameterDistance, runFileStem, runRecord, verdictOf, type RunSettings } from '../../core/numeric/train/report.ts';
import { editorWords, toTrainOptions } from '../../core/numeric/train/setup.ts';
import { formatNumber } from '../../core/numeric/gradcheck.ts';
import type { FromTrainingPanel, Reference, RunSummary, ToTrainingPanel, TrainingPanelState } from '../../webview/training/protocol.ts';
import { applyMessage, emptyPanelState } from '../../webview/training/state.ts';
import { askComparison, askRunSettings, documentBase } from './flow.ts';
import { TrainingPanel } from './panel.ts';

/** How often arrived epochs are posted to the panel (ms): live, without a message per epoch. */
const FLUSH_MS = 100;

interface Run {
  id: number;
  settings: RunSettings;
  result?: TrainResult;
}

export class TrainingController {
  private readonly panel: TrainingPanel;
  private uri: vscode.Uri | undefined;
  private runs: Run[] = [];
  private abort: AbortController | undefined;
  private active: Promise<unknown> | undefined;
  private nextId = 1;
  /** Everything sent to the panel, for a webview that (re)loads. */
  private view = emptyPanelState();

  constructor(
    private readonly ctx: Context,
    private readonly output: vscode.OutputChannel,
  ) {
    this.panel = new TrainingPanel(ctx, (m) => void this.onMessage(m), (state) => this.restore(state));
  }

  /** Trains `settings` on the document: a fresh panel (`replace`), or one more curve on it (Compare). */
  async run(doc: vscode.TextDocument, settings: RunSettings, replace: boolean): Promise<TrainResult | undefined> {
    await this.stop();
    this.uri = doc.uri;
    const run: Run = { id: this.nextId++, settings };
    this.runs = replace ? [run] : [...this.runs, run];
    this.panel.show();
    const label = `${settings.optimizer}, lr ${settings.lr}${settings.batch === 'full' ? '' : `, batch ${settings.batch}`}`;
    this.send({ type: 'run-start', run: { id: run.id, label, settings }, replace, uri: doc.uri.toString(), file: vscode.workspace.asRelativePath(doc.uri) });
    const abort = new AbortController();
    this.abort = abort;
    let pending: Array<[number, number]> = [];
    const flush = () => {
      if (pending.length) this.send({ type: 'epochs', runId: run.id, points: pending });
      pending = [];
    };
    const timer = setInterval(flush, FLUSH_MS);
    const base = documentBase(doc);
    this.output.appendLine(`Training ${settings.loss} over ${settings.params.join(', ')} with ${label}, ${settings.epochs} epochs, seed ${settings.seed}`);
    const work = runTrainingInWorker(toTrainOptions(settings, base), {
      signal: abort.signal,
      workerPath: vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'trainWorker.js').fsPath,
      onProgress: (p) => pending.push([p.epoch, p.loss]),
      onWarning: (w) => this.output.appendLine(`warning: ${w}`),
    });
    this.active = work.catch(() => undefined);
    try {
      const result = await work;
      flush();
      run.result = result;
      const summary = this.summary(result, settings);
      this.send({ type: 'run-end', runId: run.id, summary });
      this.output.appendLine(`${summary.verdict.headline}: loss ${formatNumber(result.initialLoss)} → ${formatNumber(result.loss)}`);
      return result;
    } catch (e) {
      flush();
      const message = e instanceof TrainError ? editorWords(e.message) : (e as Error).message;
      this.send({ type: 'run-error', runId: run.id, message: `Training could not run: ${message}` });
      this.output.appendLine(`Training could not run: ${message}`);
      return undefined;
    } finally {
      clearInterval(timer);
      if (this.abort === abort) this.abort = undefined;
    }
  }

  /** Stops the running training (within one step) and waits until the worker has answered. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.active;
  }

  /** Writes the first run (and any compared runs) as JSON, and its curve as CSV, next to the document. */
  async save(): Promise<{ json: vscode.Uri; csv: vscode.Uri } | undefined> {
    const [first, ...compared] = this.runs.filter((r) => r.result);
    if (!first || !this.uri) return void vscode.window.showInformationMessage('Train first: there is no finished run to save.');
    const now = new Date();
    const name = path.basename(this.uri.path);
    const folder = this.uri.scheme === 'file' ? vscode.Uri.joinPath(this.uri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!folder) return void vscode.window.showErrorMessage('Save run: save the document first, so the run has a folder to go next to.');
    const stem = runFileStem(name, now);
    const record = { ...runRecord(name, first.settings, first.result!, now), ...(compared.length ? { compared: compared.map((r) => runRecord(name, r.settings, r.result!, now)) } : {}) };
    const json = vscode.Uri.joinPath(folder, `${stem}.json`);
    const csv = vscode.Uri.joinPath(folder, `${stem}.csv`);
    await vscode.workspace.fs.writeFile(json, Buffer.from(JSON.stringify(record, null, 2) + '\n'));
    await vscode.workspace.fs.writeFile(csv, Buffer.from(curveCsv(first.result!.history)));
    this.send({ type: 'note', text: `Saved ${vscode.workspace.asRelativePath(json)} and ${path.basename(csv.path)}` });
    return { json, csv };
  }

  private send(m: ToTrainingPanel): void {
    this.view = applyMessage(this.view, m);
    this.panel.post(m);
  }

  private summary(r: TrainResult, settings: RunSettings): RunSummary {
    const references: Reference[] = [];
    if (r.leastSquares) references.push({ what: 'the least-squares optimum (the exact minimiser of this quadratic loss)', params: r.leastSquares, ...parameterDistance(r.params, r.leastSquares) });
    if (r.teacher) references.push({ what: 'the teacher (the parameters that generated the synthetic data)', params: r.teacher, ...parameterDistance(r.params, r.teacher) });
    return { verdict: verdictOf(r, settings.epochs), initialLoss: r.initialLoss, loss: r.loss, epochs: r.epochs, params: r.params, references, warnings: r.warnings, gradients: r.gradients, ...(r.dataNote ? { dataNote: r.dataNote } : {}), elapsedMs: r.elapsedMs };
  }

  private document(): vscode.TextDocument | undefined {
    const uri = this.uri?.toString();
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    if (!doc) void vscode.window.showInformationMessage('Open the document this training came from again to rerun it.');
    return doc;
  }

  private restore(state: TrainingPanelState | undefined): void {
    this.view = state ?? emptyPanelState();
    if (state?.uri) this.uri = vscode.Uri.parse(state.uri);
    this.runs = (state?.runs ?? []).map((r) => ({ id: r.id, settings: r.settings }));
    this.nextId = Math.max(0, ...this.runs.map((r) => r.id)) + 1;
  }

  private async onMessage(m: FromTrainingPanel): Promise<void> {
    const first = this.runs[0];
    switch (m.type) {
      case 'ready':
        this.panel.post({ type: 'snapshot', state: this.view });
        if (!this.abort) this.send({ type: 'idle' });
        return;
      case 'cancel':
        return this.stop();
      case 'save':
        return void (await this.save());
      case 'copy': {
        if (!first?.result) return;
        await vscode.env.clipboard.writeText(JSON.stringify(first.result.params, null, 2));
        return this.send({ type: 'note', text: 'Copied the final parameters as JSON.' });
      }
    }
    const doc = first && this.document();
    if (!doc) return;
    if (m.type === 'rerun') await this.run(doc, first.settings, true);
    else if (m.type === 'compare') {
      const other = await askComparison(first.settings);
      if (other) await this.run(doc, { ...first.settings, ...other }, false);
    } else if (m.type === 'change') {
      const analysis = this.ctx.analysis(doc)?.analysis;
      const settings = analysis && (await askRunSettings(analysis, documentBase(doc), doc.uri, first.settings));
      if (settings) await this.run(doc, settings, true);
    }
  }
}
