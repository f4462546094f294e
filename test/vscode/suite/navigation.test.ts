/// <reference types="mocha" />
// Go to definition, find references, document highlights and rename — in a .mcalc file and across the
// ```mcalc blocks of a Markdown file.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, eventually, openForEditing, openInEditor, positionOf, rangeOf, showRange } from './harness.ts';

const shown = (ranges: readonly vscode.Range[]) => ranges.map(showRange).sort();

/** Ranges of every whole-word `word` in the given lines (0-based) of the document. */
function wordRanges(doc: vscode.TextDocument, word: string, lines: number[]): string[] {
  const out: vscode.Range[] = [];
  for (const l of lines) {
    const text = doc.lineAt(l).text;
    for (const m of text.matchAll(new RegExp(`(?<![\\w])${word}(?![\\w])`, 'g'))) out.push(new vscode.Range(l, m.index!, l, m.index! + word.length));
  }
  return shown(out);
}

/** The lines holding mcalc code: all but comments in a .mcalc file, the insides of the fences in Markdown. */
function codeLines(doc: vscode.TextDocument): number[] {
  const lines: number[] = [];
  let inFence = false;
  for (let l = 0; l < doc.lineCount; l++) {
    const t = doc.lineAt(l).text;
    if (t.startsWith('```')) inFence = !inFence;
    else if ((inFence || doc.languageId === 'mcalc') && !t.startsWith('#')) lines.push(l);
  }
  return lines;
}

async function definitionAt(doc: vscode.TextDocument, pos: vscode.Position): Promise<string> {
  const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, pos);
  assert.equal(defs.length, 1, `one definition expected, got ${defs.length}`);
  return showRange('targetRange' in defs[0] ? defs[0].targetRange : defs[0].range);
}

suite('Definition, references, highlights, rename', () => {
  teardown(closeAllEditors);

  test('go to definition jumps from a use to the declaration', async () => {
    const doc = await openInEditor('fixtures/editor.mcalc');
    assert.equal(await definitionAt(doc, positionOf(doc, 'h = W*x', 'x')), showRange(rangeOf(doc, 'x', 'w, ')), 'a variable');
    assert.equal(await definitionAt(doc, positionOf(doc, 'max(0, z)', 'z')), showRange(rangeOf(doc, 'z', 'W: matrix')), 'a definition');
    assert.equal(await definitionAt(doc, positionOf(doc, 'W: matrix[m, n]', 'n')), showRange(rangeOf(doc, 'n', 'dim ')), 'a dimension');
  });

  test('find references lists every occurrence of the name', async () => {
    const doc = await openInEditor('fixtures/editor.mcalc');
    const refs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', doc.uri, positionOf(doc, 'z = w · x + b', 'w'));
    assert.deepEqual(shown(refs.map((r) => r.range)), wordRanges(doc, 'w', codeLines(doc)));
    assert.equal(refs.length, 3, 'declaration, z = w · x + b, d(w)');
  });

  test('document highlights mark the declaration as a write and the uses as reads', async () => {
    const doc = await openInEditor('fixtures/editor.mcalc');
    const hs = await vscode.commands.executeCommand<vscode.DocumentHighlight[]>('vscode.executeDocumentHighlights', doc.uri, positionOf(doc, 'a = max', 'a'));
    assert.deepEqual(shown(hs.map((h) => h.range)), wordRanges(doc, 'a', codeLines(doc)));
    const writes = hs.filter((h) => h.kind === vscode.DocumentHighlightKind.Write);
    assert.deepEqual(shown(writes.map((h) => h.range)), [showRange(rangeOf(doc, 'a', 'h = W*x'))]);
  });

  test('rename changes every occurrence, and refuses a name already in use', async () => {
    const doc = await openForEditing('fixtures/editor.mcalc');
    const before = wordRanges(doc, 'x', codeLines(doc));
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', doc.uri, positionOf(doc, 'h = W*x', 'x'), 'input');
    assert.deepEqual(shown(edit.get(doc.uri).map((e) => e.range)), before);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(wordRanges(doc, 'x', codeLines(doc)).length, 0, `no x left:\n${doc.getText()}`);
    assert.match(doc.getText(), /^w, input: vector\[n\]$/m);
    assert.match(doc.getText(), /^h = W\*input$/m);
    await eventually(() => assert.deepEqual(vscode.languages.getDiagnostics(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error), []));
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', doc.uri, positionOf(doc, 'h = W*input', 'input'), 'w')),
      /already declared/,
    );
  });

  test('Markdown: references and rename cover every ```mcalc block and leave the prose alone', async () => {
    const doc = await openForEditing('fixtures/editor-blocks.md');
    const pos = positionOf(doc, 'w, x: vector[n]', 'w');
    const code = codeLines(doc);
    const expected = wordRanges(doc, 'w', code);
    assert.equal(expected.length, 3, 'the declaration, z = w · x, sum(w) — and nothing in the prose');
    await eventually(async () => {
      const refs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', doc.uri, pos);
      assert.deepEqual(shown(refs.map((r) => r.range)), expected);
    });
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', doc.uri, pos, 'weights');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const text = doc.getText();
    assert.match(text, /^weights, x: vector\[n\]$/m);
    assert.match(text, /^z = weights · x$/m);
    assert.match(text, /^s = sum\(weights\)$/m);
    assert.match(text, /Prose mentioning w and `w · x`/, 'the prose is not code');
  });
});
