// Hover: the shape of the innermost name or subexpression under the cursor; Jacobian shapes in both layouts
// and the symbolic result on derivative forms. A small form's result is computed here (it takes
// milliseconds); a large one's in the derivation worker, so a deep nest never blocks the editor.

import * as vscode from 'vscode';
import { Context, SELECTOR, toVsRange } from './context.ts';
import { hoverAt } from '../core/analyze.ts';
import { hoverMarkdown } from '../core/presentation.ts';
import { cachedResult } from '../core/diff/derivation.ts';
import { IN_HOST_NODES, dagSizeAtMost, derivationService } from './derivationService.ts';
import type { ResultParts } from '../core/workers/protocol.ts';

export function registerHover(ctx: Context): void {
  derivationService(ctx); // from now on, documents with large forms are prepared in the background as they open
  ctx.subscribe(
    vscode.languages.registerHoverProvider(SELECTOR, {
      async provideHover(doc, position, token) {
        const result = await ctx.analysisReady(doc);
        const p = result?.toVirtual({ line: position.line, character: position.character });
        if (!result || !p) return undefined;
        const { analysis } = result;
        const entry = hoverAt(analysis, analysis.lines.offsetAt(p));
        if (!entry) return undefined;
        const range = toVsRange(result.toReal(analysis.lines.range(entry.start, entry.end)));
        const hover = (formula?: ResultParts) => new vscode.Hover(new vscode.MarkdownString(hoverMarkdown(entry, analysis.layout, formula)), range);
        const form = entry.derivative;
        if (!form) return hover();
        if (dagSizeAtMost(form.of, IN_HOST_NODES)) return hover(cachedResult(analysis, form, analysis.layout) ?? undefined);
        return resultInWorker(ctx, doc, result.toReal(form.range).start, token).then(hover);
      },
    }),
  );
}

/** The form's result from the hover worker; undefined (a hover with shapes only) if it failed or was superseded. */
async function resultInWorker(ctx: Context, doc: vscode.TextDocument, at: { line: number; character: number }, token: vscode.CancellationToken): Promise<ResultParts | undefined> {
  const service = derivationService(ctx);
  try {
    const reply = await service.result(doc, at, 'hover');
    return !token.isCancellationRequested && reply?.kind === 'result' ? (reply.result ?? undefined) : undefined;
  } catch {
    return undefined;
  }
}
