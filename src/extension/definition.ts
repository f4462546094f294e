// Go to definition: from any use of a name to where it is declared (`w: vector[n]`, `z = …`, `dim n`).

import * as vscode from 'vscode';
import { Context, SELECTOR, realRange } from './context.ts';
import { declarationAt } from '../core/language/names.ts';

export function registerDefinition(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerDefinitionProvider(SELECTOR, {
      async provideDefinition(doc, position) {
        const at = await ctx.analysisAt(doc, position);
        const declaration = at && declarationAt(at.result.analysis, at.offset);
        return declaration && new vscode.Location(doc.uri, realRange(at.result, declaration));
      },
    }),
  );
}
