// The document a command acts on: the one named by URI (code lenses, tests), else the active editor's.

import * as vscode from 'vscode';
import { isMcalcDocument } from '../analysisCache.ts';

export function resolveTarget(uri: string | undefined, offset: number | undefined): { doc: vscode.TextDocument; offset: number } | undefined {
  if (uri !== undefined) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    return doc && { doc, offset: offset ?? 0 };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isMcalcDocument(editor.document)) return undefined;
  return { doc: editor.document, offset: editor.document.offsetAt(editor.selection.active) };
}
