// Outline: dimensions, variables, definitions and claims. The outline view and the breadcrumbs both ask for
// the symbols after an edit: they are built once per analysis.

import * as vscode from 'vscode';
import { Context, SELECTOR, toVsRange } from './context.ts';
import { outline, type OutlineKind } from '../core/presentation.ts';
import type { DocumentAnalysis } from './analysisCache.ts';

const KIND: Record<OutlineKind, vscode.SymbolKind> = {
  dimension: vscode.SymbolKind.Constant,
  variable: vscode.SymbolKind.Variable,
  definition: vscode.SymbolKind.Function,
  claim: vscode.SymbolKind.Boolean,
};

function documentSymbols(result: DocumentAnalysis): vscode.DocumentSymbol[] {
  return outline(result.analysis).map(
    (item) => new vscode.DocumentSymbol(item.name, item.detail, KIND[item.kind], toVsRange(result.toReal(item.range)), toVsRange(result.toReal(item.selectionRange))),
  );
}

export function registerSymbols(ctx: Context): void {
  const built = new WeakMap<DocumentAnalysis, vscode.DocumentSymbol[]>();
  ctx.subscribe(
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
      async provideDocumentSymbols(doc) {
        const result = await ctx.analysisReady(doc);
        if (!result) return [];
        let symbols = built.get(result);
        if (!symbols) built.set(result, (symbols = documentSymbols(result)));
        return symbols;
      },
    }),
  );
}
