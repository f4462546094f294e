// Find all references: every occurrence of the name under the cursor, across all ```mcalc blocks of a Markdown
// file (they share names).

import * as vscode from 'vscode';
import { Context, SELECTOR, analysisOffset, realRange } from './context.ts';
import { nameIndex, occurrenceAt, referencesTo } from '../core/language/names.ts';

export function registerReferences(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerReferenceProvider(SELECTOR, {
      provideReferences(doc, position, context) {
        const result = ctx.analysis(doc);
        const offset = result && analysisOffset(result, position);
        const o = result && offset !== undefined ? occurrenceAt(result.analysis, offset) : undefined;
        if (!o) return undefined;
        const { analysis } = result!;
        const declaration = nameIndex(analysis).names.get(o.name)!.declaration;
        const same = (r: typeof declaration) => r.start.line === declaration.start.line && r.start.character === declaration.start.character;
        return referencesTo(analysis, o.name)
          .filter((r) => context.includeDeclaration || !same(r))
          .map((r) => new vscode.Location(doc.uri, realRange(result!, r)));
      },
    }),
  );
}
