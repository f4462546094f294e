/// <reference types="mocha" />
// Code lenses, the derivation preview (its KaTeX, inspected inside the webview by Playwright), gradient
// checks and training from the editor.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, openInEditor, positionOf, requestScreenshot, runConfig, skipWith, waitFor } from './harness.ts';
import { analyze, derivativeOf } from '../../../src/core/analyze.ts';
import { derive } from '../../../src/core/diff/derivation.ts';
import type { CheckReport } from '../../../src/core/numeric/gradcheck.ts';
import type { TrainResult } from '../../../src/core/numeric/train/index.ts';

suite('Derivations, checks and training in the editor', () => {
  suiteTeardown(closeAllEditors);

  test('code lenses offer "Show derivation" and "Check" above derivative forms and claims', async () => {
    const doc = await openInEditor('examples/neuron.mcalc');
    const lenses = await waitFor(async () => {
      const ls = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
      return ls.length ? ls : undefined;
    }, 'code lenses on examples/neuron.mcalc');
    const byLine = new Map<number, string[]>();
    for (const l of lenses) byLine.set(l.range.start.line, [...(byLine.get(l.range.start.line) ?? []), l.command?.title ?? '']);
    const gLine = positionOf(doc, 'g = d(loss)/d(w)').line;
    const claimLine = positionOf(doc, 'check d(loss)/d(w)').line;
    assert.deepEqual(byLine.get(gLine), ['Show derivation', 'Check']);
    // The claim's lens may already carry its as-you-type verdict (✓/✗/?).
    assert.deepEqual(byLine.get(claimLine)?.map((t) => t.replace(/^[✓✗?] /, '')), ['Show derivation', 'Check claim']);
    assert.equal(lenses.find((l) => l.range.start.line === gLine)!.command!.command, 'mcalc.showDerivation');
  });

  test('the derivation preview renders the four steps with KaTeX, and the verdict of a quick check', async function () {
    if (!runConfig().screenshots) skipWith(this, 'webview DOM is inspected by Playwright, which only the offline route has');
    const doc = await openInEditor('examples/neuron.mcalc');
    const at = doc.offsetAt(positionOf(doc, 'g = d(loss)/d(w)', 'd('));
    await vscode.commands.executeCommand('mcalc.showDerivation', doc.uri.toString(), at);
    const a = analyze(doc.getText());
    const info = derivativeOf(a, 'loss', 'w');
    assert.ok(typeof info !== 'string');
    const expected = derive(a, info, 'numerator');
    const shot = await requestScreenshot('derivation', [
      { selector: 'header h1', text: 'd(loss)/d(w)', frame: 'webview' },
      { selector: '.result .katex', frame: 'webview' },
      { selector: '.step-1 .katex', frame: 'webview' },
      { selector: '.rule', text: 'vector chain rule', frame: 'webview' },
      { selector: '.step-3 .katex', frame: 'webview' },
      { selector: '.check.pass', frame: 'webview' },
    ]);
    assert.equal(shot.error, undefined, shot.error);
    assert.equal(shot.found[0], 'd(loss)/d(w)', 'the preview is titled with the derivative form');
    // KaTeX keeps the source LaTeX in its (visually hidden) MathML annotation, part of the element's text.
    assert.ok(shot.found[1]?.includes(expected.result.latex), `the result is typeset from the engine's LaTeX ${expected.result.latex}; found: ${shot.found[1]}`);
    assert.ok(shot.found[2], 'the intermediate variables are typeset');
    assert.ok(shot.found[3], 'the chain rule is named');
    assert.ok(shot.found[4], 'the chain-rule steps are typeset');
    assert.match(shot.found[5] ?? '', /✓ agrees with finite differences/);
    assert.ok(shot.bytes > 10_000, 'test-results/derivation.png was saved');
  });

  test('Check runs in a worker and reports a wrong claim as an error on its line, with mcalc\'s result', async () => {
    const doc = await openInEditor('fixtures/wrongclaim.mcalc');
    const report = await vscode.commands.executeCommand<CheckReport | undefined>('mcalc.check', doc.uri.toString());
    assert.ok(report, 'the check ran');
    const claim = report.results.find((r) => r.kind === 'claim');
    assert.ok(claim && !claim.passed, `the claim should fail: ${JSON.stringify(report.results.map((r) => [r.text, r.status, r.note]))}`);
    const diag = await waitFor(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.source === 'mcalc check'), 'a "mcalc check" diagnostic');
    assert.equal(diag.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diag.range.start.line, positionOf(doc, 'check d(loss)/d(w)').line);
    assert.match(diag.message, /^Check failed: .*mcalc's result: -2 \* \(y - a\) \* \(z > 0\) \* xᵀ/);
  });

  test('Train fits the neuron in a worker with the derived gradient', async () => {
    await openInEditor('examples/neuron.mcalc');
    const result = await vscode.commands.executeCommand<TrainResult | undefined>('mcalc.train', {
      loss: 'loss', params: ['w', 'b'], data: { synthetic: 300 }, dims: { n: 3 }, optimizer: 'adam', lr: 0.05, epochs: 60, seed: 1,
    });
    assert.ok(result, 'training ran');
    assert.ok(['completed', 'converged'].includes(result.status), result.status);
    assert.ok(result.loss < result.initialLoss / 2, `loss should fall: ${result.initialLoss} → ${result.loss}`);
    // The per-sample loss was rewritten into batch form: x is now the N×n data matrix.
    assert.match(result.gradients.w, /^-2 \/ N \* xᵀ \* \(\(y - max\(𝟎\[N\], u₁\)\) ⊗ \(u₁ > 𝟎\[N\]\)\)/, `the symbolic gradient is used: ${result.gradients.w}`);
  });
});
