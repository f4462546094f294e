// Document highlights: the other occurrences of the name under the cursor; its declaration marked as a write.

import * as vscode from 'vscode';
import { Context, SELECTOR, analysisOffset, realRange } from './context.ts';
import { nameIndex, occurrenceAt } from '../core/language/names.ts';

export function registerHighlights(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerDocumentHighlightProvider(SELECTOR, {
      provideDocumentHighlights(doc, position) {
        const result = ctx.analysis(doc);
        const offset = result && analysisOffset(result, position);
        const o = result && offset !== undefined ? occurrenceAt(result.analysis, offset) : undefined;
        if (!o) return undefined;
        const { analysis } = result!;
        const index = nameIndex(analysis);
        const declared = analysis.lines.offsetAt(index.names.get(o.name)!.declaration.start);
        return index.occurrences
          .filter((x) => x.name === o.name)
          .map((x) => new vscode.DocumentHighlight(realRange(result!, analysis.lines.range(x.start, x.end)), x.start === declared ? vscode.DocumentHighlightKind.Write : vscode.DocumentHighlightKind.Read));
      },
    }),
  );
}
