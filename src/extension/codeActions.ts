// Quick fixes: the mechanical fixes the analysis attaches to its diagnostics ("Change to 'sin'", "Use the
// element-wise product ⊗", "Transpose the claimed formula", …); on a failing claim, "Replace with mcalc's
// result"; and on a derivative form, "Insert result as a claim".

import * as vscode from 'vscode';
import { Context, SELECTOR, toVsRange } from './context.ts';
import type { DocumentAnalysis } from './analysisCache.ts';
import { claimAt, insertClaimWith, insertResultAsClaim, mayClaim, replaceClaimWith, replaceWithResult } from '../core/claimEdits.ts';
import { derivativeAt } from '../core/presentation.ts';
import type { ClaimInfo, DerivativeInfo } from '../core/analyze.ts';
import type { TextEdit } from '../core/source.ts';
import { joinResult } from '../core/diff/printedResult.ts';
import { IN_HOST_NODES, dagSizeAtMost, derivationService } from './derivationService.ts';

/** Kind of "Insert result as a claim": it adds a line, it fixes nothing. */
const INSERT_CLAIM = vscode.CodeActionKind.Refactor.append('insertClaim');

export function registerCodeActions(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      {
        async provideCodeActions(doc, range, context) {
          const result = await ctx.analysisReady(doc);
          if (!result) return [];
          return [...analysisFixes(doc, result, range, context), ...replaceFailingClaims(ctx, doc, result, range, context), ...insertClaim(ctx, doc, result, range)];
        },
        // Actions on large forms come without their edit: it needs the form's result, which the derivation
        // worker computes once the user picks the action (code actions are asked for on every cursor move).
        async resolveCodeAction(action) {
          const edit = await pendingEdits.get(action)?.();
          if (edit) action.edit = edit;
          else if (pendingEdits.has(action)) void vscode.window.showInformationMessage('mcalc gives this result element by element only, so it cannot be written as a claim.');
          return action;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, INSERT_CLAIM] },
    ),
  );
}

/** The diagnostic as VS Code shows it (from the request, or the collection), so a fix is attached to it. */
function shownDiagnostic(doc: vscode.TextDocument, context: vscode.CodeActionContext, same: (d: vscode.Diagnostic) => boolean): vscode.Diagnostic | undefined {
  return context.diagnostics.find(same) ?? vscode.languages.getDiagnostics(doc.uri).find(same);
}

/** Edits still to compute, for the actions on large forms. */
const pendingEdits = new WeakMap<vscode.CodeAction, () => Promise<vscode.WorkspaceEdit | undefined>>();

function workspaceEdit(doc: vscode.TextDocument, result: DocumentAnalysis, edits: TextEdit[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(doc.uri, toVsRange(result.toReal(e.range)), e.newText);
  return edit;
}

/**
 * The action for mcalc's result of `info`: with its edit for a small form; for a large one, an action whose edit
 * the worker's result fills in when the action is resolved (undefined there when the result is in index form).
 */
function resultAction(ctx: Context, doc: vscode.TextDocument, result: DocumentAnalysis, info: DerivativeInfo, title: string, kind: vscode.CodeActionKind, small: () => TextEdit | undefined, large: (text: string) => TextEdit): vscode.CodeAction | undefined {
  if (dagSizeAtMost(info.of, IN_HOST_NODES)) {
    const edit = small();
    return edit && editAction(doc, result, title, kind, [edit]);
  }
  const action = new vscode.CodeAction(title, kind);
  pendingEdits.set(action, async () => {
    const reply = await derivationService(ctx).result(doc, result.toReal(info.range).start, 'hover');
    if (reply?.kind !== 'result' || !reply.result || reply.result.suffix) return undefined;
    return workspaceEdit(doc, result, [large(joinResult(reply.result).text)]);
  });
  return action;
}

function editAction(doc: vscode.TextDocument, result: DocumentAnalysis, title: string, kind: vscode.CodeActionKind, edits: TextEdit[]): vscode.CodeAction {
  const action = new vscode.CodeAction(title, kind);
  action.edit = workspaceEdit(doc, result, edits);
  return action;
}

function analysisFixes(doc: vscode.TextDocument, result: DocumentAnalysis, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
  const actions: vscode.CodeAction[] = [];
  for (const d of result.analysis.diagnostics) {
    if (!d.fixes?.length) continue;
    const where = toVsRange(result.toReal(d.range));
    if (!where.intersection(range) && !range.contains(where)) continue;
    const shown = shownDiagnostic(doc, context, (v) => v.source === 'mcalc' && v.range.isEqual(where) && v.code === d.code);
    d.fixes.forEach((fix, i) => {
      const action = editAction(doc, result, fix.title, vscode.CodeActionKind.QuickFix, fix.edits);
      if (shown) action.diagnostics = [shown];
      action.isPreferred = i === 0 && d.fixes!.length === 1;
      actions.push(action);
    });
  }
  return actions;
}

/** A claim fails when `Check` says so, or when its shape is wrong: mcalc's own result is the fix. */
function isFailingClaim(d: vscode.Diagnostic): boolean {
  return (d.source === 'mcalc check' && d.severity === vscode.DiagnosticSeverity.Error) || (d.source === 'mcalc' && d.code === 'claim-shape');
}

function replaceFailingClaims(ctx: Context, doc: vscode.TextDocument, result: DocumentAnalysis, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
  // The request's diagnostics, and the collections' (a command may ask for actions without them).
  const failing = [...context.diagnostics, ...vscode.languages.getDiagnostics(doc.uri).filter((d) => d.range.intersection(range))].filter(isFailingClaim);
  const actions: vscode.CodeAction[] = [];
  const done = new Set<ClaimInfo>();
  for (const d of failing) {
    const start = result.toVirtual(d.range.start);
    const end = result.toVirtual(d.range.end);
    const claim = start && end ? claimAt(result.analysis, { start, end }) : undefined;
    if (!claim?.derivative || done.has(claim)) continue;
    done.add(claim);
    const action = resultAction(ctx, doc, result, claim.derivative, "Replace with mcalc's result", vscode.CodeActionKind.QuickFix, () => replaceWithResult(result.analysis, claim), (text) => replaceClaimWith(claim, text));
    if (!action) continue;
    action.diagnostics = [d];
    actions.push(action);
  }
  return actions;
}

function insertClaim(ctx: Context, doc: vscode.TextDocument, result: DocumentAnalysis, range: vscode.Range): vscode.CodeAction[] {
  const p = result.toVirtual({ line: range.start.line, character: range.start.character });
  if (!p) return [];
  const { analysis } = result;
  const info = derivativeAt(analysis, analysis.lines.offsetAt(p));
  if (!info || !mayClaim(analysis, info)) return [];
  const action = resultAction(ctx, doc, result, info, 'Insert result as a claim', INSERT_CLAIM, () => insertResultAsClaim(analysis, info), (text) => insertClaimWith(analysis, info, text));
  return action ? [action] : [];
}
