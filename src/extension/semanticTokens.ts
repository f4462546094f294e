// Semantic tokens: scalars, vectors, matrices and dimensions as their own token types (declared in
// package.json with default styles that themes can override). Built once per analysis: the editor may ask
// again for the same version (e.g. when the document becomes visible again).

import * as vscode from 'vscode';
import { Context, SELECTOR } from './context.ts';
import { SEMANTIC_TOKEN_MODIFIERS, SEMANTIC_TOKEN_TYPES, semanticTokens } from '../core/language/semanticTokens.ts';
import type { DocumentAnalysis } from './analysisCache.ts';

const LEGEND = new vscode.SemanticTokensLegend([...SEMANTIC_TOKEN_TYPES], [...SEMANTIC_TOKEN_MODIFIERS]);
const DECLARATION = 1 << SEMANTIC_TOKEN_MODIFIERS.indexOf('declaration');

function documentTokens(result: DocumentAnalysis): vscode.SemanticTokens {
  const builder = new vscode.SemanticTokensBuilder(LEGEND);
  for (const t of semanticTokens(result.analysis)) {
    const line = result.toReal({ start: { line: t.line, character: t.character }, end: { line: t.line, character: t.character } }).start.line;
    builder.push(line, t.character, t.length, SEMANTIC_TOKEN_TYPES.indexOf(t.type), t.declaration ? DECLARATION : 0);
  }
  return builder.build();
}

export function registerSemanticTokens(ctx: Context): void {
  const built = new WeakMap<DocumentAnalysis, vscode.SemanticTokens>();
  ctx.subscribe(
    vscode.languages.registerDocumentSemanticTokensProvider(
      SELECTOR,
      {
        provideDocumentSemanticTokens(doc) {
          const result = ctx.analysis(doc);
          if (!result) return new vscode.SemanticTokensBuilder(LEGEND).build();
          let tokens = built.get(result);
          if (!tokens) built.set(result, (tokens = documentTokens(result)));
          return tokens;
        },
      },
      LEGEND,
    ),
  );
}
