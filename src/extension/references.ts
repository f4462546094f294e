// Find all references: every occurrence of the name under the cursor, across all ```mcalc blocks of a Markdown
// file (they share names).

import * as vscode from 'vscode';
import { Context, SELECTOR, realRange } from './context.ts';
import { occurrenceAt, usesOf } from '../core/language/names.ts';

export function registerReferences(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerReferenceProvider(SELECTOR, {
      async provideReferences(doc, position, context) {
        const at = await ctx.analysisAt(doc, position);
        const o = at && occurrenceAt(at.result.analysis, at.offset);
        if (!at || !o) return undefined;
        return usesOf(at.result.analysis, o.name)
          .filter((u) => context.includeDeclaration || !u.declaration)
          .map((u) => new vscode.Location(doc.uri, realRange(at.result, u.range)));
      },
    }),
  );
}
