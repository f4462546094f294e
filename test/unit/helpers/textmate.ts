// Loads the TextMate grammars exactly as VS Code does (vscode-textmate + the oniguruma wasm), wiring them from
// package.json's contributes.grammars, and tokenizes text with them (grammar and conformance tests).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
const MARKDOWN_STANDIN = path.join(__dirname, '..', 'fixtures', 'markdown-standin.tmLanguage.json');

interface GrammarContribution {
  language?: string;
  scopeName: string;
  path: string;
  injectTo?: string[];
  embeddedLanguages?: Record<string, string>;
}
interface Manifest {
  contributes: {
    languages: { id: string; extensions?: string[]; configuration?: string }[];
    grammars: GrammarContribution[];
  };
}
export const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
export const grammars = manifest.contributes.grammars;
function contribution(which: string, match: (g: GrammarContribution) => boolean): GrammarContribution {
  const found = grammars.find(match);
  if (!found) throw new Error(`package.json contributes no grammar ${which}`);
  return found;
}
export const mcalcContribution = contribution('for language mcalc', (g) => g.language === 'mcalc');
export const injectionContribution = contribution('injected into text.html.markdown', (g) => (g.injectTo ?? []).includes('text.html.markdown'));

/** scopeName -> grammar file, as VS Code builds it from the manifest (plus the Markdown stand-in). */
const grammarFiles = new Map<string, string>([
  ...grammars.map((g): [string, string] => [g.scopeName, path.join(ROOT, g.path)]),
  ['text.html.markdown', MARKDOWN_STANDIN],
]);

const onigLib: Promise<vsctm.IOnigLib> = (async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  return {
    createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s: string) => new oniguruma.OnigString(s),
  };
})();

function makeRegistry(withInjections: boolean): vsctm.Registry {
  return new vsctm.Registry({
    onigLib,
    loadGrammar: async (scopeName) => {
      const file = grammarFiles.get(scopeName);
      return file ? vsctm.parseRawGrammar(readFileSync(file, 'utf8'), file) : null;
    },
    // What VS Code does with `injectTo`: every grammar that names the scope is injected into it.
    getInjections: (scopeName) =>
      withInjections ? grammars.filter((g) => (g.injectTo ?? []).includes(scopeName)).map((g) => g.scopeName) : undefined,
  });
}

export async function loadGrammar(scopeName: string, withInjections = true): Promise<vsctm.IGrammar> {
  const grammar = await makeRegistry(withInjections).loadGrammar(scopeName);
  assert.ok(grammar, `grammar ${scopeName} loads`);
  return grammar;
}
export interface Token {
  line: number;
  text: string;
  scopes: string[];
}

/** The tokens of `source`, line by line (0-based lines), with their scopes. */
export function tokenScopes(grammar: vsctm.IGrammar, source: string): Token[] {
  const all: Token[] = [];
  let state = vsctm.INITIAL;
  source.split('\n').forEach((lineText, line) => {
    const result = grammar.tokenizeLine(lineText, state);
    for (const t of result.tokens) all.push({ line, text: lineText.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    state = result.ruleStack;
  });
  return all;
}
