// Matrix Calculus: Show Derivation — opens (or moves) the derivation preview to the form at the cursor.

import * as vscode from 'vscode';
import type { Context } from '../context.ts';
import { DerivationPreview } from '../derivationPanel.ts';
import { resolveTarget } from './target.ts';

export function registerShowDerivation(ctx: Context): void {
  const preview = new DerivationPreview(ctx);
  ctx.subscribe(
    vscode.commands.registerCommand('mcalc.showDerivation', (uri?: string, offset?: number) => {
      const target = resolveTarget(uri, offset);
      if (!target) return void vscode.window.showInformationMessage('Open a .mcalc file (or Markdown with ```mcalc blocks) and put the cursor on a derivative form.');
      preview.show(target.doc.uri, target.offset);
    }),
  );
}
