/// <reference types="mocha" />
// Edit to diagnostics in a 5,000-line document: the analysis cache re-analyses incrementally, so the diagnostics
// of an edit arrive in milliseconds. Measured against a same-run baseline, the same edit of the same text as
// plain text (the editor's own round trip, with no analysis), so a loaded machine slows both alike.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { generatedDocument } from '../../../bench/sections/language.ts';
import { closeAllEditors, openInEditor, sleep, waitFor, workspaceFile } from './harness.ts';

const EDITS = 9;
const BAD_LINE = 'bad = w * x\n';

function mcalcDiagnostics(uri: vscode.Uri): number {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'mcalc').length;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[xs.length >> 1];
}

/** Milliseconds from applying an edit (a line inserted at `line`, or removed again) until `settled` resolves. */
async function timedEdits(doc: vscode.TextDocument, line: number, settled: (inserted: boolean) => Promise<void>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const inserted = i % 2 === 0;
    const edit = new vscode.WorkspaceEdit();
    if (inserted) edit.insert(doc.uri, new vscode.Position(line, 0), BAD_LINE);
    else edit.delete(doc.uri, new vscode.Range(line, 0, line + 1, 0));
    // Let the previous edit's other work (lenses, semantic tokens, outline) finish: this measures one edit.
    await sleep(1000);
    const started = performance.now();
    const done = settled(inserted);
    assert.ok(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
    await done;
    ms.push(performance.now() - started);
  }
  return ms;
}

suite('Incremental analysis', () => {
  suiteSetup(async () => {
    await vscode.workspace.getConfiguration('mcalc').update('checkClaimsAsYouType', false, vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('mcalc').update('checkClaimsAsYouType', undefined, vscode.ConfigurationTarget.Global);
    await closeAllEditors();
  });

  test('an edit of a 5,000-line document updates its diagnostics within 10× the editor round trip of the same edit as plain text', async function () {
    this.timeout(120_000);
    const text = generatedDocument(5000);
    fs.writeFileSync(workspaceFile('fixtures/large.txt'), text);
    fs.writeFileSync(workspaceFile('fixtures/large.mcalc'), text);
    const line = 2500;

    const plain = await openInEditor('fixtures/large.txt');
    const baseline = await timedEdits(plain, line, () => new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === plain.uri.toString()) {
          sub.dispose();
          resolve();
        }
      });
    }));

    const doc = await openInEditor('fixtures/large.mcalc');
    const before = await waitFor(() => mcalcDiagnostics(doc.uri), 'the diagnostics of the 5,000-line document', 60_000);
    // The diagnostics as extensions read them (getDiagnostics), checked in a change listener registered after
    // the extension's (listeners run in order, so it sees the extension's refresh), else polled: waiting for
    // onDidChangeDiagnostics would add its 50 ms debounce, and a poll waits behind the other providers' work.
    const measured = await timedEdits(doc, line, (inserted) => new Promise<void>((resolve) => {
      const expected = before + (inserted ? 1 : 0);
      let done = false;
      const finish = () => {
        done = true;
        sub.dispose();
        resolve();
      };
      const sub = vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === doc.uri.toString() && mcalcDiagnostics(doc.uri) === expected) finish();
      });
      const poll = () => (done ? undefined : mcalcDiagnostics(doc.uri) === expected ? finish() : setTimeout(poll, 1));
      poll();
    }));

    const editMs = median(measured);
    const baselineMs = median(baseline);
    console.log(`edit → diagnostics, 5,000 lines: median ${editMs.toFixed(1)} ms (all: ${measured.map((m) => m.toFixed(1)).join(', ')}); same edit as plain text: median ${baselineMs.toFixed(1)} ms`);
    assert.ok(editMs <= 10 * Math.max(baselineMs, 1), `edit → diagnostics took ${editMs.toFixed(1)} ms, more than 10× the plain-text round trip (${baselineMs.toFixed(1)} ms)`);
  });
});
