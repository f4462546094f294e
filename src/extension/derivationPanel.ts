// The derivation preview: a webview beside the editor showing the paper's four steps for the derivative form
// at the cursor, typeset with KaTeX. The extension host computes nothing here: the record and its quick check
// come from the derivation worker (only the latest request counts), and the record's JSON goes to the webview
// unparsed. Like VS Code's Markdown preview, the HTML is set once; every update is a typed postMessage, and
// the webview keeps the last one as state, so hiding or reloading the panel loses nothing.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isMcalcDocument } from './analysisCache.ts';
import { Context } from './context.ts';
import { derivationService } from './derivationService.ts';
import type { DerivationJob, DerivationReply } from './worker/derivationJob.ts';
import type { FromWebview, ToWebview, WebviewState } from '../webview/protocol.ts';

const VIEW_TYPE = 'mcalc.derivation';
/** Waiting for typing to pause; a cursor move answers almost at once. */
const EDIT_DEBOUNCE_MS = 250;
const CURSOR_DEBOUNCE_MS = 30;
/** Jobs that answer sooner than this show no progress (no flicker). */
const PROGRESS_AFTER_MS = 150;

interface Target {
  uri: vscode.Uri;
  offset: number;
}

/** What the preview shows, for tests and status: the webview's own report of what is on screen. */
export interface PreviewStatus {
  rendered?: { key: string; title: string; part: 'headline' | 'steps'; at: number };
  computing: boolean;
  following: boolean;
}

export class DerivationPreview {
  private panel: vscode.WebviewPanel | undefined;
  private target: Target | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every update: answers to older ones are dropped. */
  private generation = 0;
  /** The derivation the webview has (its key and title). */
  private shown: { key: string; title: string } | undefined;
  private status: PreviewStatus = { computing: false, following: false };

  constructor(private readonly ctx: Context) {
    ctx.subscribe(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && this.target && e.document.uri.toString() === this.target.uri.toString()) this.schedule(EDIT_DEBOUNCE_MS);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        // Follow the cursor to another derivative form of the same document.
        if (!this.panel || !this.target || e.textEditor.document.uri.toString() !== this.target.uri.toString()) return;
        this.target = { uri: this.target.uri, offset: e.textEditor.document.offsetAt(e.selections[0].active) };
        this.schedule(CURSOR_DEBOUNCE_MS);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (this.panel && e.affectsConfiguration('mcalc.layout')) void this.update();
      }),
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: WebviewState | undefined) => {
          this.adopt(panel);
          if (state?.uri !== undefined && state.offset !== undefined) this.target = { uri: vscode.Uri.parse(state.uri), offset: state.offset };
          void this.update();
        },
      }),
      // Not in the command palette: what the preview has on screen (the real-VS-Code tests time it).
      vscode.commands.registerCommand('mcalc.derivationPreviewStatus', (): PreviewStatus => this.status),
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
    void this.update();
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media')] };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.shown = undefined;
    panel.webview.options = this.options();
    panel.webview.html = this.html(panel.webview);
    panel.iconPath = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media', 'icon.svg');
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.target = undefined;
      this.shown = undefined;
      this.status = { computing: false, following: false };
    });
    panel.webview.onDidReceiveMessage((m: FromWebview) => {
      if (m?.type === 'ready') {
        // A (re)loaded webview shows its saved state; send what is current.
        this.shown = undefined;
        void this.update();
      } else if (m?.type === 'rendered' && m.key === this.shown?.key) {
        this.status = { ...this.status, rendered: { key: m.key, title: this.shown.title, part: m.part, at: Date.now() } };
      }
    });
  }

  private html(webview: vscode.Webview): string {
    const media = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media', f)).toString();
    const nonce = randomBytes(18).toString('base64');
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('katex/katex.min.css')}">
<link rel="stylesheet" href="${media('webview.css')}">
<title>Derivation</title>
</head>
<body>
<div id="status" class="status" role="status"></div>
<main id="root"><p class="empty">Computing the derivation…</p></main>
<script nonce="${nonce}" src="${media('webview.js')}"></script>
</body>
</html>`;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), ms);
  }

  private post(m: ToWebview): void {
    void this.panel?.webview.postMessage(m);
  }

  /** Asks the worker for the target's derivation, then for its quick check, and posts what changed. */
  async update(): Promise<void> {
    clearTimeout(this.timer);
    const target = this.target;
    if (!this.panel || !target) return;
    const generation = ++this.generation;
    const current = () => generation === this.generation && this.panel !== undefined;
    this.post({ type: 'state', state: { uri: target.uri.toString(), offset: target.offset } });
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.uri.toString());
    if (!doc) return this.notFollowing('Open the document again to follow its derivative forms.');
    if (!isMcalcDocument(doc)) return this.notFollowing('The derivation preview works on .mcalc files and ```mcalc blocks in Markdown.');
    const job = (kind: DerivationJob['kind']): DerivationJob => ({ kind, doc: derivationService(this.ctx).snapshot(doc), at: doc.positionAt(target.offset) });
    const progress = setTimeout(() => {
      if (!current()) return;
      this.status = { ...this.status, computing: true };
      this.post({ type: 'computing', what: 'the derivation' });
    }, PROGRESS_AFTER_MS);
    const reply = await this.ask(job('derivation'));
    clearTimeout(progress);
    if (!reply || !current()) return;
    this.status = { ...this.status, computing: false };
    if (reply.kind === 'none') return this.notFollowing(reply.message);
    if (reply.kind === 'error') return this.post({ type: 'error', message: reply.message });
    if (reply.kind !== 'derivation') return;
    this.status = { ...this.status, following: true };
    if (reply.formKey === this.shown?.key) return this.post({ type: 'following' });
    this.shown = { key: reply.formKey, title: reply.title };
    this.panel!.title = `Derivation: ${reply.title}`;
    this.post({ type: 'derivation', key: reply.formKey, title: reply.title, file: vscode.workspace.asRelativePath(doc.uri), line: reply.line, json: reply.json });
    const check = await this.ask(job('check'));
    if (check?.kind === 'check' && current()) this.post({ type: 'check', key: check.formKey, ...(check.check ? { check: check.check } : {}) });
  }

  private async ask(job: DerivationJob): Promise<DerivationReply | undefined> {
    try {
      return await derivationService(this.ctx).preview.run(job);
    } catch (e) {
      return { kind: 'error', message: `The derivation worker failed: ${(e as Error).message}` };
    }
  }

  private notFollowing(message: string): void {
    this.status = { ...this.status, computing: false, following: false };
    this.post({ type: 'notFollowing', message });
  }
}
