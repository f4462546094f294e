// The status-bar item with the active document's Jacobian layout; clicking it (or "Matrix Calculus: Toggle
// Layout") switches `mcalc.layout` where it is set (folder, workspace or user settings). A document with a
// `layout …` directive pins its layout: the item says so, and toggling offers to go to the directive instead,
// since the document's claims are written for that layout and flipping the setting would not change it.

import * as vscode from 'vscode';
import { Context, realRange } from './context.ts';
import { isMcalcDocument } from './analysisCache.ts';
import { layoutSetting } from './config.ts';
import type { Layout } from '../core/shape.ts';

const TOGGLE = 'mcalc.toggleLayout';
/** After typing stops: the directive may have been added or removed (diagnostics analyse on the same beat). */
const EDIT_DEBOUNCE_MS = 200;

export function registerStatusBar(ctx: Context): void {
  const item = vscode.window.createStatusBarItem('mcalc.layout', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Matrix Calculus layout';
  item.command = TOGGLE;
  const update = async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !isMcalcDocument(editor.document)) return item.hide();
    const pin = await pinned(ctx, editor.document);
    if (editor !== vscode.window.activeTextEditor) return; // another editor came meanwhile: its update shows
    const layout = pin?.layout ?? layoutSetting(editor.document.uri);
    const jacobian = `Jacobians in ${layout} layout (${layout === 'numerator' ? 'd(scalar)/d(vector[n]) is 1×n' : 'd(scalar)/d(vector[n]) is n×1'})`;
    if (pin) {
      item.text = `$(lock) ${layout} layout (pinned)`;
      item.tooltip = `${jacobian}, pinned by \`layout ${layout}\` on line ${pin.range.start.line + 1} of this document. Edit that line to change it.`;
      item.accessibilityInformation = { label: `Matrix Calculus: ${layout} layout, pinned by the document on line ${pin.range.start.line + 1}.` };
    } else {
      item.text = `$(arrow-swap) ${layout} layout`;
      item.tooltip = `${jacobian}. Click for ${other(layout)} layout.`;
      item.accessibilityInformation = { label: `Matrix Calculus: ${layout} layout. Activate to switch to ${other(layout)} layout.` };
    }
    item.show();
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  ctx.subscribe(
    item,
    vscode.commands.registerCommand(TOGGLE, () => toggleLayout(ctx)),
    vscode.window.onDidChangeActiveTextEditor(() => void update()),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== vscode.window.activeTextEditor?.document) return;
      clearTimeout(timer);
      timer = setTimeout(update, EDIT_DEBOUNCE_MS);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mcalc.layout') && void update()),
    { dispose: () => clearTimeout(timer) },
  );
  void update();
}

/** The document's `layout` directive, with its range in the real document, or undefined. */
async function pinned(ctx: Context, doc: vscode.TextDocument): Promise<{ layout: Layout; range: vscode.Range } | undefined> {
  const result = await ctx.analysisReady(doc);
  const directive = result?.analysis.layoutDirective;
  return result && directive && { layout: directive.layout, range: realRange(result, directive.range) };
}

function other(layout: Layout): Layout {
  return layout === 'numerator' ? 'denominator' : 'numerator';
}

/**
 * Switches the layout of the active document's scope and returns the new one. A pinned document keeps its
 * layout (returned unchanged); the message is not awaited, so the command returns while it is shown.
 */
async function toggleLayout(ctx: Context): Promise<Layout> {
  const editor = vscode.window.activeTextEditor;
  const pin = editor && isMcalcDocument(editor.document) ? await pinned(ctx, editor.document) : undefined;
  if (editor && pin) {
    const go = 'Go to Directive';
    void vscode.window
      .showInformationMessage(`This document pins \`layout ${pin.layout}\` on line ${pin.range.start.line + 1}, so the setting does not change it. Edit that line to use the ${other(pin.layout)} layout.`, go)
      .then((choice) => {
        if (choice !== go) return;
        void vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, selection: pin.range });
      });
    return pin.layout;
  }
  const uri = editor?.document.uri;
  const config = vscode.workspace.getConfiguration('mcalc', uri);
  const set = config.inspect<string>('layout');
  const target =
    set?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder : set?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const next = other(layoutSetting(uri));
  await config.update('layout', next, target);
  return next;
}
