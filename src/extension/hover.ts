// Hover: the shape of the innermost name or subexpression under the cursor; Jacobian shapes in both layouts
// on derivative forms.

import * as vscode from 'vscode';
import { Context, SELECTOR, toVsRange } from './context.ts';
import { hoverAt } from '../core/analyze.ts';
import { hoverMarkdown } from '../core/presentation.ts';
import { cachedResult } from '../core/diff/derivation.ts';

export function registerHover(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerHoverProvider(SELECTOR, {
      provideHover(doc, position) {
        const result = ctx.analysis(doc);
        const p = result?.toVirtual({ line: position.line, character: position.character });
        if (!result || !p) return undefined;
        const { analysis } = result;
        const entry = hoverAt(analysis, analysis.lines.offsetAt(p));
        if (!entry) return undefined;
        const range = result.toReal(analysis.lines.range(entry.start, entry.end));
        const formula = entry.derivative ? cachedResult(analysis, entry.derivative, analysis.layout) ?? undefined : undefined;
        return new vscode.Hover(new vscode.MarkdownString(hoverMarkdown(entry, analysis.layout, formula)), toVsRange(range));
      },
    }),
  );
}
