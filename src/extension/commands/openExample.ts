// Matrix Calculus: Open the Neuron Example — the walkthrough's first step. Opens examples/neuron.mcalc from the
// extension's own folder (shipped in the VSIX), so it works with no workspace open. It opens beside the
// walkthrough, which stays visible, with the cursor on the first derivative form: the next steps (Show
// Derivation, Check, Train, Export) then act on it straight from the walkthrough's links.

import * as vscode from 'vscode';
import type { Context } from '../context.ts';

export function registerOpenExample(ctx: Context): void {
  ctx.subscribe(
    vscode.commands.registerCommand('mcalc.openExample', async (): Promise<vscode.TextDocument> => {
      const uri = vscode.Uri.joinPath(ctx.extension.extensionUri, 'examples', 'neuron.mcalc');
      const doc = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
      const form = doc.getText().indexOf('d(loss)/d(w)');
      if (form >= 0) editor.selection = new vscode.Selection(doc.positionAt(form), doc.positionAt(form));
      return doc;
    }),
  );
}
