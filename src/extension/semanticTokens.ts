// Semantic tokens: scalars, vectors, matrices and dimensions as their own token types (declared in
// package.json with default styles that themes can override).

import * as vscode from 'vscode';
import { Context, SELECTOR } from './context.ts';
import { SEMANTIC_TOKEN_MODIFIERS, SEMANTIC_TOKEN_TYPES, semanticTokens } from '../core/language/semanticTokens.ts';

const LEGEND = new vscode.SemanticTokensLegend([...SEMANTIC_TOKEN_TYPES], [...SEMANTIC_TOKEN_MODIFIERS]);
const DECLARATION = 1 << SEMANTIC_TOKEN_MODIFIERS.indexOf('declaration');

export function registerSemanticTokens(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerDocumentSemanticTokensProvider(
      SELECTOR,
      {
        provideDocumentSemanticTokens(doc) {
          const result = ctx.analysis(doc);
          const builder = new vscode.SemanticTokensBuilder(LEGEND);
          if (!result) return builder.build();
          for (const t of semanticTokens(result.analysis)) {
            const line = result.toReal({ start: { line: t.line, character: t.character }, end: { line: t.line, character: t.character } }).start.line;
            builder.push(line, t.character, t.length, SEMANTIC_TOKEN_TYPES.indexOf(t.type), t.declaration ? DECLARATION : 0);
          }
          return builder.build();
        },
      },
      LEGEND,
    ),
  );
}
