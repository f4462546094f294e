// Code lenses above every derivative form and claim: "Show derivation" and "Check"; a claim's lens carries its
// as-you-type verdict (✓/✗/?). Off when `mcalc.codeLens.enabled` is false. The editor asks for every lens of
// the document after each edit but shows only those on screen: a lens gets its command when shown
// (resolveCodeLens), so the 2,496 lenses of a 5,000-line document cost a range each, not a command each.

import * as vscode from 'vscode';
import { Context, SELECTOR, toVsRange } from './context.ts';
import { codeLensEnabled } from './config.ts';
import type { ClaimInfo, DerivativeInfo } from '../core/analyze.ts';
import { verdictMark, verdictSummary, type ClaimChecker } from './claimsAsYouType.ts';

/** A lens and how to make its command when the editor shows it. */
class LazyLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly make: () => vscode.Command,
  ) {
    super(range);
  }
}

export function registerCodeLenses(ctx: Context, claims: ClaimChecker): void {
  const changed = new vscode.EventEmitter<void>();
  ctx.subscribe(
    changed,
    claims.onDidChange(() => changed.fire()),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mcalc.codeLens') && changed.fire()),
    vscode.languages.registerCodeLensProvider(SELECTOR, {
      onDidChangeCodeLenses: changed.event,
      async provideCodeLenses(doc) {
        const result = await ctx.analysisReady(doc);
        if (!result || !codeLensEnabled(doc.uri)) return [];
        const lenses: vscode.CodeLens[] = [];
        const seenLines = new Set<number>();
        // The first claim of each derivative (claims naming one definition share its derivative).
        const claimOf = new Map<DerivativeInfo, ClaimInfo>();
        for (const c of result.analysis.claims) if (c.derivative && !claimOf.has(c.derivative)) claimOf.set(c.derivative, c);
        for (const d of result.analysis.derivatives) {
          const range = toVsRange(result.toReal(d.range));
          if (seenLines.has(range.start.line)) continue;
          seenLines.add(range.start.line);
          const offset = doc.offsetAt(range.start);
          // A claim may name a definition (`check g = …`): its verdict is on the claim's line, its lens on g's.
          const claim = claimOf.get(d);
          lenses.push(
            new LazyLens(range, () => ({ title: 'Show derivation', command: 'mcalc.showDerivation', arguments: [doc.uri.toString(), offset], tooltip: `The steps of ${d.text}, typeset` })),
            new LazyLens(range, () => {
              const verdict = claim && claims.verdict(doc, result.toReal(claim.range).start.line);
              const check = verdict
                ? { title: `${verdictMark(verdict)} Check claim`, tooltip: `As you type: ${verdictSummary(verdict)}. Click to check again at random sizes.` }
                : { title: claim ? 'Check claim' : 'Check', tooltip: 'Compare with central finite differences' };
              return { ...check, command: 'mcalc.check', arguments: [doc.uri.toString(), range.start.line] };
            }),
          );
        }
        return lenses;
      },
      resolveCodeLens(lens) {
        if (lens instanceof LazyLens) lens.command = lens.make();
        return lens;
      },
    }),
  );
}
