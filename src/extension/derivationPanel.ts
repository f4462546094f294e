// The derivation preview: a webview beside the editor showing the paper's four steps for the derivative form
// at the cursor, typeset with KaTeX. The extension host only finds the form at the cursor (in the analysis it
// keeps anyway); the result, the record and the quick check come from worker threads (only the latest request
// counts), and the record's JSON goes to the webview unparsed. Like VS Code's Markdown preview, the HTML is set once; every update is a typed postMessage, and
// the webview keeps the last one as state, so hiding or reloading the panel loses nothing.

import * as vscode from 'vscode';
import { Context } from './context.ts';
import { derivationService } from './derivationService.ts';
import type { DerivationJob, DerivationReply } from '../core/workers/protocol.ts';
import { NO_FORM_MESSAGE, formKey } from './worker/derivationJobs.ts';
import { derivativeAt, derivativeShapeText } from '../core/presentation.ts';
import type { ClaimParts, FromWebview, ToWebview, WebviewState } from '../webview/protocol.ts';
import type { Analysis, DerivativeInfo } from '../core/analyze.ts';
import { definitionNames, documentNames } from '../core/diff/result.ts';
import { toLatex } from '../core/print.ts';
import type { Range } from '../core/source.ts';
import { webviewHtml } from './webviewHtml.ts';
import { COPY_FORMATS } from '../core/diff/copy.ts';

const VIEW_TYPE = 'mcalc.derivation';

/**
 * The right side of the claim whose left side is `form`, to typeset beside mcalc's result. Printed on the host:
 * it is what the user typed on one line, printed with the document's names (small, unlike a result).
 */
function claimParts(analysis: Analysis, form: DerivativeInfo, lineOf: (r: Range) => number): ClaimParts | undefined {
  const claim = analysis.claims.find((c) => c.derivative === form);
  if (!claim?.formula) return undefined;
  const latex = toLatex(claim.formula, { names: definitionNames(analysis), avoid: documentNames(analysis) });
  return { text: claim.formulaText, latex, line: lineOf(claim.range) };
}
/** Waiting for typing to pause. A cursor move is answered at once (after the events of the same tick): finding
 * its form is a lookup in the cached analysis, and the workers keep only the latest job anyway. */
