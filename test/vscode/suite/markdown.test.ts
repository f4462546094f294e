/// <reference types="mocha" />
// Hover and diagnostics inside ```mcalc blocks of Markdown: the blocks share names, and ranges land on the
// right lines of the Markdown file.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, eventually, hoverText, openInEditor, positionOf, rangeOf, showRange, waitFor } from './harness.ts';

suite('Markdown ```mcalc blocks', () => {
  teardown(closeAllEditors);

  test('hover in the second block knows the names declared in the first', async () => {
    const doc = await openInEditor('fixtures/blocks.md');
    await eventually(async () => {
      const text = await hoverText(doc.uri, positionOf(doc, 'z = w · x', '·'));
      assert.ok(text.includes('`w · x : scalar`'), `hover should contain \`w · x : scalar\`, got:\n${text || '(no hover)'}`);
      const w = await hoverText(doc.uri, positionOf(doc, 'z = w · x', 'w'));
      assert.ok(w.includes('`w : vector[n]`'), `hover should contain \`w : vector[n]\`, got:\n${w || '(no hover)'}`);
    }, 5000);
  });

  test('prose outside the blocks gets no mcalc hover', async () => {
    const doc = await openInEditor('fixtures/blocks.md');
    const text = await hoverText(doc.uri, positionOf(doc, 'with `w * x`', '*'));
    assert.ok(!text.includes(' : '), `prose should get no shape hover, got:\n${text}`);
  });

  test('a diagnostic in a block has the range of the Markdown line it is on', async () => {
    const doc = await openInEditor('fixtures/blocks.md');
    const diags = await waitFor(() => {
      const ds = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'mcalc');
      return ds.length ? ds : undefined;
    }, 'an mcalc diagnostic on fixtures/blocks.md');
    assert.equal(diags.length, 1, diags.map((d) => d.message).join('\n'));
    assert.ok(diags[0].message.startsWith('Cannot multiply vector[n] by vector[n]'), diags[0].message);
    assert.equal(showRange(diags[0].range), showRange(rangeOf(doc, 'w * x', 'bad = ')));
  });
});
