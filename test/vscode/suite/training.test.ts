/// <reference types="mocha" />
// The training panel in a real VS Code: the Train command (with its answers passed as the argument) opens
// the panel and draws the loss curve live, one point per epoch; Cancel stops a long run within an epoch and
// the verdict says where; a linear model shows its least-squares optimum; Save run writes the JSON and CSV
// next to the document; the panel survives a reload of its webview; the log-scale toggle, Compare and Change
// settings… are pressed in the panel and their prompts answered as a user does. Playwright reads the panel's own
// DOM and saves test-results/training.png, training-log.png, training-compare.png, training-changed.png,
// training-cancelled.png, training-linear.png and training-reloaded.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { closeAllEditors, openInEditor, requestScreenshot, runConfig, sleep } from './harness.ts';
import type { TrainResult } from '../../../src/core/numeric/train/index.ts';
import { parameterDistance } from '../../../src/core/numeric/train/report.ts';

const NEURON = { loss: 'loss', params: ['w', 'b'], data: { synthetic: 300 }, dims: { n: 3 }, optimizer: 'adam', lr: 0.05, seed: 1 };

/** What the chart says about its loss axis (data attributes read back from uPlot). */
const Y_AXIS = `(() => { const d = document.getElementById('chart').dataset; return { scale: d.yScale, min: Number(d.yMin), max: Number(d.yMax), mid: Number(d.yMid) }; })()`;
interface YAxis { scale: string; min: number; max: number; mid: number }

/**
 * Answers the prompt titled `title` as a user does: waits until it is shown, types `fill` into it (a value, or a
 * quick pick's filter), and presses Enter (VS Code's accept command). Playwright saves training-prompt.png.
 */
