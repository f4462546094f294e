// The derivation workers of the running extension: one derives — results (a hover's, the preview's headline,
// the document's other large forms') before whole records, so a hover waits for at most the job in hand and
// the cursor's next form has its result ready — and one runs the preview's quick checks. Each keeps only the
// latest job of each lane (see worker/latestClient.ts). The results of large derivative forms are computed in
// the background when their document opens or changes, so hovers and the preview find them ready.

import * as vscode from 'vscode';
import { isMcalcDocument } from './analysisCache.ts';
import type { Context } from './context.ts';
import type { Node } from '../core/ir.ts';
import type { DerivationJob, DerivationReply, DocumentSnapshot } from '../core/workers/protocol.ts';
import { LatestClient } from './worker/latestClient.ts';

/** Forms whose function has more DAG nodes than this are differentiated in the worker, not on the host. */
export const IN_HOST_NODES = 150;
const PREPARED_SCHEMES = new Set(['file', 'untitled']);
/** Background preparation waits for typing to pause. */
const PREPARE_DEBOUNCE_MS = 400;

export class DerivationService {
  /** Results first (hovers, the preview's headline, then the other large forms'), whole records last. */
  readonly derivations: LatestClient<DerivationJob, DerivationReply, 'hover' | 'headline' | 'background' | 'record'>;
  readonly checks: LatestClient<DerivationJob, DerivationReply>;
  /**
   * Results on their way or done, for the latest version of each document: a hover over the form the preview is
   * deriving shares that job instead of queueing a second one behind it.
   */
  private readonly results = new Map<string, Promise<DerivationReply | undefined>>();
  private prepareTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every preparation: an older one stops. */
  private prepareGeneration = 0;

  constructor(private readonly ctx: Context) {
    const path = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'derivationWorker.js').fsPath;
    // Background work is never cut short: it would throw away the worker's warm caches.
    this.derivations = new LatestClient(path, ['hover', 'headline', 'background', 'record'], 1500, ['hover', 'headline', 'record']);
    this.checks = new LatestClient(path);
    ctx.subscribe(
      vscode.workspace.onDidOpenTextDocument((doc) => this.schedulePrepare(doc, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedulePrepare(e.document, PREPARE_DEBOUNCE_MS)),
      {
        dispose: () => {
          clearTimeout(this.prepareTimer);
          this.derivations.dispose();
          this.checks.dispose();
        },
      },
    );
    const open = vscode.window.activeTextEditor?.document;
    if (open) this.schedulePrepare(open, 0);
  }

  snapshot(doc: vscode.TextDocument): DocumentSnapshot {
    return { key: doc.uri.toString(), version: doc.version, text: doc.getText(), languageId: doc.languageId, layout: this.ctx.layout(doc) };
  }

  /** The result of the form at `at` (its start): shared with any request for the same form and version. */
  result(doc: vscode.TextDocument, at: { line: number; character: number }, lane: 'hover' | 'headline' | 'background'): Promise<DerivationReply | undefined> {
    const snapshot = this.snapshot(doc);
    const key = `${snapshot.key}#${snapshot.version}#${snapshot.layout}#${at.line}:${at.character}`;
    const ask = () => this.derivations.run({ kind: 'result', doc: snapshot, at }, lane);
    const shared = this.results.get(key);
    // A shared job that was superseded in its own lane answers undefined: this caller then asks in its lane.
    if (shared) return shared.then((r) => r ?? ask());
    for (const k of this.results.keys()) if (k.startsWith(`${snapshot.key}#`)) this.results.delete(k); // an older version's
    const mine = ask().then((r) => {
      if (!r || r.kind === 'error') this.results.delete(key);
      return r;
    });
    this.results.set(key, mine);
    return mine;
  }

  /** Computes the results of the large forms of `doc` in the background, one job per form (a hover waits for one at most). */
  private schedulePrepare(doc: vscode.TextDocument, delayMs: number): void {
    // Only the user's documents (not, say, git's copy of the same file opened for a diff).
    if (!isMcalcDocument(doc) || !PREPARED_SCHEMES.has(doc.uri.scheme)) return;
    clearTimeout(this.prepareTimer);
    this.prepareTimer = setTimeout(() => void this.prepare(doc), delayMs);
  }

  private async prepare(doc: vscode.TextDocument): Promise<void> {
    const generation = ++this.prepareGeneration;
    const analysed = doc.isClosed ? undefined : await this.ctx.analysisReady(doc);
    if (!analysed) return;
    for (const form of analysed.analysis.derivatives) {
      if (dagSizeAtMost(form.of, IN_HOST_NODES)) continue;
      const done = await this.result(doc, analysed.toReal(form.range).start, 'background').catch(() => undefined);
      if (!done || generation !== this.prepareGeneration) return; // superseded: a newer version is being prepared
    }
  }
}

const services = new WeakMap<Context, DerivationService>();

/** The extension's derivation workers (started on first use). */
export function derivationService(ctx: Context): DerivationService {
  let s = services.get(ctx);
  if (!s) services.set(ctx, (s = new DerivationService(ctx)));
  return s;
}

/** Whether the DAG under `root` has at most `limit` nodes (stops counting past the limit). */
export function dagSizeAtMost(root: Node, limit: number): boolean {
  const seen = new Set<Node>([root]);
  const stack = [root];
  while (stack.length) {
    for (const a of stack.pop()!.args) {
      if (seen.has(a)) continue;
      if (seen.size >= limit) return false;
      seen.add(a);
      stack.push(a);
    }
  }
  return true;
}
