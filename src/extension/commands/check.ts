// Matrix Calculus: Check Derivatives Against Finite Differences — runs the document's claims and derivative
// forms through the gradient check in a worker (cancellable, with progress); failures become diagnostics.

import * as vscode from 'vscode';
import { Context, toVsRange } from '../context.ts';
import { gradientCheckSettings } from '../config.ts';
import { runChecksInWorker } from '../../core/workers/checkClient.ts';
import { CheckCancelled, formatNumber, type CheckReport, type CheckResult } from '../../core/numeric/gradcheck.ts';
import { resolveTarget } from './target.ts';

export function registerCheck(ctx: Context, output: vscode.OutputChannel): void {
  const failures = vscode.languages.createDiagnosticCollection('mcalc-check');
  ctx.subscribe(
    failures,
    // A failed check describes the text it was run on: editing the document clears it (when there is one:
    // deleting nothing would still tell every listener that the document's diagnostics changed).
    vscode.workspace.onDidChangeTextDocument((e) => failures.has(e.document.uri) && failures.delete(e.document.uri)),
    vscode.commands.registerCommand('mcalc.check', (uri?: string, line?: number) => runChecks(ctx, output, failures, uri, line)),
  );
}

function describe(r: CheckResult): string {
  const mark = r.passed ? '✓' : r.status === 'inconclusive' ? '?' : '✗';
  const what = r.kind === 'claim' ? `check ${r.text} = ${r.formula}` : r.text;
  const errors = `max abs err ${formatNumber(r.maxAbsErr)}, max rel err ${formatNumber(r.maxRelErr)}`;
  return `${mark} ${what}  (line ${r.line})  ${errors}${r.worst?.index.length ? `, worst [${r.worst.index.join(', ')}]` : ''}, seed ${r.seed}${r.note ? `\n    ${r.note}` : ''}`;
}

async function runChecks(ctx: Context, output: vscode.OutputChannel, failures: vscode.DiagnosticCollection, uri?: string, line?: number): Promise<CheckReport | undefined> {
  const target = resolveTarget(uri, undefined);
  if (!target) return void vscode.window.showInformationMessage('Open a .mcalc file (or Markdown with ```mcalc blocks) to check its derivatives.') as undefined;
  const { doc } = target;
  // The effective layout (a `layout` directive overrides the setting), for the output's header.
  const layout = ctx.analysis(doc)?.analysis.layout ?? ctx.layout(doc);
  const results: CheckResult[] = [];
  try {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Checking derivatives against finite differences', cancellable: true },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return runChecksInWorker(
          { text: doc.getText(), languageId: doc.languageId, layout, ...gradientCheckSettings(doc.uri), ...(line !== undefined ? { lines: [line] } : {}) },
          {
            signal: abort.signal,
            workerPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'checkWorker.js').fsPath,
            onResult: (r, done, total) => {
              results.push(r);
              progress.report({ message: `${done} of ${total}: ${r.passed ? '✓' : '✗'} ${r.text}`, increment: 100 / total });
            },
          },
        );
      },
    );
    output.appendLine(`${vscode.workspace.asRelativePath(doc.uri)} (${layout} layout, seed ${report.seed})`);
    for (const r of report.results) output.appendLine(describe(r));
    const failed = report.results.filter((r) => !r.passed);
    failures.set(
      doc.uri,
      failed.map((r) => {
        const d = new vscode.Diagnostic(toVsRange(r.range), `${r.status === 'inconclusive' ? 'Not checked' : 'Check failed'}: ${r.note ?? describe(r)}`, r.status === 'inconclusive' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
        d.source = 'mcalc check';
        return d;
      }),
    );
    const summary = `${report.results.length - failed.length} passed, ${failed.length} failed`;
    if (report.results.length === 0) void vscode.window.showInformationMessage('There are no claims or derivative forms to check here.');
    else if (failed.length) void vscode.window.showErrorMessage(`Gradient check: ${summary}. ${describe(failed[0]).split('\n')[0]}`, 'Show Output').then((a) => a && output.show(true));
    else void vscode.window.showInformationMessage(`Gradient check: ${summary} (max abs err ${formatNumber(Math.max(...report.results.map((r) => r.maxAbsErr)))}).`);
    return report;
  } catch (e) {
    if (e instanceof CheckCancelled) void vscode.window.showInformationMessage(`Gradient check stopped after ${results.length} result${results.length === 1 ? '' : 's'}.`);
    else void vscode.window.showErrorMessage(`Gradient check: ${(e as Error).message}`);
    return undefined;
  }
}
