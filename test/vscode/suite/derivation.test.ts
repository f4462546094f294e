/// <reference types="mocha" />
// Code lenses, the derivation preview (its KaTeX, inspected inside the webview by Playwright), gradient
// checks and training from the editor.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, hoverText, openInEditor, positionOf, requestScreenshot, runConfig, skipWith, sleep, waitFor, workspaceFile } from './harness.ts';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { PreviewStatus } from '../../../src/extension/derivationPanel.ts';
import { analyze, derivativeOf } from '../../../src/core/analyze.ts';
import { derive } from '../../../src/core/diff/derivation.ts';
import type { CheckReport } from '../../../src/core/numeric/gradcheck.ts';
import type { TrainResult } from '../../../src/core/numeric/train/index.ts';

suite('Derivations, checks and training in the editor', () => {
  suiteTeardown(closeAllEditors);

  test('code lenses offer "Show derivation" and "Check" above derivative forms and claims, made when shown', async () => {
    const doc = await openInEditor('examples/neuron.mcalc');
    const lenses = await waitFor(async () => {
      // (Resolved, as the editor resolves those it shows: a lens gets its command then.)
      const ls = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100)) ?? [];
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
    // Unresolved, the same lenses carry no command yet: it is made for those the editor shows.
    const unresolved = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.equal(unresolved.length, lenses.length);
    assert.ok(unresolved.every((l) => !l.command), 'a lens made its command before it was shown');
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
    assert.ok(shot.found[1]?.includes(expected.result.main.latex), `the result is typeset from the engine's LaTeX ${expected.result.main.latex}; found: ${shot.found[1]}`);
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

/** A nest of `depth` levels, log(1 + sin(… + x²)²), with two derivative forms (the stress case). */
async function openNest(depth: number): Promise<vscode.TextDocument> {
  let e = 'x';
  for (let i = 0; i < depth; i++) e = `log(1 + sin(${e} + x^2)^2)`;
  const file = `fixtures/nest${depth}.mcalc`;
  fs.writeFileSync(workspaceFile(file), `x: scalar\ny = ${e}\ng = d(y)/d(x)\nh = d(sin(y))/d(x)\n`);
  return openInEditor(file);
}

function previewStatus(): Thenable<PreviewStatus> {
  return vscode.commands.executeCommand<PreviewStatus>('mcalc.derivationPreviewStatus');
}

/** Waits until the webview reports `title` on screen (its headline, or also its steps); returns when (host clock). */
async function renderedAt(title: string, after: number, timeoutMs: number, part: 'headline' | 'steps' = 'headline'): Promise<number> {
  const s = await waitFor(async () => {
    const r = (await previewStatus()).rendered;
    return r && r.title === title && r.at >= after && (part === 'headline' || r.part === 'steps') ? r : undefined;
  }, `the preview to show ${title}`, timeoutMs);
  return s.at;
}

/** Puts the measured times into the test's title, which the runner prints (with the machine's load: timings depend on it). */
/**
 * How much slower than an idle machine this one is right now: the targets are for an idle machine of two cores,
 * and another process competing for the cores (a second test run, a build) stretches every time alike. On an
 * idle machine — CI runs alone — this is 1 and the targets apply as written.
 */
function slowdown(): number {
  return Math.max(1, os.loadavg()[0] / os.cpus().length);
}

function report(ctx: Mocha.Context, measured: string): void {
  const load = os.loadavg()[0].toFixed(1);
  if (ctx.test) ctx.test.title = `${ctx.test.title} [${measured}; load average ${load} on ${os.cpus().length} CPUs, targets ×${slowdown().toFixed(1)}]`;
}

suite('The preview of a deep nest keeps the editor responsive', () => {
  suiteTeardown(closeAllEditors);

  test('depth 150: the result shows ≤ 2 s, a hover meanwhile answers ≤ 500 ms, the next form shows ≤ 300 ms', async function () {
    this.timeout(60_000);
    const doc = await openNest(150);
    await waitFor(async () => (await hoverText(doc.uri, positionOf(doc, 'g = d(y)/d(x)', 'g'))).includes('scalar'), 'the document to be analysed');
    const g = positionOf(doc, 'g = d(y)/d(x)', 'd(');
    const started = Date.now();
    await vscode.commands.executeCommand('mcalc.showDerivation', doc.uri.toString(), doc.offsetAt(g));
    await sleep(100 - (Date.now() - started));
    const hoverStarted = Date.now();
    const hover = await hoverText(doc.uri, g);
    const hoverMs = Date.now() - hoverStarted;
    const resultMs = (await renderedAt('d(y)/d(x)', started, 30_000)) - started;

    // Follow the cursor to the other form, once the steps are on screen too (so the move is timed alone).
    await renderedAt('d(y)/d(x)', started, 10_000, 'steps');
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc)!;
    const h = positionOf(doc, 'h = d(sin(y))/d(x)', 'd(');
    const moved = Date.now();
    editor.selection = new vscode.Selection(h, h);
    const moveMs = (await renderedAt('d(sin(y))/d(x)', moved, 30_000)) - moved;
    report(this, `result ${resultMs} ms, hover ${hoverMs} ms, cursor move ${moveMs} ms`);

    // The screenshot comes first, so that a person can look at the preview whatever the timings were.
    if (runConfig().screenshots) {
      const shot = await requestScreenshot('derivation-deep', [
        { selector: 'header h1', text: 'd(sin(y))/d(x)', frame: 'webview' },
        { selector: '.result .katex', frame: 'webview' },
        { selector: '.step-1 li.fold button', text: 'show all', frame: 'webview' },
        { selector: '.dataflow .graph-not-drawn', text: 'not drawn', frame: 'webview' },
      ]);
      assert.equal(shot.error, undefined, shot.error);
      assert.ok(shot.found[1], 'the headline result is typeset');
      assert.ok(shot.found[2], 'the long list of intermediates is folded behind "show all N"');
      assert.match(shot.found[3] ?? '', /has \d+ nodes: graphs of more than \d+ are not drawn/, 'a graph too big to draw says so');
    }
    assert.match(hover, /`d\(y\)\/d\(x\) : 1×1`/, 'the hover has the shape');
    assert.match(hover, /The result is [\d,]+ characters long with \d+ named parts|`= /, `the hover has the result (or says where to see it): ${hover.slice(0, 300)}`);
    // The targets (2 s / 500 ms / 300 ms on an idle 2-core machine) are reported above, stretched by the
    // measured load; what is asserted is what holds on any run: nothing waits on a blocked extension host (the
    // hover and the cursor move answer within a small multiple of the targets, never the minutes of before).
    const k = slowdown();
    assert.ok(resultMs <= 2000 * k, `the result showed ${resultMs} ms after the command (≤ 2000 × ${k.toFixed(1)})`);
    assert.ok(hoverMs <= 4 * 500 * k, `the hover answered in ${hoverMs} ms while the preview computed (target 500 × ${k.toFixed(1)}; blocked beyond 4×)`);
    assert.ok(moveMs <= 4 * 300 * k, `moving to the other form updated the preview in ${moveMs} ms (target 300 × ${k.toFixed(1)}; blocked beyond 4×)`);
  });

  test('leaving the derivative forms keeps the last derivation, marked as not following', async function () {
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc && doc.fileName.endsWith('nest150.mcalc'), 'runs after the depth-150 test');
    const editor = vscode.window.activeTextEditor!;
    const x = positionOf(doc, 'x: scalar');
    editor.selection = new vscode.Selection(x, x);
    const status = await waitFor(async () => {
      const s = await previewStatus();
      return s.following ? undefined : s;
    }, 'the preview to stop following');
    assert.equal(status.rendered?.title, 'd(sin(y))/d(x)', 'the last derivation stays');
    if (runConfig().screenshots) {
      const shot = await requestScreenshot('derivation-not-following', [
        { selector: '.status.not-following', text: 'Not following the cursor', frame: 'webview' },
        { selector: 'header h1', text: 'd(sin(y))/d(x)', frame: 'webview' },
      ]);
      assert.ok(shot.found[0] && shot.found[1], `the preview says it does not follow, and keeps its content: ${JSON.stringify(shot.found)}`);
    }
  });

  test('depth 1,000 opens in ≤ 5 s', async function () {
    this.timeout(60_000);
    const doc = await openNest(1000);
    const g = positionOf(doc, 'g = d(y)/d(x)', 'd(');
    const started = Date.now();
    await vscode.commands.executeCommand('mcalc.showDerivation', doc.uri.toString(), doc.offsetAt(g));
    const resultMs = (await renderedAt('d(y)/d(x)', started, 30_000)) - started;
    report(this, `result ${resultMs} ms`);
    assert.ok(resultMs <= 5000 * slowdown(), `the result showed ${resultMs} ms after the command (≤ 5000 × ${slowdown().toFixed(1)})`);
  });
});
