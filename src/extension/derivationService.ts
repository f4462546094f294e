// The derivation workers of the running extension: one for the preview, one for hovers, so a hover never
// waits behind a big preview. Each keeps only its latest job (see worker/latestWorker.ts).

import * as vscode from 'vscode';
import type { Context } from './context.ts';
import type { DerivationJob, DerivationReply, DocumentSnapshot } from './worker/derivationJob.ts';
import { LatestWorker } from './worker/latestWorker.ts';

export class DerivationService {
  readonly preview: LatestWorker<DerivationJob, DerivationReply>;
  readonly hover: LatestWorker<DerivationJob, DerivationReply>;

  constructor(private readonly ctx: Context) {
    const path = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'derivationWorker.js').fsPath;
    this.preview = new LatestWorker(path);
    this.hover = new LatestWorker(path);
    ctx.subscribe({
      dispose: () => {
        this.preview.dispose();
        this.hover.dispose();
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
