/// <reference types="mocha" />
// Quick fixes offered on diagnostics, and applying one fixes the problem.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { CheckReport } from '../../../src/core/numeric/gradcheck.ts';
import { closeAllEditors, openInEditor, positionOf, rangeOf, waitFor, workspaceFile } from './harness.ts';

async function actionsAt(doc: vscode.TextDocument, range: vscode.Range, kind = vscode.CodeActionKind.QuickFix): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, range, kind.value)) ?? [];
}

async function check(doc: vscode.TextDocument): Promise<CheckReport> {
  const report = await vscode.commands.executeCommand<CheckReport | undefined>('mcalc.check', doc.uri.toString());
  assert.ok(report, 'the check ran');
  return report;
}

const ENGINE_RESULT = '-2 * (y - a) * (z > 0) * xᵀ';

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

  test("a failing claim offers Replace with mcalc's result; the replaced claim passes its check", async () => {
    const doc = await openInEditor('fixtures/pasteback.mcalc');
    const failed = await check(doc);
    assert.ok(failed.results.some((r) => r.kind === 'claim' && !r.passed), 'the hand-derived claim fails');
    const claimLine = positionOf(doc, 'check d(loss)/d(w)').line;
    await waitFor(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.source === 'mcalc check' && d.range.start.line === claimLine), 'the failed check on the claim');
    const actions = await actionsAt(doc, rangeOf(doc, 'check d(loss)/d(w)'));
    const replace = actions.find((a) => a.title === "Replace with mcalc's result");
    assert.ok(replace, `got: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(replace.kind?.value, vscode.CodeActionKind.QuickFix.value);
    assert.ok(await vscode.workspace.applyEdit(replace.edit!));
    assert.equal(doc.lineAt(claimLine).text, `check d(loss)/d(w) = ${ENGINE_RESULT}`);
    const passed = await check(doc);
    assert.ok(passed.passed, JSON.stringify(passed.results.map((r) => [r.text, r.status, r.note])));
  });

  test('a derivative form offers Insert result as a claim; the inserted claim reads back and passes', async () => {
    const doc = await openInEditor('fixtures/pasteback.mcalc');
    const formLine = positionOf(doc, 'g = d(loss)/d(w)').line;
    const actions = await actionsAt(doc, new vscode.Range(positionOf(doc, 'g = d(loss)/d(w)', 'loss'), positionOf(doc, 'g = d(loss)/d(w)', 'loss')), vscode.CodeActionKind.Refactor);
    const insert = actions.find((a) => a.title === 'Insert result as a claim');
    assert.ok(insert, `got: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(insert.edit!));
    assert.equal(doc.lineAt(formLine + 1).text, `  check d(loss)/d(w) = ${ENGINE_RESULT}`);
    await waitFor(() => !vscode.languages.getDiagnostics(doc.uri).some((d) => d.source === 'mcalc' && d.severity === vscode.DiagnosticSeverity.Error) || undefined, 'no analysis errors after the insertion');
    const report = await check(doc);
    const inserted = report.results.find((r) => r.kind === 'claim' && r.line === formLine + 2);
    assert.ok(inserted?.passed, JSON.stringify(report.results.map((r) => [r.line, r.text, r.status, r.note])));
    // On the claim's own line nothing is offered: it is a claim already.
    const onClaim = await actionsAt(doc, rangeOf(doc, 'check d(loss)/d(w)'), vscode.CodeActionKind.Refactor);
    assert.ok(!onClaim.some((a) => a.title === 'Insert result as a claim'));
  });

  test('on a deep nest, Insert result as a claim gets its edit from the derivation worker when resolved', async () => {
    let e = 'x';
    for (let i = 0; i < 150; i++) e = `log(1 + sin(${e} + x^2)^2)`;
    fs.writeFileSync(workspaceFile('fixtures/claim-nest.mcalc'), `x: scalar\ny = ${e}\ng = d(y)/d(x)\n`);
    const doc = await openInEditor('fixtures/claim-nest.mcalc');
    const at = rangeOf(doc, 'd(y)/d(x)');
    const listed = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, at, vscode.CodeActionKind.Refactor.value)) ?? [];
    assert.ok(listed.some((a) => a.title === 'Insert result as a claim'), `got: ${listed.map((a) => a.title).join(' | ')}`);
    const resolved = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, at, vscode.CodeActionKind.Refactor.value, 10)) ?? [];
    const insert = resolved.find((a) => a.title === 'Insert result as a claim');
    assert.ok(insert?.edit, 'the resolved action carries its edit');
    assert.ok(await vscode.workspace.applyEdit(insert.edit));
    assert.match(doc.getText(), /\ncheck d\(y\)\/d\(x\) = .+   where /);
    await waitFor(() => !vscode.languages.getDiagnostics(doc.uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error) || undefined, 'the inserted claim to analyse without errors');
  });
});
