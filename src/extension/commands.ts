// Commands: show the derivation preview, check derivatives against finite differences, train with the
// derived gradient. Checks and training run in worker threads, with progress and cancellation.

import * as vscode from 'vscode';
import { Context, toVsRange } from './context.ts';
import { gradientCheckSettings } from './config.ts';
import { isMcalcDocument } from './analysisCache.ts';
import { DerivationPreview } from './derivationPanel.ts';
import { runChecksInWorker } from '../core/numeric/checkInWorker.ts';
import { formatNumber, type CheckReport, type CheckResult } from '../core/numeric/gradcheck.ts';
import { runTrainingInWorker, type TrainOptions, type TrainResult } from '../core/numeric/train/index.ts';

export function registerCommands(ctx: Context): void {
  const preview = new DerivationPreview(ctx);
  const output = vscode.window.createOutputChannel('Matrix Calculus');
  const failures = vscode.languages.createDiagnosticCollection('mcalc-check');
  ctx.subscribe(
    output,
    failures,
    // A failed check describes the text it was run on: editing the document clears it.
    vscode.workspace.onDidChangeTextDocument((e) => failures.delete(e.document.uri)),
    vscode.commands.registerCommand('mcalc.showDerivation', (uri?: string, offset?: number) => {
      const target = resolveTarget(uri, offset);
      if (!target) return void vscode.window.showInformationMessage('Open a .mcalc file (or Markdown with ```mcalc blocks) and put the cursor on a derivative form.');
      preview.show(target.doc.uri, target.offset);
    }),
    vscode.commands.registerCommand('mcalc.check', (uri?: string, line?: number) => runChecks(ctx, output, failures, uri, line)),
    vscode.commands.registerCommand('mcalc.train', (preset?: Partial<TrainOptions>) => runTraining(ctx, output, preset)),
  );
}

function resolveTarget(uri: string | undefined, offset: number | undefined): { doc: vscode.TextDocument; offset: number } | undefined {
  if (uri !== undefined) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    return doc && { doc, offset: offset ?? 0 };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isMcalcDocument(editor.document)) return undefined;
  return { doc: editor.document, offset: editor.document.offsetAt(editor.selection.active) };
}

function describe(r: CheckResult): string {
  const mark = r.passed ? '✓' : r.status === 'inconclusive' ? '?' : '✗';
  const what = r.kind === 'claim' ? `check ${r.text} = ${r.formula}` : r.text;
  const errors = `max abs err ${formatNumber(r.maxAbsErr)}, max rel err ${formatNumber(r.maxRelErr)}`;
  return `${mark} ${what}  (line ${r.line})  ${errors}${r.worst?.index.length ? `, worst [${r.worst.index.join(', ')}]` : ''}, seed ${r.seed}${r.note ? `\n    ${r.note}` : ''}`;
}

async function runChecks(ctx: Context, output: vscode.OutputChannel, failures: vscode.DiagnosticCollection, uri?: string, line?: number): Promise<CheckReport | undefined> {
  const target = resolveTarget(uri, undefined);
  if (!target) return void vscode.window.showInformationMessage('Open a .mcalc file (or Markdown with ```mcalc blocks) to check its derivatives.') as undefined;
  const { doc } = target;
  const layout = ctx.layout(doc);
  const results: CheckResult[] = [];
  try {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Checking derivatives against finite differences', cancellable: true },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return runChecksInWorker(
          { text: doc.getText(), languageId: doc.languageId, layout, ...gradientCheckSettings(doc.uri), ...(line !== undefined ? { lines: [line] } : {}) },
          {
            signal: abort.signal,
            workerPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'checkWorker.js').fsPath,
            onResult: (r, done, total) => {
              results.push(r);
              progress.report({ message: `${done} of ${total}: ${r.passed ? '✓' : '✗'} ${r.text}`, increment: 100 / total });
            },
          },
        );
      },
    );
    output.appendLine(`${vscode.workspace.asRelativePath(doc.uri)} (${layout} layout, seed ${report.seed})`);
    for (const r of report.results) output.appendLine(describe(r));
    const failed = report.results.filter((r) => !r.passed);
    failures.set(
      doc.uri,
      failed.map((r) => {
        const d = new vscode.Diagnostic(toVsRange(r.range), `${r.status === 'inconclusive' ? 'Not checked' : 'Check failed'}: ${r.note ?? describe(r)}`, r.status === 'inconclusive' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
        d.source = 'mcalc check';
        return d;
      }),
    );
    const summary = `${report.results.length - failed.length} passed, ${failed.length} failed`;
    if (report.results.length === 0) void vscode.window.showInformationMessage('There are no claims or derivative forms to check here.');
    else if (failed.length) void vscode.window.showErrorMessage(`Gradient check: ${summary}. ${describe(failed[0]).split('\n')[0]}`, 'Show Output').then((a) => a && output.show(true));
    else void vscode.window.showInformationMessage(`Gradient check: ${summary} (max abs err ${formatNumber(Math.max(...report.results.map((r) => r.maxAbsErr)))}).`);
    return report;
  } catch (e) {
    const message = (e as Error).message;
    if ((e as Error).name === 'AbortError' || /cancel/i.test(message)) void vscode.window.showInformationMessage(`Gradient check stopped after ${results.length} result${results.length === 1 ? '' : 's'}.`);
    else void vscode.window.showErrorMessage(`Gradient check: ${message}`);
    return undefined;
  }
}

