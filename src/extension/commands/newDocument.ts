// Matrix Calculus: New Document — an untitled mcalc document holding the commented neuron template, so a
// newcomer has something that works to hover, derive, check, train and export without writing a line first.

import * as vscode from 'vscode';
import type { Context } from '../context.ts';
import { NEW_DOCUMENT_TEMPLATE } from '../../core/template.ts';

export function registerNewDocument(ctx: Context): void {
  ctx.subscribe(
    vscode.commands.registerCommand('mcalc.newDocument', async (): Promise<vscode.TextDocument> => {
      const doc = await vscode.workspace.openTextDocument({ language: 'mcalc', content: NEW_DOCUMENT_TEMPLATE });
      await vscode.window.showTextDocument(doc, { preview: false });
      return doc;
    }),
  );
}
