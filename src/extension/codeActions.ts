// Quick fixes: the mechanical fixes the analysis attaches to its diagnostics ("Change to 'sin'", "Use the
// element-wise product ⊗", "Transpose the claimed formula", …).

import * as vscode from 'vscode';
import { Context, SELECTOR, toVsRange } from './context.ts';

export function registerCodeActions(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      {
        provideCodeActions(doc, range, context) {
          const result = ctx.analysis(doc);
          if (!result) return [];
          const actions: vscode.CodeAction[] = [];
          for (const d of result.analysis.diagnostics) {
            if (!d.fixes?.length) continue;
            const where = toVsRange(result.toReal(d.range));
            if (!where.intersection(range) && !range.contains(where)) continue;
            // The diagnostic as VS Code shows it (from the request, or the collection), so the fix is attached to it.
            const same = (v: vscode.Diagnostic) => v.source === 'mcalc' && v.range.isEqual(where) && v.code === d.code;
            const shown = context.diagnostics.find(same) ?? vscode.languages.getDiagnostics(doc.uri).find(same);
            d.fixes.forEach((fix, i) => {
              const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
              action.edit = new vscode.WorkspaceEdit();
              for (const e of fix.edits) action.edit.replace(doc.uri, toVsRange(result.toReal(e.range)), e.newText);
              if (shown) action.diagnostics = [shown];
              action.isPreferred = i === 0 && d.fixes!.length === 1;
              actions.push(action);
            });
          }
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );
}