/** Asks for the loss, parameters, data and optimiser (unless `preset` gives them, e.g. from a keybinding). */
async function trainingOptions(analysis: NonNullable<ReturnType<Context['analysis']>>['analysis']): Promise<Omit<TrainOptions, 'source'> | undefined> {
  const losses = analysis.definitions.filter((d) => d.shape?.kind === 'scalar' && !d.derivative);
  if (!losses.length) return void vscode.window.showInformationMessage('This document has no scalar definition to use as a loss.');
  const loss = await vscode.window.showQuickPick(losses.map((d) => ({ label: d.name, description: d.exprText })), { title: 'Train: the loss to minimise' });
  if (!loss) return;
  const node = analysis.definition(loss.label)!.node!;
  const candidates = analysis.variables.filter((v) => node.vars.has(v.name));
  const params = await vscode.window.showQuickPick(
    candidates.map((v) => ({ label: v.name, description: `${v.shape.kind === 'scalar' ? 'scalar' : v.shape.kind === 'vector' ? `vector[${v.shape.n}]` : 'matrix'}`, picked: /^(w|b|W|θ)/.test(v.name) })),
    { title: 'Train: the parameters (every other variable is data)', canPickMany: true },
  );
  if (!params?.length) return;
  const dataChoice = await vscode.window.showQuickPick([{ label: 'Synthetic data', description: 'rows from a seeded teacher model plus noise' }, { label: 'CSV file…', description: 'a header row names the columns: y, x1…xn' }], { title: 'Train: the data' });
  if (!dataChoice) return;
  let data: TrainOptions['data'];
  const dims: Record<string, number> = {};
  if (dataChoice.label === 'CSV file…') {
    const file = await vscode.window.showOpenDialog({ filters: { CSV: ['csv'] }, canSelectMany: false });
    if (!file?.length) return;
    data = { csvPath: file[0].fsPath };
  } else {
    const rows = await vscode.window.showInputBox({ title: 'Train: number of synthetic rows', value: '1000', validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 ? undefined : 'a positive whole number') });
    if (!rows) return;
    data = { synthetic: Number(rows) };
    for (const d of analysis.dims) {
      const size = await vscode.window.showInputBox({ title: `Train: size of dimension ${d.name}`, value: '3', validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 ? undefined : 'a positive whole number') });
      if (!size) return;
      dims[d.name] = Number(size);
    }
  }
  const optimizer = await vscode.window.showQuickPick(['adam', 'momentum', 'sgd'], { title: 'Train: optimiser (PyTorch semantics)' });
  if (!optimizer) return;
  const lr = await vscode.window.showInputBox({ title: 'Train: learning rate', value: optimizer === 'adam' ? '0.01' : '0.05' });
  if (!lr || !Number.isFinite(Number(lr))) return;
  return { loss: loss.label, params: params.map((p) => p.label), data, optimizer: optimizer as TrainOptions['optimizer'], lr: Number(lr), epochs: 200, dims };
}

async function runTraining(ctx: Context, output: vscode.OutputChannel, preset?: Partial<TrainOptions>): Promise<TrainResult | undefined> {
  const target = resolveTarget(undefined, undefined);
  if (!target) return void vscode.window.showInformationMessage('Open a .mcalc file with a loss to train.');
  const { doc } = target;
  const analysis = ctx.analysis(doc)?.analysis;
  if (!analysis) return undefined;
  const chosen = preset?.loss && preset.params ? preset : await trainingOptions(analysis);
  if (!chosen?.loss || !chosen.params) return undefined;
  const options: TrainOptions = {
    ...chosen,
    loss: chosen.loss,
    params: chosen.params,
    source: doc.getText(),
    language: doc.languageId === 'markdown' ? 'markdown' : 'mcalc',
    fileName: vscode.workspace.asRelativePath(doc.uri),
  };
  output.appendLine(`Training ${options.loss} over ${options.params.join(', ')} with ${options.optimizer ?? 'sgd'} (lr ${options.lr ?? 1e-3})`);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training ${options.loss}`, cancellable: true },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return runTrainingInWorker(options, {
          signal: abort.signal,
          workerPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'trainWorker.js').fsPath,
          onProgress: (p) => progress.report({ message: `epoch ${p.epoch} of ${p.epochs}: loss ${formatNumber(p.loss)}`, increment: 100 / p.epochs }),
          onWarning: (w) => output.appendLine(`warning: ${w}`),
        });
      },
    );
    output.appendLine(`${result.status}${result.message ? `: ${result.message}` : ""}`);
    output.appendLine(`loss ${formatNumber(result.initialLoss)} → ${formatNumber(result.loss)} after ${result.epochs} epochs`);
    output.appendLine(`gradient used: ${Object.entries(result.gradients).map(([k, v]) => `∂/∂${k} = ${v}`).join('; ')}`);
    output.appendLine(`parameters: ${JSON.stringify(result.params)}`);
    void vscode.window.showInformationMessage(`Training ${result.status}: loss ${formatNumber(result.initialLoss)} → ${formatNumber(result.loss)}.`, 'Show Output').then((a) => a && output.show(true));
    return result;
  } catch (e) {
    void vscode.window.showErrorMessage(`Training: ${(e as Error).message}`);
    return undefined;
  }
}
