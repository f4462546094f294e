// The document a command acts on: the one named by URI (code lenses, tests), else the active editor's, else
// the one visible mcalc editor — a command link clicked in the Getting Started walkthrough runs while the
// walkthrough, not a text editor, has the focus, with the example open beside it.

import * as vscode from 'vscode';
import { isMcalcDocument } from '../analysisCache.ts';

export function resolveTarget(uri: string | undefined, offset: number | undefined): { doc: vscode.TextDocument; offset: number } | undefined {
  if (uri !== undefined) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    return doc && { doc, offset: offset ?? 0 };
  }
  const active = vscode.window.activeTextEditor;
  const visible = vscode.window.visibleTextEditors.filter((e) => isMcalcDocument(e.document));
  // Only an unambiguous visible editor: with two side by side, guessing could act on the wrong one.
  const editor = active ? (isMcalcDocument(active.document) ? active : undefined) : visible.length === 1 ? visible[0] : undefined;
  if (!editor) return undefined;
  return { doc: editor.document, offset: editor.document.offsetAt(editor.selection.active) };
}
