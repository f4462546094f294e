/// <reference types="mocha" />
// The outline (document symbols) lists the document's dims, variables and definitions.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { positionOf, workspaceFile } from './harness.ts';

interface Found {
  name: string;
  line: number;
}

async function symbols(file: string): Promise<{ doc: vscode.TextDocument; found: Found[] }> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(file));
  const result =
    (await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[]>(
      'vscode.executeDocumentSymbolProvider',
      doc.uri,
    )) ?? [];
  const found: Found[] = [];
  const walk = (s: vscode.DocumentSymbol | vscode.SymbolInformation) => {
    if ('location' in s) found.push({ name: s.name, line: s.location.range.start.line });
    else {
      found.push({ name: s.name, line: s.range.start.line });
      s.children.forEach(walk);
    }
  };
  result.forEach(walk);
  return { doc, found };
}

suite('Outline', () => {
  test('fixtures/shapes.mcalc lists every dim, variable and definition on its own line', async () => {
    const { doc, found } = await symbols('fixtures/shapes.mcalc');
    const listing = found.map((s) => `${s.name}@${s.line}`).join(', ') || '(no symbols)';
    const expected: [string, string][] = [
      ['n', 'dim n, m'],
      ['m', 'dim n, m'],
      ['w', 'w, x : vector[n]'],
      ['x', 'w, x : vector[n]'],
      ['b', 'b : scalar'],
      ['W', 'W : matrix[m, n]'],
      ['z', 'z = w · x + b'],
      ['h', 'h = W*x'],
      ['loss', 'loss = z * z'],
      ['g', 'g = d(loss)/d(w)'],
    ];
    for (const [name, declaration] of expected) {
      const line = positionOf(doc, declaration).line;
      assert.ok(
        found.some((s) => s.name === name && s.line === line),
        `the outline should list '${name}' on line ${line + 1} (${declaration}); it has: ${listing}`,
      );
    }
  });

  test('examples/neuron.mcalc lists w and loss', async () => {
    const { found } = await symbols('examples/neuron.mcalc');
    const names = found.map((s) => s.name);
    for (const name of ['w', 'loss']) assert.ok(names.includes(name), `'${name}' missing from the outline: ${names.join(', ')}`);
  });
});
