/// <reference types="mocha" />
// The derivation preview's copy buttons (LaTeX, Markdown, mcalc): Playwright clicks them inside the webview, the
// extension copies through the palette's mcalc.copyDerivation.<format>, and the clipboard holds the derivation.
// The header names the layout and that the document sets it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, eventually, previewForm, requestScreenshot, runConfig, skipWith } from './harness.ts';
import { derive } from '../../../src/core/diff/derivation.ts';
import { COPY_FORMATS, formatDerivation } from '../../../src/core/diff/copy.ts';

suite('Derivation preview copy buttons', () => {
  suiteTeardown(closeAllEditors);

  test('each button puts the shown derivation on the clipboard in its format', async function () {
    if (!runConfig().screenshots) skipWith(this, 'clicking inside the webview needs Playwright, which only the offline route has');
    const { analysis: a, info } = await previewForm('examples/neuron.mcalc', 'g = d(loss)/d(w)', 'loss', 'w');
    const d = derive(a, info, a.layout);
    for (const format of COPY_FORMATS) {
      await vscode.env.clipboard.writeText('');
      const shot = await requestScreenshot(`copy-${format}`, [
        { selector: 'header h1', text: 'd(loss)/d(w)', frame: 'webview' },
        { selector: `.copy button.copy-${format}`, frame: 'webview', click: true },
        { selector: 'header .where', frame: 'webview' },
      ]);
      assert.equal(shot.error, undefined, shot.error);
      assert.ok(shot.found[1], `the ${format} button is visible under the result`);
      // The example says `layout numerator`: the header says the document sets the layout.
      assert.match(shot.found[2] ?? '', /numerator layout \(set by the document\)/);
      const want = formatDerivation(d, info.text, format);
      await eventually(async () => assert.equal(await vscode.env.clipboard.readText(), want, `the ${format} derivation on the clipboard`), 5000);
    }
    assert.match(formatDerivation(d, info.text, 'mcalc'), /^check d\(loss\)\/d\(w\) = -2 \* \(y - a\) \* \(z > 0\) \* xᵀ/);
  });
});
