/// <reference types="mocha" />
// Edit to diagnostics in a 5,000-line document: the analysis cache re-analyses incrementally, so the diagnostics
// of an edit arrive in milliseconds. Measured against a same-run baseline, the same edit of the same text as
// plain text (the editor's own round trip, with no analysis), so a loaded machine slows both alike.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { generatedDocument } from '../../../bench/sections/language.ts';
import { analyze } from '../../../src/core/analyze.ts';
import type { ExtensionApi } from '../../../src/extension/extension.ts';
import { closeAllEditors, extension, openInEditor, sleep, waitFor, watchHost, workspaceFile } from './harness.ts';

const EDITS = 9;
const BAD_LINE = 'bad = w * x\n';
/** A line that reads a definition further down (the dependency order is computed again), with an error. */
const LATER_LINE = 'early = z4000 + [1, 2] + w\n';

function mcalcDiagnostics(uri: vscode.Uri): number {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'mcalc').length;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[xs.length >> 1];
}

/** A line inserted at `line` (even edits), removed again (odd ones). */
function lineEdit(doc: vscode.TextDocument, line: number, i: number, text = BAD_LINE): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  if (i % 2 === 0) edit.insert(doc.uri, new vscode.Position(line, 0), text);
  else edit.delete(doc.uri, new vscode.Range(line, 0, line + 1, 0));
  return edit;
}

/** Typing over one character of a line: `·` becomes `*` (even edits: `w * x` is an error) and back (odd ones). */
function typedEdit(doc: vscode.TextDocument, at: vscode.Position, i: number): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(at, at.translate(0, 1)), i % 2 === 0 ? '*' : '·');
  return edit;
}

/** A bracket typed at the end of a definition (even edits: it no longer parses) and deleted again (odd ones). */
function brokenEdit(doc: vscode.TextDocument, at: vscode.Position, i: number): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  if (i % 2 === 0) edit.insert(doc.uri, at, '(');
  else edit.delete(doc.uri, new vscode.Range(at, at.translate(0, 1)));
  return edit;
}

/** A variable taken out of a declaration (even edits: `b, y, s: scalar` → `b, y: scalar`) and put back (odd ones). */
function declarationEdit(doc: vscode.TextDocument, at: vscode.Position, i: number): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  if (i % 2 === 0) edit.delete(doc.uri, new vscode.Range(at, at.translate(0, ', s'.length)));
  else edit.insert(doc.uri, at, ', s');
  return edit;
}

