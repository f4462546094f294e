/// <reference types="mocha" />
// Gradients you can take away: Export Gradient as Code writes a module beside the document (never over an existing
// file) and opens it; the Copy Derivation commands put LaTeX, Markdown or a claim on the clipboard.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import { closeAllEditors, openInEditor, positionOf, workspaceFile } from './harness.ts';

suite('Export and copy', () => {
  teardown(closeAllEditors);

  test('Export Gradient as Code writes a NumPy module beside the document, opens it, and never replaces a file', async () => {
    const doc = await openInEditor('examples/neuron.mcalc');
    const preset = { uri: doc.uri.toString(), of: 'loss', wrt: ['w', 'b'], backend: 'numpy' };
    const first = await vscode.commands.executeCommand<vscode.Uri>('mcalc.exportGradient', preset);
    assert.ok(first, 'the command returns the written file');
    assert.match(first.path, /\/examples\/neuron_loss_grad\.py$/);
    const code = new TextDecoder().decode(await vscode.workspace.fs.readFile(first));
    assert.match(code, /^def value_and_grad\(\*, b, y, w, x\):/m);
    assert.match(code, /grad\(loss, w\) = -2 \* \(y - a\) \* \(z > 0\) \* x/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), first.toString(), 'the module is opened');
    const second = await vscode.commands.executeCommand<vscode.Uri>('mcalc.exportGradient', preset);
    assert.match(second.path, /neuron_loss_grad_2\.py$/, 'a second export goes to a new file');
    const python = spawnSync('python3', [first.fsPath], { encoding: 'utf8' });
    if (python.status !== null && !/No module named 'numpy'/.test(python.stderr)) {
      assert.equal(python.status, 0, python.stdout + python.stderr);
      assert.match(python.stdout, /self-check \(NumPy\): \d+ gradient elements/);
    }
  });

  test('Copy Derivation puts LaTeX, Markdown or the result as a claim on the clipboard', async () => {
    const doc = await openInEditor('examples/neuron.mcalc');
    const offset = doc.offsetAt(positionOf(doc, 'd(loss)/d(w)'));
    const claim = await vscode.commands.executeCommand<string>('mcalc.copyDerivation.mcalc', doc.uri.toString(), offset);
    assert.equal(claim, 'check d(loss)/d(w) = -2 * (y - a) * (z > 0) * xᵀ\n');
    assert.equal(await vscode.env.clipboard.readText(), claim);
    const latex = await vscode.commands.executeCommand<string>('mcalc.copyDerivation.latex', doc.uri.toString(), offset);
    assert.match(latex, /\\begin\{aligned\}/);
    assert.match(latex, /% 2\. Partial derivatives of each intermediate/);
    const markdown = await vscode.commands.executeCommand<string>('mcalc.copyDerivation.markdown', doc.uri.toString(), offset);
    assert.match(markdown, /^\*\*d\(loss\)\/d\(w\)\*\* \(numerator layout, 1×n\)/);
    assert.match(markdown, /\$\$-2 /);
  });

  test('Copy Derivation of a deep nest is derived in the worker, with every name of the result defined', async () => {
    let e = 'x';
    for (let i = 0; i < 150; i++) e = `log(1 + sin(${e} + x^2)^2)`;
    fs.writeFileSync(workspaceFile('fixtures/copy-nest.mcalc'), `x: scalar\ny = ${e}\ng = d(y)/d(x)\n`);
    const doc = await openInEditor('fixtures/copy-nest.mcalc');
    const offset = doc.offsetAt(positionOf(doc, 'd(y)/d(x)'));
    const claim = await vscode.commands.executeCommand<string>('mcalc.copyDerivation.mcalc', doc.uri.toString(), offset);
    assert.match(claim, /^check d\(y\)\/d\(x\) = .+   where /);
    const defined = new Set([...claim.matchAll(/(?:where |; )([uv][₀-₉]+) = /g)].map((m) => m[1]));
    for (const name of claim.match(/[uv][₀-₉]+/g) ?? []) assert.ok(defined.has(name), `${name} is used but not defined`);
  });
});
