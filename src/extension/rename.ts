// Rename a dimension, variable or definition everywhere in the document (every ```mcalc block of a Markdown
// file); refused with the reason when the new name would change the document's meaning.

import * as vscode from 'vscode';
import { Context, SELECTOR, realRange } from './context.ts';
import { renameEdits, renameTarget } from '../core/language/rename.ts';

export function registerRename(ctx: Context): void {
  const analysed = async (doc: vscode.TextDocument, position: vscode.Position) => {
    const at = await ctx.analysisAt(doc, position);
    if (!at) throw new Error('Only names inside mcalc code can be renamed.');
    return at;
  };
  ctx.subscribe(
    vscode.languages.registerRenameProvider(SELECTOR, {
      async prepareRename(doc, position) {
        const { result, offset } = await analysed(doc, position);
        const target = renameTarget(result.analysis, offset);
        if ('error' in target) throw new Error(target.error);
        return { range: realRange(result, target.range), placeholder: target.name };
      },
      async provideRenameEdits(doc, position, newName) {
        const { result, offset } = await analysed(doc, position);
        const r = renameEdits(result.analysis, offset, newName.trim());
        if ('error' in r) throw new Error(r.error);
        const edit = new vscode.WorkspaceEdit();
        for (const e of r.edits) edit.replace(doc.uri, realRange(result, e.range), e.newText);
        return edit;
      },
    }),
  );
}
