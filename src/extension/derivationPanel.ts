// The derivation preview: a webview beside the editor showing the paper's four steps for the derivative form
// at the cursor, typeset with KaTeX. Like VS Code's Markdown preview, the HTML is set once; every update is a
// typed postMessage (debounced as you type), and the webview keeps the last one as state, so hiding or
// reloading the panel loses nothing.

import * as vscode from 'vscode';
import { Context } from './context.ts';
import { webviewHtml } from './webviewHtml.ts';
import type { Analysis, DerivativeInfo } from '../core/analyze.ts';
import { derive } from '../core/diff/derivation.ts';
import { derivativeAt } from '../core/presentation.ts';
import { checkTarget, type CheckTarget } from '../core/numeric/gradcheck.ts';
import type { CheckSummary, WebviewState } from '../webview/protocol.ts';

const VIEW_TYPE = 'mcalc.derivation';
const DEBOUNCE_MS = 250;

interface Target {
  uri: vscode.Uri;
  offset: number;
}

export class DerivationPreview {
  private panel: vscode.WebviewPanel | undefined;
  private target: Target | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The last message, re-sent when the webview (re)loads. */
  private last: WebviewState['last'];

  constructor(private readonly ctx: Context) {
    ctx.subscribe(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && this.target && e.document.uri.toString() === this.target.uri.toString()) this.schedule();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        // Follow the cursor to another derivative form of the same document.
        if (!this.panel || !this.target || e.textEditor.document.uri.toString() !== this.target.uri.toString()) return;
        this.target = { uri: this.target.uri, offset: e.textEditor.document.offsetAt(e.selections[0].active) };
        this.schedule();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (this.panel && e.affectsConfiguration('mcalc.layout')) this.update();
      }),
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: WebviewState | undefined) => {
          this.adopt(panel);
          if (state?.uri !== undefined && state.offset !== undefined) this.target = { uri: vscode.Uri.parse(state.uri), offset: state.offset };
          this.last = state?.last;
          this.update();
        },
      }),
      { dispose: () => clearTimeout(this.timer) },
    );
  }

  /** Shows the derivative form at `offset` of the document (creating or revealing the panel). */
  show(uri: vscode.Uri, offset: number): void {
    this.target = { uri, offset };
    if (this.panel) this.panel.reveal(vscode.ViewColumn.Beside, true);
    else {
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Derivation', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
      this.adopt(panel);
    }
    this.update();
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
      this.panel = undefined;
      this.target = undefined;
    });
    panel.webview.onDidReceiveMessage((m: { type?: string }) => {
      if (m?.type === 'ready' && this.last) void panel.webview.postMessage(this.last);
    });
  }

  private html(webview: vscode.Webview): string {
    return webviewHtml(webview, this.ctx.extension.extensionUri, {
      title: 'Derivation',
      styles: ['katex/katex.min.css', 'webview.css'],
      script: 'webview.js',
      body: '<main id="root"><p class="empty">Computing the derivation…</p></main>',
    });
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), DEBOUNCE_MS);
  }

  /** Recomputes the derivation for the target and posts it. */
  update(): void {
    const panel = this.panel;
    const target = this.target;
    if (!panel || !target) return;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.uri.toString());
    const message: WebviewState['last'] = doc ? this.message(doc, target.offset) : { type: 'empty', message: 'Open the document again to see its derivation.' };
    this.last = message;
    void panel.webview.postMessage(message);
    const state: WebviewState = { last: message, uri: target.uri.toString(), offset: target.offset };
    void panel.webview.postMessage({ type: 'state', state });
  }

  private message(doc: vscode.TextDocument, offset: number): NonNullable<WebviewState['last']> {
    const result = this.ctx.analysis(doc);
    if (!result) return { type: 'empty', message: 'The derivation preview works on .mcalc files and ```mcalc blocks in Markdown.' };
    const { analysis } = result;
    const p = result.toVirtual(doc.positionAt(offset));
    const info = p && derivativeAt(analysis, analysis.lines.offsetAt(p));
    if (!info) return { type: 'empty', message: 'Put the cursor on a derivative form — d(f)/d(x), ∂f/∂x, grad(f, x), jacobian(f, x) or hessian(f, x) — to see its derivation.' };
    const layout = analysis.layout;
    const derivation = derive(analysis, info, layout);
    const real = result.toReal(info.range);
    this.panel!.title = `Derivation: ${info.text}`;
    const check = this.check(analysis, info);
    return { type: 'derivation', title: info.text, file: vscode.workspace.asRelativePath(doc.uri), line: real.start.line + 1, derivation, ...(check ? { check } : {}) };
  }

  /** A quick finite-difference check of this one form (small random sizes: milliseconds). */
  private check(analysis: Analysis, info: DerivativeInfo): CheckSummary | undefined {
    const claim = analysis.claims.find((c) => c.derivative === info);
    const target: CheckTarget = claim ? { kind: 'claim', info, claim, range: claim.range } : { kind: 'derivative', info, range: info.range };
    try {
      const r = checkTarget(analysis, target, { seed: 1 });
      return { passed: r.passed, status: r.status, maxAbsErr: r.maxAbsErr, maxRelErr: r.maxRelErr, ...(r.note ? { note: r.note } : {}) };
    } catch {
      return undefined;
    }
  }
}
