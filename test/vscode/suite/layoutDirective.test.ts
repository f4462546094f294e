/// <reference types="mocha" />
// A document's `layout …` directive wins over `mcalc.layout`: hovers show its layout, and the layout toggle
// leaves the setting alone (it offers to go to the directive instead).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, eventually, hoverText, openInEditor, positionOf, setLayout } from './harness.ts';

const layoutSetting = () => vscode.workspace.getConfiguration('mcalc').get<string>('layout');

suite('Layout directive', () => {
  suiteSetup(() => setLayout('numerator'));
  teardown(closeAllEditors);
  suiteTeardown(() => setLayout(undefined));

  test('a document with `layout denominator` shows denominator shapes in hovers while the setting is numerator', async () => {
    const doc = await openInEditor('fixtures/pinned.mcalc');
    assert.equal(layoutSetting(), 'numerator');
    await eventually(async () => {
      const text = await hoverText(doc.uri, positionOf(doc, 'd(loss)/d(w)', '/'));
      assert.ok(text.includes('`d(loss)/d(w) : n×1`'), `hover should show n×1, got:\n${text || '(no hover)'}`);
      const active = text.split('\n').filter((l) => l.includes('(active)'));
      assert.equal(active.length, 1, text);
      assert.match(active[0], /denominator/, text);
      assert.ok(text.includes('`= 2 * (w · x) * x`'), `the result should be the column 2(w · x)x:\n${text}`);
    }, 5000);
    const g = await hoverText(doc.uri, positionOf(doc, 'g = d(loss)/d(w)', 'g'));
    assert.ok(g.includes('n×1'), `the definition g should be n×1, got:\n${g}`);
    // The claim is written as a column: no diagnostic for it in the pinned layout.
    await eventually(() => assert.deepEqual(vscode.languages.getDiagnostics(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => d.message), []), 5000);
  });

  test('toggling the layout on a pinned document keeps the setting and the document\'s layout', async () => {
    const doc = await openInEditor('fixtures/pinned.mcalc');
    const result = await vscode.commands.executeCommand<string>('mcalc.toggleLayout');
    assert.equal(result, 'denominator', 'the command returns the layout that stays in force');
    assert.equal(layoutSetting(), 'numerator', 'the setting is not changed');
    await eventually(async () => assert.ok((await hoverText(doc.uri, positionOf(doc, 'd(loss)/d(w)', '/'))).includes('`d(loss)/d(w) : n×1`')));
  });
});
