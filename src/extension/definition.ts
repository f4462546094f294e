// Go to definition: from any use of a name to where it is declared (`w: vector[n]`, `z = …`, `dim n`).

import * as vscode from 'vscode';
import { Context, SELECTOR, analysisOffset, realRange } from './context.ts';
import { declarationAt } from '../core/language/names.ts';

export function registerDefinition(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerDefinitionProvider(SELECTOR, {
      provideDefinition(doc, position) {
        const result = ctx.analysis(doc);
        const offset = result && analysisOffset(result, position);
        const declaration = result && offset !== undefined ? declarationAt(result.analysis, offset) : undefined;
        return declaration && new vscode.Location(doc.uri, realRange(result!, declaration));
      },
    }),
  );
}
