/// <reference types="mocha" />
// Quick fixes offered on diagnostics, and applying one fixes the problem.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, openInEditor, rangeOf, waitFor } from './harness.ts';

async function actionsAt(doc: vscode.TextDocument, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, range, vscode.CodeActionKind.QuickFix.value)) ?? [];
}

suite('Quick fixes', () => {
  teardown(closeAllEditors);

  test('vector * vector offers ⊗, · and xᵀ * y; applying ⊗ clears the error', async () => {
    const doc = await openInEditor('fixtures/quickfix.mcalc');
    await waitFor(() => vscode.languages.getDiagnostics(doc.uri).length >= 2 || undefined, 'diagnostics on fixtures/quickfix.mcalc');
    const range = rangeOf(doc, 'w * x');
    const actions = await actionsAt(doc, range);
    const titles = actions.map((a) => a.title);
    assert.deepEqual(
      titles.filter((t) => /product|Transpose/.test(t)),
      ['Use the element-wise product ⊗', 'Use the dot product ·', 'Transpose the left side (xᵀ * y)'],
      `got: ${titles.join(' | ')}`,
    );
    const hadamard = actions.find((a) => a.title.includes('⊗'))!;
    assert.equal(hadamard.kind?.value, vscode.CodeActionKind.QuickFix.value);
    // (vscode.executeCodeActionProvider does not return the attached diagnostics, so only the edit is checked.)
    assert.ok(await vscode.workspace.applyEdit(hadamard.edit!));
    assert.match(doc.getText(), /^q = w ⊗ x$/m);
    await waitFor(
      () => !vscode.languages.getDiagnostics(doc.uri).some((d) => d.message.startsWith('Cannot multiply')) || undefined,
      'the multiplication error to clear',
    );
  });

  test("a misspelt function offers the closest built-in ('sinn' → 'sin')", async () => {
    const doc = await openInEditor('fixtures/quickfix.mcalc');
    await waitFor(() => vscode.languages.getDiagnostics(doc.uri).some((d) => d.message.includes('sinn')) || undefined, "the 'sinn' diagnostic");
    const actions = await actionsAt(doc, rangeOf(doc, 'sinn'));
    const change = actions.find((a) => a.title === "Change to 'sin'");
    assert.ok(change, `got: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(change.edit!));
    assert.match(doc.getText(), /^r = sin\(w\)$/m);
  });
});
