// Document highlights: the other occurrences of the name under the cursor; its declaration marked as a write.

import * as vscode from 'vscode';
import { Context, SELECTOR, realRange } from './context.ts';
import { occurrenceAt, usesOf } from '../core/language/names.ts';

export function registerHighlights(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerDocumentHighlightProvider(SELECTOR, {
      async provideDocumentHighlights(doc, position) {
        const at = await ctx.analysisAt(doc, position);
        const o = at && occurrenceAt(at.result.analysis, at.offset);
        if (!at || !o) return undefined;
        const kind = (declaration: boolean) => (declaration ? vscode.DocumentHighlightKind.Write : vscode.DocumentHighlightKind.Read);
        return usesOf(at.result.analysis, o.name).map((u) => new vscode.DocumentHighlight(realRange(at.result, u.range), kind(u.declaration)));
      },
    }),
  );
}
