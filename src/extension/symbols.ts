// Outline: dimensions, variables, definitions and claims.

import * as vscode from 'vscode';
import { Context, SELECTOR, toVsRange } from './context.ts';
import { outline, type OutlineKind } from '../core/presentation.ts';

const KIND: Record<OutlineKind, vscode.SymbolKind> = {
  dimension: vscode.SymbolKind.Constant,
  variable: vscode.SymbolKind.Variable,
  definition: vscode.SymbolKind.Function,
  claim: vscode.SymbolKind.Boolean,
};

export function registerSymbols(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
      provideDocumentSymbols(doc) {
        const result = ctx.analysis(doc);
        if (!result) return [];
        return outline(result.analysis).map(
          (item) => new vscode.DocumentSymbol(item.name, item.detail, KIND[item.kind], toVsRange(result.toReal(item.range)), toVsRange(result.toReal(item.selectionRange))),
        );
      },
    }),
  );
}
