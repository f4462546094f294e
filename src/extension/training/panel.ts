// The training panel's webview: created beside the editor when training starts, its HTML set once (strict
// CSP with a fresh nonce; uPlot bundled into media/training.js, no CDN), updated by typed messages. The webview
// keeps what it shows as state and a serializer re-adopts it after a reload, so hiding or reloading the
// window loses nothing.

import * as vscode from 'vscode';
import type { Context } from '../context.ts';
import { type WebviewPage, showPage, webviewOptions } from '../webviewHtml.ts';
import type { FromTrainingPanel, ToTrainingPanel, TrainingPanelState } from '../../webview/training/protocol.ts';

export const TRAINING_VIEW_TYPE = 'mcalc.training';

const PAGE: WebviewPage = {
  title: 'Training',
  styles: ['uplot/uPlot.min.css', 'training.css'],
  script: 'training.js',
  body: `<header><h1>Training</h1><div id="file"></div></header>
<div class="toolbar">
  <button id="cancel">Cancel</button>
  <button id="rerun" class="secondary">Rerun</button>
  <button id="change" class="secondary">Change settings…</button>
  <button id="compare" class="secondary">Compare…</button>
  <button id="save" class="secondary">Save run</button>
  <button id="copy" class="secondary">Copy parameters</button>
  <label class="toggle"><input type="checkbox" id="log"> log scale</label>
</div>
<div id="headlines"></div>
<div id="chart"></div>
<p id="caption"></p>
<p id="note"></p>
<main id="runs"></main>`,
};

export class TrainingPanel {
  private panel: vscode.WebviewPanel | undefined;
  /** The webview's script has said `ready` (a fresh, hidden or reloading webview would drop messages). */
  private ready = false;

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
    const panel = vscode.window.createWebviewPanel(TRAINING_VIEW_TYPE, 'Training', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.ctx.extension.extensionUri));
    this.adopt(panel);
  }

  /** Posts to a live webview; messages meanwhile are dropped (on `ready` the controller sends a snapshot). */
  post(m: ToTrainingPanel): void {
    if (this.ready) void this.panel?.webview.postMessage(m);
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    showPage(panel, this.ctx.extension.extensionUri, PAGE);
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    // A hidden webview is destroyed (and reloads when shown again, saying `ready`).
    panel.onDidChangeViewState(() => {
      if (!panel.visible) this.ready = false;
    });
    panel.webview.onDidReceiveMessage((m: FromTrainingPanel) => {
      if (m.type === 'ready') this.ready = true;
      this.onMessage(m);
    });
  }
}
