// Outline: dimensions, variables, definitions and claims. The outline view and the breadcrumbs both ask for
// the symbols after an edit: they are built once per analysis, in slices (a long document has thousands).

import * as vscode from 'vscode';
import { Context, SELECTOR, toVsRange } from './context.ts';
import { outlineSteps, type OutlineKind } from '../core/presentation.ts';
import type { Steps } from '../core/steps.ts';
import type { DocumentAnalysis } from './analysisCache.ts';
import { inSlices } from './slices.ts';

const KIND: Record<OutlineKind, vscode.SymbolKind> = {
  dimension: vscode.SymbolKind.Constant,
  variable: vscode.SymbolKind.Variable,
  definition: vscode.SymbolKind.Function,
  claim: vscode.SymbolKind.Boolean,
};

function* documentSymbols(result: DocumentAnalysis): Steps<vscode.DocumentSymbol[]> {
  const symbols: vscode.DocumentSymbol[] = [];
  for (const item of yield* outlineSteps(result.analysis)) {
    symbols.push(new vscode.DocumentSymbol(item.name, item.detail, KIND[item.kind], toVsRange(result.toReal(item.range)), toVsRange(result.toReal(item.selectionRange))));
    if (symbols.length % 1024 === 0) yield;
  }
  return symbols;
}

export function registerSymbols(ctx: Context): void {
  const built = new WeakMap<DocumentAnalysis, Promise<vscode.DocumentSymbol[]>>();
  ctx.subscribe(
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
      async provideDocumentSymbols(doc) {
        const result = await ctx.analysisReady(doc);
        if (!result) return [];
        let symbols = built.get(result);
        if (!symbols) built.set(result, (symbols = inSlices(documentSymbols(result))));
        return symbols;
      },
    }),
  );
}
