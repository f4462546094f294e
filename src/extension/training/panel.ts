// The training panel's webview: created beside the editor when training starts, its HTML set once (strict
// CSP, a fresh nonce, uPlot and the script bundled under media/), updated by typed messages. The webview
// keeps what it shows as state and a serializer re-adopts it after a reload, so hiding or reloading the
// window loses nothing.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Context } from '../context.ts';
import type { FromTrainingPanel, ToTrainingPanel, TrainingPanelState } from '../../webview/training/protocol.ts';

export const TRAINING_VIEW_TYPE = 'mcalc.training';

export class TrainingPanel {
  private panel: vscode.WebviewPanel | undefined;

  /**
   * `onMessage` receives the webview's button presses; `onRestore` the state of a panel brought back
   * after a reload (so that Rerun and Save still know the document and the settings).
   */
  constructor(
    private readonly ctx: Context,
    private readonly onMessage: (m: FromTrainingPanel) => void,
    onRestore: (state: TrainingPanelState | undefined) => void,
  ) {
    ctx.subscribe(
      vscode.window.registerWebviewPanelSerializer(TRAINING_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: TrainingPanelState | undefined) => {
          this.adopt(panel);
          onRestore(state);
        },
      }),
    );
  }

  /** Opens the panel beside the editor, or reveals it. */
  show(): void {
    if (this.panel) return this.panel.reveal(vscode.ViewColumn.Beside, true);
    const panel = vscode.window.createWebviewPanel(TRAINING_VIEW_TYPE, 'Training', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
    this.adopt(panel);
  }

  post(m: ToTrainingPanel): void {
    void this.panel?.webview.postMessage(m);
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media')] };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = this.options();
    panel.webview.html = this.html(panel.webview);
    panel.iconPath = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media', 'icon.svg');
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    panel.webview.onDidReceiveMessage((m: FromTrainingPanel) => this.onMessage(m));
  }

  private html(webview: vscode.Webview): string {
    const media = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media', f)).toString();
    const nonce = randomBytes(18).toString('base64');
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('uplot/uPlot.min.css')}">
<link rel="stylesheet" href="${media('training.css')}">
<title>Training</title>
</head>
<body>
<header><h1>Training</h1><div id="file"></div></header>
<div class="toolbar">
  <button id="cancel">Cancel</button>
  <button id="rerun" class="secondary">Rerun</button>
  <button id="change" class="secondary">Change settings…</button>
  <button id="compare" class="secondary">Compare…</button>
  <button id="save" class="secondary">Save run</button>
  <button id="copy" class="secondary">Copy parameters</button>
  <label class="toggle"><input type="checkbox" id="log"> log scale</label>
</div>
<div id="chart"></div>
<p id="caption"></p>
<p id="note"></p>
<main id="runs"></main>
<script nonce="${nonce}" src="${media('training.js')}"></script>
</body>
</html>`;
  }
}
