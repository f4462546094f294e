// Semantic tokens: scalars, vectors, matrices and dimensions as their own token types (declared in
// package.json with default styles that themes can override). Built once per analysis; after an edit the
// editor asks for the difference from the tokens it has (provideDocumentSemanticTokensEdits) and receives one
// splice, the tokens the edit changed, instead of every token of the document.

import * as vscode from 'vscode';
import { Context, SELECTOR } from './context.ts';
import { SEMANTIC_TOKEN_MODIFIERS, SEMANTIC_TOKEN_TYPES, semanticTokensSteps } from '../core/language/semanticTokens.ts';
import { inSlices } from './slices.ts';
import type { DocumentAnalysis } from './analysisCache.ts';
import { tokenSplice } from './semanticTokenEdits.ts';

const LEGEND = new vscode.SemanticTokensLegend([...SEMANTIC_TOKEN_TYPES], [...SEMANTIC_TOKEN_MODIFIERS]);

/** The document's tokens, made in slices (a long document's name index and tokens take longer than a slice). */
async function documentTokens(result: DocumentAnalysis, resultId: string): Promise<vscode.SemanticTokens> {
  const realLine = (line: number) => result.toReal({ start: { line, character: 0 }, end: { line, character: 0 } }).start.line;
  return new vscode.SemanticTokens(await inSlices(semanticTokensSteps(result.analysis, result.embedded ? realLine : undefined)), resultId);
}

export function registerSemanticTokens(ctx: Context): void {
  const built = new WeakMap<DocumentAnalysis, Promise<vscode.SemanticTokens>>();
  /** The tokens last given to the editor per document: the ones its next request for edits names. */
  const sent = new Map<string, vscode.SemanticTokens>();
  let lastId = 0;

  const tokensOf = async (doc: vscode.TextDocument): Promise<vscode.SemanticTokens | undefined> => {
    const result = await ctx.analysisReady(doc);
    if (!result) return undefined;
    let making = built.get(result);
    if (!making) built.set(result, (making = documentTokens(result, String(++lastId))));
    const tokens = await making;
    sent.set(doc.uri.toString(), tokens);
    return tokens;
  };

  ctx.subscribe(
    vscode.workspace.onDidCloseTextDocument((doc) => sent.delete(doc.uri.toString())),
    vscode.languages.registerDocumentSemanticTokensProvider(
      SELECTOR,
      {
        async provideDocumentSemanticTokens(doc) {
          return (await tokensOf(doc)) ?? new vscode.SemanticTokensBuilder(LEGEND).build();
        },
        async provideDocumentSemanticTokensEdits(doc, previousResultId) {
          const previous = sent.get(doc.uri.toString());
          const tokens = await tokensOf(doc);
          if (!tokens) return new vscode.SemanticTokensBuilder(LEGEND).build();
          // The editor names tokens this provider no longer has (e.g. after the document was reopened): all of them.
          if (previous?.resultId !== previousResultId) return tokens;
          const s = tokenSplice(previous.data, tokens.data);
          const edits = s.deleteCount || s.data.length ? [new vscode.SemanticTokensEdit(s.start, s.deleteCount, s.data)] : [];
          return new vscode.SemanticTokensEdits(edits, tokens.resultId);
        },
      },
      LEGEND,
    ),
  );
}