/** Milliseconds from applying each edit (`edit(i)`, i = 0…EDITS−1) until `settled(i)` resolves. */
async function timedEdits(edit: (i: number) => vscode.WorkspaceEdit, settled: (i: number) => Promise<void>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    // Let the previous edit's other work (lenses, semantic tokens, outline) finish: this measures one edit.
    await sleep(1000);
    const started = performance.now();
    const done = settled(i);
    assert.ok(await vscode.workspace.applyEdit(edit(i)), 'the edit was not applied');
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
    this.timeout(180_000);
    const text = generatedDocument(5000);
    fs.writeFileSync(workspaceFile('fixtures/large.txt'), text);
    fs.writeFileSync(workspaceFile('fixtures/large.mcalc'), text);
    const line = 2500;

    // How long opening each file holds the extension host, until its diagnostics are out and a second more
    // (semantic tokens, code lenses, the outline): the plain text is the editor's own share.
    let host = watchHost();
    const plain = await openInEditor('fixtures/large.txt');
    await sleep(1000);
    const plainOpenHeld = host.longest();
    host.stop();
    const baseline = await timedEdits((i) => lineEdit(plain, line, i), () => new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === plain.uri.toString()) {
          sub.dispose();
          resolve();
        }
      });
    }));

    host = watchHost();
    const doc = await openInEditor('fixtures/large.mcalc');
    const before = await waitFor(() => mcalcDiagnostics(doc.uri), 'the diagnostics of the 5,000-line document', 60_000);
    await sleep(1000);
    const openHeld = host.longest();
    host.stop();
    host = watchHost();
    // The diagnostics as extensions read them (getDiagnostics), checked in a change listener registered after
    // the extension's (listeners run in order, so it sees the extension's refresh), else polled: waiting for
    // onDidChangeDiagnostics would add its 50 ms debounce, and a poll waits behind the other providers' work.
    const settledWhen = (done: () => boolean) => new Promise<void>((resolve) => {
      let finished = false;
      const finish = () => {
        finished = true;
        sub.dispose();
        resolve();
      };
      const sub = vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === doc.uri.toString() && done()) finish();
      });
      const poll = () => (finished ? undefined : done() ? finish() : setTimeout(poll, 1));
      poll();
    });
    // A line with an error inserted and removed again: every line below it moves.
    // The extension's own share of each edit (its change event to its diagnostics handed to the editor).
    const api = extension().exports as ExtensionApi;
    const sharesFrom = api.editToDiagnosticsMs.length;
    const lines = await timedEdits((i) => lineEdit(doc, line, i), (i) => settledWhen(() => mcalcDiagnostics(doc.uri) === before + (i % 2 === 0 ? 1 : 0)));
    // Typing over one character of a definition that others read (`z = w · x + …` to `w * x`, an error, and back).
    const typedLine = doc.getText().split('\n').findIndex((l, i) => i >= line && l.startsWith('z') && l.includes(' · '));
    const at = new vscode.Position(typedLine, doc.lineAt(typedLine).text.indexOf('·'));
    const untyped = mcalcDiagnostics(doc.uri);
    const typed = await timedEdits((i) => typedEdit(doc, at, i), (i) => settledWhen(() => mcalcDiagnostics(doc.uri) === untyped + (i % 2 === 0 ? 1 : 0)));

    // A definition that others read broken half-way through typing (`… + b * 3(`: it no longer parses, and what
    // read it reads an unknown name) and mended.
    const brokenLine = doc.getText().split('\n').findIndex((l, i) => i > typedLine && l.startsWith('z'));
    const brokenAt = new vscode.Position(brokenLine, doc.lineAt(brokenLine).text.length);
    const whole = mcalcDiagnostics(doc.uri);
    // (What the diagnostics will be is found by analysing the broken text here, in the host: unwatched.)
    let editsHeld = host.longest();
    host.stop();
    const brokenText = doc.getText().split('\n').map((l, i) => (i === brokenLine ? l + '(' : l)).join('\n');
    const whenBroken = analyze(brokenText).diagnostics.length;
    await sleep(1000);
    host = watchHost();
    assert.ok(whenBroken > whole + 1, 'the broken definition is read by others');
    const broken = await timedEdits((i) => brokenEdit(doc, brokenAt, i), (i) => settledWhen(() => mcalcDiagnostics(doc.uri) === (i % 2 === 0 ? whenBroken : whole)));

    // A line inserted that reads a definition 1,500 lines below it (and has an error), and removed again.
    assert.ok(doc.getText().includes('\nz4000 = '), 'z4000 is defined below the line');
    const withoutIt = mcalcDiagnostics(doc.uri);
    const later = await timedEdits((i) => lineEdit(doc, line, i, LATER_LINE), (i) => settledWhen(() => mcalcDiagnostics(doc.uri) === withoutIt + (i % 2 === 0 ? 1 : 0)));

    // A declaration edited: without `s`, every `sigmoid(s)` is an unknown name; with it back, none is.
    const declarationLine = doc.getText().split('\n').findIndex((l) => l.startsWith('b, y, s:'));
    const declarationAt = new vscode.Position(declarationLine, doc.lineAt(declarationLine).text.indexOf(', s'));
    const uses = doc.getText().split('\n').filter((l) => l.includes('sigmoid(s)')).length;
    assert.ok(uses > 100, `the document uses s ${uses} times`);
    const declared = mcalcDiagnostics(doc.uri);
    const declarations = await timedEdits((i) => declarationEdit(doc, declarationAt, i), (i) => settledWhen(() => mcalcDiagnostics(doc.uri) === declared + (i % 2 === 0 ? uses : 0)));
    const shares = api.editToDiagnosticsMs.slice(sharesFrom);
    assert.equal(shares.length, 5 * EDITS, 'the extension timed each edit once');
    editsHeld = Math.max(editsHeld, host.longest());
    host.stop();
    const baselineMs = median(baseline);
    const show = (ms: number[]) => `median ${median(ms).toFixed(1)} ms (all: ${ms.map((m) => m.toFixed(1)).join(', ')})`;
    console.log(`edit → diagnostics, 5,000 lines: a line inserted or removed ${show(lines)}; a character typed ${show(typed)}; a definition others read broken and mended ${show(broken)}; a line reading a definition below it ${show(later)}; a declaration edited (${uses} uses) ${show(declarations)}; same line edit as plain text: median ${baselineMs.toFixed(1)} ms`);
    const share = (from: number) => shares.slice(from * EDITS, (from + 1) * EDITS);
    console.log(`the extension's share (change event → diagnostics handed over): a line ${show(share(0))}; a character ${show(share(1))}; a definition broken ${show(share(2))}; a line reading one below ${show(share(3))}; a declaration ${show(share(4))}`);
    console.log(`extension host held longest: opening the 5,000-line document ${openHeld.toFixed(0)} ms (as plain text ${plainOpenHeld.toFixed(0)} ms), during the edits ${editsHeld.toFixed(0)} ms`);
    for (const [what, ms] of [['a line inserted or removed', lines], ['a character typed', typed], ['a definition broken', broken], ['a line reading a definition below it', later], ['a declaration edited', declarations]] as const) {
      assert.ok(median(ms) <= 10 * Math.max(baselineMs, 1), `edit → diagnostics (${what}) took ${median(ms).toFixed(1)} ms, more than 10× the plain-text round trip (${baselineMs.toFixed(1)} ms)`);
    }
  });
});
