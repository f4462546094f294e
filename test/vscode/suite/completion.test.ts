/// <reference types="mocha" />
// Completion offers the document's names with their shapes and the built-ins with signatures and result
// shapes; signature help names the argument under the cursor.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, openForEditing, eventually } from './harness.ts';

/** Appends `line` to the fixture and returns the position at its end. */
async function typeLine(doc: vscode.TextDocument, line: string): Promise<vscode.Position> {
  const end = doc.lineAt(doc.lineCount - 1).range.end;
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, end, `\n${line}`);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
  return doc.lineAt(doc.lineCount - 1).range.end;
}

const labelOf = (item: vscode.CompletionItem) => (typeof item.label === 'string' ? item.label : item.label.label);
const docOf = (item: vscode.CompletionItem) => (typeof item.documentation === 'string' ? item.documentation : (item.documentation?.value ?? ''));

async function completions(doc: vscode.TextDocument, pos: vscode.Position): Promise<Map<string, vscode.CompletionItem>> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos);
  // Other providers (word completion) may offer the same labels without details: keep ours, the ones with a detail.
  return new Map(list.items.filter((i) => i.detail).map((i) => [labelOf(i), i]));
}

suite('Completion and signature help', () => {
  teardown(closeAllEditors);

  test('in an expression: declared names with their shapes, built-ins with signatures and result shapes', async () => {
    const doc = await openForEditing('fixtures/editor-completion.mcalc');
    const pos = await typeLine(doc, 'q = ');
    await eventually(async () => {
      const items = await completions(doc, pos);
      assert.equal(items.get('w')?.detail, 'vector[n]', `w should be offered as vector[n]; got ${[...items.keys()].join(', ')}`);
      assert.equal(items.get('W')?.detail, 'matrix[m, n]');
      assert.equal(items.get('loss')?.detail, 'scalar');
      assert.equal(items.get('g')?.detail, 'row vector[n]', 'd(loss)/d(w) is 1×n in numerator layout');
      assert.equal(items.get('W')?.kind, vscode.CompletionItemKind.Variable);
      const tr = items.get('tr');
      assert.equal(tr?.detail, 'tr(X)');
      assert.match(docOf(tr!), /matrix\[n, n\] → scalar/);
      assert.equal((tr!.insertText as vscode.SnippetString).value, 'tr(${1:X})');
      assert.equal(((items.get('d(f)/d(x)')?.insertText) as vscode.SnippetString).value, 'd(${1:f})/d(${2:x})');
      assert.equal(((items.get('grad')?.insertText) as vscode.SnippetString).value, 'grad(${1:f}, ${2:x})');
    });
  });

  test('at the start of a line: the check snippet; after a colon: the types', async () => {
    const doc = await openForEditing('fixtures/editor-completion.mcalc');
    const start = await typeLine(doc, 'ch');
    const check = (await completions(doc, start)).get('check');
    assert.equal((check?.insertText as vscode.SnippetString | undefined)?.value, 'check d(${1:f})/d(${2:x}) = ${3:formula}');
    const colon = await typeLine(doc, 'v: ');
    const types = [...(await completions(doc, colon)).keys()];
    assert.deepEqual(types.filter((t) => ['scalar', 'vector', 'matrix', 'w'].includes(t)).sort(), ['matrix', 'scalar', 'vector']);
  });

  test('signature help inside a call names the active argument', async () => {
    const doc = await openForEditing('fixtures/editor-completion.mcalc');
    const pos = await typeLine(doc, 'q = max(b, ');
    await eventually(async () => {
      const help = await vscode.commands.executeCommand<vscode.SignatureHelp>('vscode.executeSignatureHelpProvider', doc.uri, pos, ',');
      assert.ok(help?.signatures.length, 'no signature help');
      const sig = help.signatures[help.activeSignature];
      assert.equal(sig.label, 'max(a, b)');
      assert.equal(help.activeParameter, 1);
      assert.deepEqual(sig.parameters[1].label, [7, 8], 'the b of max(a, b)');
    });
  });
});
