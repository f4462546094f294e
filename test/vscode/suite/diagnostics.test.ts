/// <reference types="mocha" />
// A broken document gets the expected diagnostics (message and range); fixing the text clears them; an edit
// that leaves them as they were sends nothing, and one that moves them sends them moved.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { closeAllEditors, eventually, openInEditor, rangeOf, showRange, sleep, waitFor, workspaceFile } from './harness.ts';

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

  test('learners\' mistakes get hints in the editor: a Python power, a vector beside a matrix, a gradient claimed as a row', async () => {
    fs.writeFileSync(
      workspaceFile('fixtures/hints.mcalc'),
      'dim n, m\nx: vector[n]\nW: matrix[m, n]\np = x ** 2\nr = cos(W * x) ⊗ W\nloss = sum(W * x)\ncheck grad(loss, x) = 𝟏[m]ᵀ * W\n',
    );
    const doc = await openInEditor('fixtures/hints.mcalc');
    const diags = await waitFor(() => {
      const ds = vscode.languages.getDiagnostics(doc.uri);
      return ds.length >= 3 ? ds : undefined;
    }, 'three diagnostics on fixtures/hints.mcalc');
    const on = (text: string) => diags.find((d) => d.range.start.line === rangeOf(doc, text).start.line)?.message ?? `(none on ${text})`;
    assert.equal(on('p = x ** 2'), "Expected an expression but found '*'.\nPowers are written x^2 (and x .^ y element by element).");
    assert.match(on('r = cos'), /\nTo scale each row of the matrix by an element of the vector, write diag\(v\) \* M\.$/);
    // A gradient's shape is the same in both layouts: the message names no layout.
    assert.match(on('check grad'), /^The claim is row vector\[n\] \(1×n\) but grad\(loss, x\) is vector\[n\]\.\n/);
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

  test('an edit that leaves the diagnostics as they were sends nothing; a line inserted above sends them moved', async () => {
    fs.writeFileSync(workspaceFile('fixtures/steady.mcalc'), 'dim n\nw, x: vector[n]\nc = 1\nq = w * x\n');
    const doc = await openInEditor('fixtures/steady.mcalc');
    const [before] = await waitFor(() => {
      const ds = vscode.languages.getDiagnostics(doc.uri);
      return ds.length ? ds : undefined;
    }, 'the diagnostic of q = w * x');
    const uri = doc.uri.toString();
    let sent = 0;
    const sub = vscode.languages.onDidChangeDiagnostics((e) => (sent += e.uris.filter((u) => u.toString() === uri).length));
    try {
      const digit = new vscode.WorkspaceEdit();
      digit.replace(doc.uri, rangeOf(doc, '1'), '2');
      assert.ok(await vscode.workspace.applyEdit(digit), 'the edit was not applied');
      // (Long enough for the claims checked as you type, 600 ms after the edit, to have had their turn.)
      await sleep(1000);
      assert.equal(sent, 0, 'a digit typed in another definition sent the diagnostics again');
      assert.equal(showRange(vscode.languages.getDiagnostics(doc.uri)[0].range), showRange(before.range));

      const enter = new vscode.WorkspaceEdit();
      enter.insert(doc.uri, new vscode.Position(0, 0), '\n');
      assert.ok(await vscode.workspace.applyEdit(enter), 'the edit was not applied');
      await eventually(() => {
        const [moved] = vscode.languages.getDiagnostics(doc.uri);
        assert.equal(moved?.range.start.line, before.range.start.line + 1, 'the diagnostic should move down a line');
        assert.equal(moved.message, before.message);
      });
      // (The event comes after VS Code's debounce of about 50 ms.)
      await eventually(() => assert.ok(sent > 0, 'the moved diagnostic was not sent'));
    } finally {
      sub.dispose();
    }
  });
});
