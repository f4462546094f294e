/// <reference types="mocha" />
// Claims are checked as you type: a right claim's code lens shows ✓; editing it into a wrong one shows ✗ and an
// error diagnostic (source 'mcalc claims'); fixing it clears the diagnostic.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, eventually, openForEditing, rangeOf } from './harness.ts';
import type { CheckReport } from '../../../src/core/numeric/gradcheck.ts';

async function claimLensTitle(doc: vscode.TextDocument): Promise<string | undefined> {
  const line = rangeOf(doc, 'check d(f)/d(w)').start.line;
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
  return lenses.find((l) => l.range.start.line === line && l.command?.command === 'mcalc.check')?.command?.title;
}

const claimDiagnostics = (doc: vscode.TextDocument) => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'mcalc claims');

async function replace(doc: vscode.TextDocument, from: string, to: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, rangeOf(doc, from), to);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
}

suite('Claims checked as you type', () => {
  teardown(closeAllEditors);

  test('a right claim gets ✓, a wrong one ✗ and a diagnostic, and the fix clears it', async () => {
    const doc = await openForEditing('fixtures/editor-claims.mcalc');
    await eventually(async () => assert.equal(await claimLensTitle(doc), '✓ Check claim'), 20_000);
    assert.deepEqual(claimDiagnostics(doc), []);

    await replace(doc, '2*(w · x)*xᵀ', '2*(w · x)*wᵀ');
    await eventually(async () => assert.equal(await claimLensTitle(doc), '✗ Check claim'), 20_000);
    const [d] = claimDiagnostics(doc);
    assert.ok(d, 'a failing claim should be a diagnostic');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.range.start.line, rangeOf(doc, 'check d(f)/d(w)').start.line);
    assert.match(d.message, /Claim does not hold: d\(f\)\/d\(w\) = 2\*\(w · x\)\*wᵀ/);
    assert.match(d.message, /seed 0, n=3/);
    assert.ok(vscode.languages.getDiagnostics(doc.uri).every((x) => x.source !== 'mcalc' || x.severity !== vscode.DiagnosticSeverity.Error), 'the analysis itself has no complaint');

    await replace(doc, '2*(w · x)*wᵀ', '2*(w · x)*xᵀ');
    await eventually(async () => {
      assert.equal(await claimLensTitle(doc), '✓ Check claim');
      assert.deepEqual(claimDiagnostics(doc), []);
    }, 20_000);
  });

  test('with mcalc.checkClaimsAsYouType off, no verdicts and no claim diagnostics', async () => {
    await vscode.workspace.getConfiguration('mcalc').update('checkClaimsAsYouType', false, vscode.ConfigurationTarget.Global);
    try {
      const doc = await openForEditing('fixtures/editor-claims.mcalc');
      await replace(doc, '2*(w · x)*xᵀ', '2*xᵀ');
      await new Promise((r) => setTimeout(r, 1500)); // longer than the debounce and a check
      assert.equal(await claimLensTitle(doc), 'Check claim');
      assert.deepEqual(claimDiagnostics(doc), []);
    } finally {
      await vscode.workspace.getConfiguration('mcalc').update('checkClaimsAsYouType', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('the gradientCheck settings are read live by the as-you-type checks and by Check', async () => {
    const config = () => vscode.workspace.getConfiguration('mcalc.gradientCheck');
    const doc = await openForEditing('fixtures/editor-claims.mcalc');
    await replace(doc, '2*(w · x)*xᵀ', '2*(w · x)*wᵀ');
    await eventually(async () => assert.equal(await claimLensTitle(doc), '✗ Check claim'), 20_000);
    try {
      // A tolerance wide enough to accept anything turns the wrong claim's verdict into ✓ without an edit.
      await config().update('atol', 1e30, vscode.ConfigurationTarget.Global);
      await eventually(async () => {
        assert.equal(await claimLensTitle(doc), '✓ Check claim');
        assert.deepEqual(claimDiagnostics(doc), []);
      }, 20_000);
      await config().update('seed', 4242, vscode.ConfigurationTarget.Global);
      const report = await vscode.commands.executeCommand<CheckReport | undefined>('mcalc.check', doc.uri.toString());
      assert.ok(report, 'Check returned no report');
      assert.equal(report.seed, 4242);
      assert.ok(report.results.length > 0 && report.results.every((r) => r.seed === 4242 && r.tolerance.atol === 1e30), JSON.stringify(report.results.map((r) => [r.seed, r.tolerance])));
    } finally {
      await config().update('atol', undefined, vscode.ConfigurationTarget.Global);
      await config().update('seed', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('mcalc.codeLens.enabled false removes the lenses, live', async () => {
    const doc = await openForEditing('fixtures/editor-claims.mcalc');
    await eventually(async () => assert.ok(await claimLensTitle(doc)));
    await vscode.workspace.getConfiguration('mcalc').update('codeLens.enabled', false, vscode.ConfigurationTarget.Global);
    try {
      await eventually(async () => {
        // (Resolved, as the editor resolves those it shows: a lens gets its command then.)
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100);
        assert.deepEqual(lenses.filter((l) => l.command?.command.startsWith('mcalc.')), []);
      });
    } finally {
      await vscode.workspace.getConfiguration('mcalc').update('codeLens.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
    await eventually(async () => assert.ok(await claimLensTitle(doc), 'the lenses come back'));
  });
});
