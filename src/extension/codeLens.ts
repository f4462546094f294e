// Code lenses above every derivative form and claim: "Show derivation" and "Check".

import * as vscode from 'vscode';
import { Context, SELECTOR, toVsRange } from './context.ts';

export function registerCodeLenses(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerCodeLensProvider(SELECTOR, {
      provideCodeLenses(doc) {
        const result = ctx.analysis(doc);
        if (!result) return [];
        const lenses: vscode.CodeLens[] = [];
        const seenLines = new Set<number>();
        for (const d of result.analysis.derivatives) {
          const range = toVsRange(result.toReal(d.range));
          if (seenLines.has(range.start.line)) continue;
          seenLines.add(range.start.line);
          const offset = doc.offsetAt(range.start);
          const claim = result.analysis.claims.some((c) => c.derivative === d);
          lenses.push(
            new vscode.CodeLens(range, { title: 'Show derivation', command: 'mcalc.showDerivation', arguments: [doc.uri.toString(), offset], tooltip: `The steps of ${d.text}, typeset` }),
            new vscode.CodeLens(range, { title: claim ? 'Check claim' : 'Check', command: 'mcalc.check', arguments: [doc.uri.toString(), range.start.line], tooltip: 'Compare with central finite differences' }),
          );
        }
        return lenses;
      },
    }),
  );
}
