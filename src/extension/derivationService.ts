// The derivation workers of the running extension: one derives (hover results before the preview's, and
// background work last, so a hover waits for at most the job in hand, and finds the result cached when the
// preview has been there), one runs the preview's quick checks. Each keeps only the latest job of each lane (see worker/latestWorker.ts).

import * as vscode from 'vscode';
import type { Context } from './context.ts';
import type { DerivationJob, DerivationReply, DocumentSnapshot } from './worker/derivationJob.ts';
import { LatestWorker } from './worker/latestWorker.ts';

export class DerivationService {
  readonly derivations: LatestWorker<DerivationJob, DerivationReply, 'hover' | 'preview' | 'background'>;
  readonly checks: LatestWorker<DerivationJob, DerivationReply>;

  constructor(private readonly ctx: Context) {
    const path = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'derivationWorker.js').fsPath;
    this.derivations = new LatestWorker(path, ['hover', 'preview', 'background']);
    this.checks = new LatestWorker(path);
    ctx.subscribe({
      dispose: () => {
        this.derivations.dispose();
        this.checks.dispose();
      },
    });
  }

  snapshot(doc: vscode.TextDocument): DocumentSnapshot {
    return { key: doc.uri.toString(), version: doc.version, text: doc.getText(), languageId: doc.languageId, layout: this.ctx.layout(doc) };
  }
}

const services = new WeakMap<Context, DerivationService>();

/** The extension's derivation workers (started on first use). */
export function derivationService(ctx: Context): DerivationService {
  let s = services.get(ctx);
  if (!s) services.set(ctx, (s = new DerivationService(ctx)));
  return s;
}