const EDIT_DEBOUNCE_MS = 250;
const CURSOR_DEBOUNCE_MS = 0;
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
  /** The form whose derivation the webview has or is being sent (answers for other forms are dropped). */
  private requested: { key: string; title: string } | undefined;
  /** What was posted about the requested form, in order (re-sent to a webview that reloads). */
  private sent: ToWebview[] = [];
  /** Where the shown derivation's form starts: the copy buttons copy that one, even when not following. */
  private shownForm: { uri: string; offset: number } | undefined;
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
    this.requested = undefined;
    this.sent = [];
    panel.webview.options = this.options();
    panel.webview.html = this.html(panel.webview);
    panel.iconPath = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media', 'icon.svg');
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.target = undefined;
      this.requested = undefined;
      this.sent = [];
      this.shownForm = undefined;
      this.status = { computing: false, following: false };
    });
    panel.webview.onDidReceiveMessage((m: FromWebview) => {
      if (m?.type === 'ready') {
        // A (re)loaded webview shows its saved state: send it what the current form has so far, and follow on.
        for (const sent of this.sent) void panel.webview.postMessage(sent);
        void this.update();
      } else if (m?.type === 'rendered' && m.key === this.requested?.key) {
        this.status = { ...this.status, rendered: { key: m.key, title: this.requested.title, part: m.part, at: Date.now() } };
      } else if (m?.type === 'copy' && this.shownForm && COPY_FORMATS.includes(m.format)) {
        // The palette command does the copying (and its message), given the form's place.
        void vscode.commands.executeCommand(`mcalc.copyDerivation.${m.format}`, this.shownForm.uri, this.shownForm.offset);
      }
    });
  }

  private html(webview: vscode.Webview): string {
    return webviewHtml(webview, this.ctx.extension.extensionUri, {
      title: 'Derivation',
      styles: ['katex/katex.min.css', 'webview.css'],
      script: 'webview.js',
      body: '<div id="status" class="status" role="status"></div>\n<main id="root"><p class="empty">Computing the derivation…</p></main>',
    });
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), ms);
  }

  private post(m: ToWebview): void {
    if (m.type === 'headline' || m.type === 'derivation' || m.type === 'check') this.sent.push(m);
    void this.panel?.webview.postMessage(m);
  }

  /**
   * Finds the form at the target (in the analysis the editor already has), then asks the workers for its
   * result (shown at once), its record (the steps), and its quick check, posting each as it arrives.
   */
  async update(): Promise<void> {
    clearTimeout(this.timer);
    const target = this.target;
    if (!this.panel || !target) return;
    this.post({ type: 'state', state: { uri: target.uri.toString(), offset: target.offset } });
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.uri.toString());
    const analysed = doc && (await this.ctx.analysisReady(doc));
    if (!doc || !analysed) return this.notFollowing(doc ? 'The derivation preview works on .mcalc files and ```mcalc blocks in Markdown.' : 'Open the document again to follow its derivative forms.');
    const p = analysed.toVirtual(doc.positionAt(target.offset));
    const form = p && derivativeAt(analysed.analysis, analysed.analysis.lines.offsetAt(p));
    if (!form) return this.notFollowing(NO_FORM_MESSAGE);
    const service = derivationService(this.ctx);
    const snapshot = service.snapshot(doc);
    const key = formKey(snapshot, form);
    this.status = { ...this.status, following: true };
    if (key === this.requested?.key) return this.post({ type: 'following' }); // that one is shown or on its way
    const layout = analysed.analysis.layout;
    const claim = claimParts(analysed.analysis, form, (r) => analysed.toReal(r).start.line + 1);
    const head = { key, title: form.text, file: vscode.workspace.asRelativePath(doc.uri), line: analysed.toReal(form.range).start.line + 1, layout, pinned: analysed.analysis.layoutDirective !== undefined, shape: derivativeShapeText(form, layout), ...(claim ? { claim } : {}) };
    this.requested = { key, title: head.title };
    this.sent = [];
    service.checks.cancelAll(); // the previous form's quick check is of no use now
    const current = () => this.requested?.key === key && this.panel !== undefined;
    const { line, character } = analysed.toReal(form.range).start;
    const job = (kind: DerivationJob['kind']): DerivationJob => ({ kind, doc: snapshot, at: { line, character } });
    const progress = setTimeout(() => {
      if (!current()) return;
      this.status = { ...this.status, computing: true };
      this.post({ type: 'computing', what: head.title });
    }, PROGRESS_AFTER_MS);
    try {
      const result = await this.ask(service.result(doc, { line, character }, 'headline'), current);
      if (result?.kind !== 'result' || !result.result) return;
      this.panel!.title = `Derivation: ${head.title}`;
      this.post({ type: 'headline', ...head, result: result.result });
      this.shownForm = { uri: doc.uri.toString(), offset: doc.offsetAt(new vscode.Position(line, character)) };
      const record = await this.ask(service.derivations.run(job('derivation'), 'record'), current);
      if (record?.kind !== 'derivation') return;
      this.status = { ...this.status, computing: false };
      this.post({ type: 'derivation', ...head, result: result.result, json: record.json });
      const check = await this.ask(service.checks.run(job('check')), current);
      if (check?.kind === 'check') this.post({ type: 'check', key, ...(check.check ? { check: check.check } : {}) });
    } finally {
      clearTimeout(progress);
    }
  }

  /** The worker's reply while it is still wanted; errors are posted (and the form may be asked for again). */
  private async ask(reply: Promise<DerivationReply | undefined>, current: () => boolean): Promise<DerivationReply | undefined> {
    let r: DerivationReply | undefined;
    try {
      r = await reply;
    } catch (e) {
      r = { kind: 'error', message: `The derivation worker failed: ${(e as Error).message}` };
    }
    if (!r || !current()) return undefined;
    if (r.kind === 'error' || r.kind === 'none') {
      this.requested = undefined;
      this.status = { ...this.status, computing: false };
      this.post({ type: 'error', message: r.message });
      return undefined;
    }
    return r;
  }

  private notFollowing(message: string): void {
    this.status = { ...this.status, computing: false, following: false };
    this.post({ type: 'notFollowing', message });
  }
}
