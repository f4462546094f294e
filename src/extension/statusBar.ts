// The status-bar item with the active Jacobian layout; clicking it (or "Matrix Calculus: Toggle Layout")
// switches `mcalc.layout` where it is set (folder, workspace or user settings).

import * as vscode from 'vscode';
import { Context } from './context.ts';
import { isMcalcDocument } from './analysisCache.ts';
import { layoutSetting } from './config.ts';
import type { Layout } from '../core/shape.ts';

const TOGGLE = 'mcalc.toggleLayout';

export function registerStatusBar(ctx: Context): void {
  const item = vscode.window.createStatusBarItem('mcalc.layout', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Matrix Calculus layout';
  item.command = TOGGLE;
  const update = () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !isMcalcDocument(editor.document)) return item.hide();
    const layout = layoutSetting(editor.document.uri);
    item.text = `$(arrow-swap) ${layout} layout`;
    item.tooltip = `Jacobians in ${layout} layout (${layout === 'numerator' ? 'd(scalar)/d(vector[n]) is 1×n' : 'd(scalar)/d(vector[n]) is n×1'}). Click for ${other(layout)} layout.`;
    item.accessibilityInformation = { label: `Matrix Calculus: ${layout} layout. Activate to switch to ${other(layout)} layout.` };
    item.show();
  };
  ctx.subscribe(
    item,
    vscode.commands.registerCommand(TOGGLE, toggleLayout),
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mcalc.layout') && update()),
  );
  update();
}

function other(layout: Layout): Layout {
  return layout === 'numerator' ? 'denominator' : 'numerator';
}

/** Switches the layout of the active document's scope and returns the new one. */
async function toggleLayout(): Promise<Layout> {
  const uri = vscode.window.activeTextEditor?.document.uri;
  const config = vscode.workspace.getConfiguration('mcalc', uri);
  const set = config.inspect<string>('layout');
  const target =
    set?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder : set?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const next = other(layoutSetting(uri));
  await config.update('layout', next, target);
  return next;
}
