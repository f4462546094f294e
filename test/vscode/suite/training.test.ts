/// <reference types="mocha" />
// The training panel in a real VS Code: the Train command (with its answers passed as the argument) opens
// the panel and draws the loss curve live, one point per epoch; Cancel stops a long run within an epoch and
// the verdict says where; a linear model shows its least-squares optimum; Save run writes the JSON and CSV
// next to the document; the panel survives a reload of its webview. Playwright reads the panel's own DOM and
// saves test-results/training.png, training-cancelled.png, training-linear.png and training-reloaded.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { closeAllEditors, openInEditor, requestScreenshot, runConfig, sleep } from './harness.ts';
import type { TrainResult } from '../../../src/core/numeric/train/index.ts';
import { parameterDistance } from '../../../src/core/numeric/train/report.ts';

const NEURON = { loss: 'loss', params: ['w', 'b'], data: { synthetic: 300 }, dims: { n: 3 }, optimizer: 'adam', lr: 0.05, seed: 1 };

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
    if (!runConfig().screenshots) return this.skip();
    const shot = await requestScreenshot('training', [
      { selector: '#caption', text: '40 points, one per epoch', frame: 'webview' },
      { selector: '.verdict', frame: 'webview' },
      { selector: '.param figcaption', text: 'w : vector[3]', frame: 'webview' },
      { selector: '.distance', text: 'Distance to the teacher', frame: 'webview' },
      { selector: '.u-axis', frame: 'webview' },
    ], 80_000);
    assert.equal(shot.error, undefined, shot.error);
    assert.equal(shot.found[0], '40 points, one per epoch', 'the chart holds one point per epoch');
    assert.match(shot.found[1] ?? '', /^(Reached the epoch limit \(40 epochs\)|Converged to tolerance at epoch \d+)/);
    assert.ok(shot.found[2], 'the final w is shown as a table with its shape');
    assert.ok(shot.found[3], 'the distance to the teacher is shown');
    assert.ok(shot.found[4] !== null, 'uPlot drew its axes');
    assert.ok(shot.bytes > 10_000, 'test-results/training.png was saved');
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
