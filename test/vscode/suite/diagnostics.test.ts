/// <reference types="mocha" />
// A broken document gets the expected diagnostics (message and range); fixing the text clears them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, eventually, openInEditor, rangeOf, showRange, waitFor } from './harness.ts';

function describe(ds: readonly vscode.Diagnostic[]): string {
  return ds.map((d) => `  ${showRange(d.range)} [${d.source}] ${d.message}`).join('\n') || '  (none)';
}

async function brokenDocument(): Promise<{ doc: vscode.TextDocument; diags: vscode.Diagnostic[] }> {
  const doc = await openInEditor('fixtures/broken.mcalc');
  const diags = await waitFor(() => {
    const ds = vscode.languages.getDiagnostics(doc.uri);
    return ds.length >= 2 ? ds : undefined;
  }, 'two diagnostics on fixtures/broken.mcalc');
  return { doc, diags };
}

suite('Diagnostics', () => {
  teardown(closeAllEditors);

  test("a shape error and an unknown name are reported with message, range and source 'mcalc'", async () => {
    const { doc, diags } = await brokenDocument();
    const all = describe(diags);

    const mult = diags.find((d) => d.message.startsWith('Cannot multiply vector[n] by vector[n]'));
    assert.ok(mult, `expected "Cannot multiply vector[n] by vector[n]…", got:\n${all}`);
    assert.equal(mult.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(mult.source, 'mcalc');
    assert.equal(showRange(mult.range), showRange(rangeOf(doc, 'w * x')), 'the range should cover `w * x`');

    const unknown = diags.find((d) => d.message.startsWith("Unknown name 'foo'"));
    assert.ok(unknown, `expected "Unknown name 'foo'", got:\n${all}`);
    assert.equal(unknown.source, 'mcalc');
    assert.equal(showRange(unknown.range), showRange(rangeOf(doc, 'foo')), 'the range should cover `foo`');

    const q = rangeOf(doc, 'q = w * x').start.line;
    const r = rangeOf(doc, 'r = foo + 1').start.line;
    const elsewhere = diags.filter((d) => d.range.start.line !== q && d.range.start.line !== r);
    assert.deepEqual(elsewhere, [], `the correct lines should have no diagnostics, got:\n${describe(elsewhere)}`);
  });

  test('fixing the text clears the diagnostics', async () => {
    const { doc } = await brokenDocument();
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, rangeOf(doc, 'w * x'), 'w · x');
    edit.replace(doc.uri, rangeOf(doc, 'foo'), 'q');
    assert.ok(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
    assert.match(doc.getText(), /^q = w · x$/m);
    await eventually(() => {
      const left = vscode.languages.getDiagnostics(doc.uri);
      assert.equal(left.length, 0, `diagnostics should clear after the fix, still:\n${describe(left)}`);
    });
  });
});