async function answerPrompt(title: string, fill?: string): Promise<void> {
  const shot = await requestScreenshot(`training-prompt-${title.replace(/\W+/g, '-').toLowerCase()}`, [
    { selector: '.quick-input-widget .quick-input-title', text: title },
    ...(fill !== undefined ? [{ selector: '.quick-input-widget .quick-input-box input', fill }] : []),
  ], 60_000);
  assert.equal(shot.error, undefined, shot.error);
  assert.ok(shot.found[0], `the prompt "${title}" was not shown: ${JSON.stringify(shot.found)}`);
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

suite('The training panel', function () {
  // Playwright waits for each webview element in turn; on a busy machine that takes longer than the default.
  this.timeout(90_000);
  // The screenshots show the panel beside the editor, not the Problems panel an earlier suite opened.
  suiteSetup(() => vscode.commands.executeCommand('workbench.action.closePanel'));
  suiteTeardown(closeAllEditors);

  test('Train draws the loss curve with one point per epoch, the verdict and the parameters', async function () {
    await openInEditor('examples/neuron.mcalc');
    const result = await vscode.commands.executeCommand<TrainResult | undefined>('mcalc.train', { ...NEURON, epochs: 40 });
    assert.ok(result, 'training ran');
    assert.equal(result.history.length, 40);
    assert.match(result.dataNote ?? '', /x is matrix\[N, n\]/, 'the batch form says what x stands for');
    if (!runConfig().screenshots) return this.skip();
    const shot = await requestScreenshot('training', [
      { selector: '#caption', text: '40 points, one per epoch', frame: 'webview' },
      { selector: '.verdict', frame: 'webview' },
      { selector: '.param figcaption', text: 'w : vector[3]', frame: 'webview' },
      { selector: '.distance', text: 'Distance to the teacher', frame: 'webview' },
      { selector: '.u-axis', frame: 'webview' },
      { selector: '.gradients', text: 'the data, a row per sample', frame: 'webview' },
    ], 80_000);
    assert.equal(shot.error, undefined, shot.error);
    assert.equal(shot.found[0], '40 points, one per epoch', 'the chart holds one point per epoch');
    assert.match(shot.found[1] ?? '', /^(Reached the epoch limit \(40 epochs\)|Converged to tolerance at epoch \d+)/);
    assert.ok(shot.found[2], 'the final w is shown as a table with its shape');
    assert.ok(shot.found[3], 'the distance to the teacher is shown');
    assert.ok(shot.found[4] !== null, 'uPlot drew its axes');
    assert.ok(shot.found[5], 'the gradient used says what the stacked data is');
    assert.ok(shot.bytes > 10_000, 'test-results/training.png was saved');
  });

  test('the log-scale toggle changes how the loss axis is distributed', async function () {
    if (!runConfig().screenshots) return this.skip();
    await openInEditor('examples/neuron.mcalc');
    const result = await vscode.commands.executeCommand<TrainResult | undefined>('mcalc.train', { ...NEURON, epochs: 40, tol: 0 });
    assert.ok(result && result.history[0].loss / result.loss > 10, 'the loss falls by more than 10×, so the two scales differ');
    const shot = await requestScreenshot('training-log', [
      { selector: '#chart[data-y-scale="linear"]', frame: 'webview', measure: Y_AXIS },
      { selector: '#log', frame: 'webview', click: true },
      { selector: '#chart[data-y-scale="log"]', frame: 'webview', measure: Y_AXIS },
      { selector: '#chart[role="img"]', frame: 'webview', measure: `document.getElementById('chart').getAttribute('aria-label')` },
    ]);
    assert.equal(shot.error, undefined, shot.error);
    const linear = JSON.parse(shot.found[0] ?? 'null') as YAxis;
    const log = JSON.parse(shot.found[2] ?? 'null') as YAxis;
    assert.ok(linear && log, `both axes were measured: ${JSON.stringify(shot.found)}`);
    // Linear: the middle of the axis is the arithmetic mean of its ends; log: the geometric mean.
    assert.ok(Math.abs(linear.mid - (linear.min + linear.max) / 2) <= 1e-6 * (linear.max - linear.min), JSON.stringify(linear));
    assert.ok(log.min > 0 && Math.abs(Math.log(log.mid) - (Math.log(log.min) + Math.log(log.max)) / 2) <= 1e-6, JSON.stringify(log));
    assert.ok(Math.abs(log.mid - (log.min + log.max) / 2) > 0.1 * (log.max - log.min), `the log axis is not linear: ${JSON.stringify(log)}`);
    assert.match(shot.found[3] ?? '', /log loss axis from/, 'the chart says it is on a log scale');
    await requestScreenshot('training-log-off', [{ selector: '#log', frame: 'webview', click: true }, { selector: '#chart[data-y-scale="linear"]', frame: 'webview' }]);
  });

  test("Compare overlays another optimiser's curve: two series on the same axes, one point per epoch each", async function () {
    if (!runConfig().screenshots) return this.skip();
    await openInEditor('examples/neuron.mcalc');
    const first = await vscode.commands.executeCommand<TrainResult | undefined>('mcalc.train', { ...NEURON, epochs: 30, tol: 0 });
    assert.equal(first?.history.length, 30);
    const pressed = await requestScreenshot('training-compare-pressed', [{ selector: '#compare:enabled', frame: 'webview', click: true }]);
    assert.ok(pressed.found[0], 'the Compare… button is there');
    // The other optimisers are offered first (Enter takes momentum); the learning rate is typed in.
    await answerPrompt('Compare: overlay the curve of another optimiser');
    await answerPrompt('Train: learning rate for momentum', '0.2');
    const shot = await requestScreenshot('training-compare', [
      { selector: '#caption', text: 'adam, lr 0.05: 30 points; momentum, lr 0.2: 30 points (one per epoch, 2 runs on these axes)', frame: 'webview' },
      { selector: '.u-legend', frame: 'webview', measure: `[...document.querySelectorAll('.u-legend .u-series')].map((e) => e.textContent.trim())` },
      { selector: '.headline:nth-child(2) .losses', text: 'after 30 epochs', frame: 'webview' },
    ], 80_000);
    assert.equal(shot.error, undefined, shot.error);
    assert.ok(shot.found[0], `both curves hold one point per epoch: ${shot.found[0]}`);
    const series = JSON.parse(shot.found[1] ?? '[]') as string[];
    assert.equal(series.length, 3, `the epoch axis and two loss series: ${JSON.stringify(series)}`);
    assert.match(series[1], /adam, lr 0\.05/);
    assert.match(series[2], /momentum, lr 0\.2/);
    assert.ok(shot.found[2], 'the compared run finished all 30 epochs');
  });

  test('Change settings… reruns with the answers given (optimiser, learning rate, epochs, rows, seed)', async function () {
    if (!runConfig().screenshots) return this.skip();
    this.timeout(180_000); // ten prompts, each waited for and answered through Playwright
    const doc = await openInEditor('examples/neuron.mcalc');
    await vscode.commands.executeCommand<TrainResult | undefined>('mcalc.train', { ...NEURON, epochs: 30, tol: 0 });
    await requestScreenshot('training-change-pressed', [{ selector: '#change:enabled', frame: 'webview', click: true }]);
    await answerPrompt('Train: the loss to minimise');
    await answerPrompt('Train: the parameters');
    await answerPrompt('Train: the data');
    await answerPrompt('Train: number of synthetic rows', '200');
    await answerPrompt('Train: size of dimension n');
    await answerPrompt('Train: optimiser', 'momentum');
    await answerPrompt('Train: learning rate', '0.02');
    await answerPrompt('Train: epochs', '17');
    await answerPrompt('Train: batch size');
    await answerPrompt('Train: seed', '5');
    const shot = await requestScreenshot('training-changed', [
      { selector: '#caption', text: '17 points, one per epoch', frame: 'webview' },
      { selector: '.headline h2', text: 'momentum, lr 0.02', frame: 'webview' },
    ], 80_000);
    assert.equal(shot.error, undefined, shot.error);
    assert.ok(shot.found[0] && shot.found[1], `the rerun replaced the curve with the new settings: ${JSON.stringify(shot.found)}`);
    const saved = await vscode.commands.executeCommand<{ json: vscode.Uri; csv: vscode.Uri } | undefined>('mcalc.training.save');
    assert.ok(saved, 'the rerun was saved');
    try {
      assert.equal(vscode.Uri.joinPath(saved.json, '..').fsPath, vscode.Uri.joinPath(doc.uri, '..').fsPath);
      const record = JSON.parse(fs.readFileSync(saved.json.fsPath, 'utf8'));
      assert.deepEqual(
        { optimizer: record.settings.optimizer, lr: record.settings.lr, epochs: record.settings.epochs, data: record.settings.data, seed: record.seed, dims: record.settings.dims },
        { optimizer: 'momentum', lr: 0.02, epochs: 17, data: { synthetic: 200 }, seed: 5, dims: { n: 3 } },
      );
      assert.equal(record.history.length, 17);
    } finally {
      fs.rmSync(saved.json.fsPath, { force: true });
      fs.rmSync(saved.csv.fsPath, { force: true });
    }
  });

  test('Cancel stops a long run within one epoch and the verdict says where', async function () {
    await openInEditor('examples/neuron.mcalc');
    // Tolerance 0 and shuffled mini-batches: the epoch loss never repeats exactly, so only Cancel stops it.
    const running = vscode.commands.executeCommand<TrainResult | undefined>('mcalc.train', { ...NEURON, data: { synthetic: 2000 }, batch: 50, tol: 0, epochs: 1_000_000 });
    await sleep(2000);
    const asked = Date.now();
    await vscode.commands.executeCommand('mcalc.training.cancel');
    const result = await running;
    const latency = Date.now() - asked;
    assert.ok(result, 'the cancelled run still reports');
    assert.equal(result.status, 'cancelled');
    assert.ok(result.epochs > 0 && result.epochs < 1_000_000, `epochs ${result.epochs}`);
    assert.ok(latency < 2000, `stopping took ${latency} ms`);
    if (!runConfig().screenshots) return this.skip();
    const shot = await requestScreenshot('training-cancelled', [
      { selector: '.verdict.stopped', text: 'Stopped by you', frame: 'webview' },
      { selector: '#caption', text: `${result.epochs} points`, frame: 'webview' },
    ], 80_000);
    assert.equal(shot.error, undefined, shot.error);
    assert.match(shot.found[0] ?? '', new RegExp(`of 1000000 \\(${result.epochs} complete\\)`), `verdict: ${shot.found[0]}`);
    assert.ok(shot.found[1], `the curve holds the ${result.epochs} epochs that ran`);
  });

  test('a linear model shows the least-squares optimum and the distance to it', async function () {
    await openInEditor('fixtures/linear.mcalc');
    const result = await vscode.commands.executeCommand<TrainResult | undefined>('mcalc.train', { ...NEURON, optimizer: 'sgd', lr: 0.1, epochs: 300 });
    assert.ok(result?.leastSquares, 'the worker found the loss quadratic and solved for its minimiser');
    assert.ok(parameterDistance(result.params, result.leastSquares).distance < 1e-3, `${JSON.stringify(result.params)} vs ${JSON.stringify(result.leastSquares)}`);
    if (!runConfig().screenshots) return this.skip();
    const shot = await requestScreenshot('training-linear', [{ selector: '.distance', text: 'Distance to the least-squares optimum', frame: 'webview' }], 80_000);
    assert.equal(shot.error, undefined, shot.error);
    assert.ok(shot.found[0], 'the panel shows the distance to the least-squares optimum');
  });

  test('the panel comes back as it was after its webview reloads (state kept by the webview)', async function () {
    if (!runConfig().screenshots) return this.skip();
    await openInEditor('fixtures/linear.mcalc');
    const result = await vscode.commands.executeCommand<TrainResult | undefined>('mcalc.train', { ...NEURON, optimizer: 'sgd', lr: 0.1, epochs: 120 });
    assert.ok(result && result.epochs > 1, 'training ran'); // it may converge before epoch 120
    await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
    await sleep(1000);
    const shot = await requestScreenshot('training-reloaded', [
      { selector: '#caption', text: `${result.epochs} points, one per epoch`, frame: 'webview' },
      { selector: '.distance', text: 'least-squares optimum', frame: 'webview' },
    ], 80_000);
    assert.equal(shot.error, undefined, shot.error);
    assert.ok(shot.found[0] && shot.found[1], `after the reload: ${JSON.stringify(shot.found)}`);
  });

  test('Save run writes the JSON (settings, seed, per-epoch loss, parameters) and the CSV next to the document', async () => {
    const doc = await openInEditor('examples/neuron.mcalc');
    const result = await vscode.commands.executeCommand<TrainResult | undefined>('mcalc.train', { ...NEURON, epochs: 25, seed: 4 });
    assert.ok(result);
    const saved = await vscode.commands.executeCommand<{ json: vscode.Uri; csv: vscode.Uri } | undefined>('mcalc.training.save');
    assert.ok(saved, 'a run was saved');
    try {
      assert.equal(vscode.Uri.joinPath(saved.json, '..').fsPath, vscode.Uri.joinPath(doc.uri, '..').fsPath, 'next to the document');
      const record = JSON.parse(fs.readFileSync(saved.json.fsPath, 'utf8'));
      assert.equal(record.settings.epochs, 25);
      assert.equal(record.settings.optimizer, 'adam');
      assert.equal(record.seed, 4);
      assert.deepEqual(record.history, result.history);
      assert.deepEqual(record.params, result.params);
      const csv = fs.readFileSync(saved.csv.fsPath, 'utf8').trimEnd().split('\n');
      assert.equal(csv.length, 26, 'a header and one row per epoch');
    } finally {
      fs.rmSync(saved.json.fsPath, { force: true });
      fs.rmSync(saved.csv.fsPath, { force: true });
    }
  });
});
