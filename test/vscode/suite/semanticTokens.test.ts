/// <reference types="mocha" />
// Semantic tokens tell scalars, vectors and matrices apart (so themes can bold vectors and matrices).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, eventually, openInEditor } from './harness.ts';

interface Token {
  text: string;
  line: number;
  type: string;
  modifiers: string[];
}

/** Decodes VS Code's relative encoding (line delta, start delta, length, type, modifier bits). */
function decode(doc: vscode.TextDocument, legend: vscode.SemanticTokensLegend, tokens: vscode.SemanticTokens): Token[] {
  const out: Token[] = [];
  let line = 0;
  let char = 0;
  const d = tokens.data;
  for (let i = 0; i < d.length; i += 5) {
    line += d[i];
    char = d[i] === 0 ? char + d[i + 1] : d[i + 1];
    const text = doc.lineAt(line).text.slice(char, char + d[i + 2]);
    out.push({ text, line, type: legend.tokenTypes[d[i + 3]], modifiers: legend.tokenModifiers.filter((_, k) => d[i + 4] & (1 << k)) });
  }
  return out;
}

async function tokensOf(doc: vscode.TextDocument): Promise<Token[]> {
  const legend = await vscode.commands.executeCommand<vscode.SemanticTokensLegend>('vscode.provideDocumentSemanticTokensLegend', doc.uri);
  const tokens = await vscode.commands.executeCommand<vscode.SemanticTokens>('vscode.provideDocumentSemanticTokens', doc.uri);
  assert.ok(legend && tokens, 'no semantic tokens provider answered');
  return decode(doc, legend, tokens);
}

suite('Semantic tokens', () => {
  teardown(closeAllEditors);

  test('a vector, a matrix and a scalar get their own token types; declarations are marked', async () => {
    const doc = await openInEditor('fixtures/editor.mcalc');
    await eventually(async () => {
      const tokens = await tokensOf(doc);
      const line = (prefix: string) => {
        const l = doc.getText().split('\n').findIndex((t) => t.startsWith(prefix));
        return tokens.filter((t) => t.line === l).map((t) => `${t.text}:${t.type}${t.modifiers.includes('declaration') ? '*' : ''}`);
      };
      assert.deepEqual(line('h = W*x'), ['h:vector*', 'W:matrix', 'x:vector']);
      assert.deepEqual(line('W: matrix'), ['W:matrix*', 'm:dimension', 'n:dimension']);
      assert.deepEqual(line('z = w · x + b'), ['z:scalar*', 'w:vector', 'x:vector', 'b:scalar']);
    });
  });

  test('in Markdown, tokens land on the lines of the ```mcalc blocks', async () => {
    const doc = await openInEditor('fixtures/editor-blocks.md');
    await eventually(async () => {
      const tokens = await tokensOf(doc);
      const z = doc.getText().split('\n').findIndex((t) => t === 'z = w · x');
      assert.deepEqual(tokens.filter((t) => t.line === z).map((t) => `${t.text}:${t.type}`), ['z:scalar', 'w:vector', 'x:vector']);
      assert.ok(tokens.every((t) => t.text.length > 0 && /^[A-Za-z]/.test(t.text)), `every token covers a name: ${JSON.stringify(tokens)}`);
    });
  });
});
