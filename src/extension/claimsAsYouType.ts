// Claims checked as you type: 600 ms after the last edit, the document's `check` claims run in the check
// worker at small sizes; a newer edit cancels the run in flight. The verdicts label the claims' code lenses
// (✓/✗/?) and a failing claim becomes a diagnostic in its own collection, apart from the analysis's.

import * as vscode from 'vscode';
import { Context, toVsRange } from './context.ts';
import { isMcalcDocument } from './analysisCache.ts';
import { checkClaimsAsYouType, gradientCheckSettings } from './config.ts';
import { runChecksInWorker } from '../core/workers/checkClient.ts';
import { formatNumber, type CheckResult } from '../core/numeric/gradcheck.ts';

const DEBOUNCE_MS = 600;
/** Every symbolic dimension gets this size: big enough to tell a transpose apart, small enough to be instant. */
const DIM_SIZE = 3;
/** Without a seed setting the as-you-type checks use a fixed one, so a verdict does not flicker between edits. */
const DEFAULT_SEED = 0;

interface Verdicts {
  version: number;
  /** Claim results by the (real) line the claim starts on. */
  byLine: Map<number, CheckResult>;
}

export class ClaimChecker implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('mcalc-claims');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly running = new Map<string, AbortController>();
  private readonly verdicts = new Map<string, Verdicts>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when verdicts appear or go stale (code lenses refresh on it). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: Context) {}

  /** The claim's verdict on `line`, if it was computed for the document's current text. */
  verdict(doc: vscode.TextDocument, line: number): CheckResult | undefined {
    const v = this.verdicts.get(doc.uri.toString());
    return v?.version === doc.version ? v.byLine.get(line) : undefined;
  }

  schedule(doc: vscode.TextDocument, delay = DEBOUNCE_MS): void {
    if (!isMcalcDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.running.get(key)?.abort();
    if (this.verdicts.has(key)) this.changed.fire(); // the old verdicts no longer describe the text
    this.timers.set(key, setTimeout(() => (this.timers.delete(key), void this.run(doc)), delay));
  }

  forget(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.running.get(key)?.abort();
    this.verdicts.delete(key);
    this.diagnostics.delete(doc.uri);
  }

  private async run(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    const result = await this.ctx.analysisReady(doc);
    if (doc.isClosed || !result || !checkClaimsAsYouType(doc.uri)) return this.forget(doc);
    const claimLines = result.analysis.claims.filter((c) => c.derivative && c.formula).map((c) => result.toReal(c.range).start.line);
    const version = doc.version;
    if (!claimLines.length) return this.publish(doc, { version, byLine: new Map() });
    const abort = new AbortController();
    this.running.set(key, abort);
    const settings = gradientCheckSettings(doc.uri);
    try {
      const report = await runChecksInWorker(
        {
          text: doc.getText(),
          languageId: doc.languageId,
          layout: result.analysis.layout,
          lines: claimLines,
          tolerances: settings.tolerances,
          seed: settings.seed ?? DEFAULT_SEED,
          dims: Object.fromEntries(result.analysis.dims.map((d) => [d.name, DIM_SIZE])),
        },
        { signal: abort.signal, workerPath: vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'checkWorker.js').fsPath },
      );
      if (doc.version !== version || abort.signal.aborted) return;
      const claims = report.results.filter((r) => r.kind === 'claim');
      this.publish(doc, { version, byLine: new Map(claims.map((r) => [r.range.start.line, r])) });
    } catch (e) {
      // A superseded run was cancelled on purpose; anything else is reported where the claims are.
      if (abort.signal.aborted || doc.version !== version) return;
      const d = new vscode.Diagnostic(toVsRange(result.toReal(result.analysis.claims[0].range)), `Claims could not be checked: ${(e as Error).message}`, vscode.DiagnosticSeverity.Warning);
      d.source = 'mcalc claims';
      this.diagnostics.set(doc.uri, [d]);
    } finally {
      if (this.running.get(key) === abort) this.running.delete(key);
    }
  }

  private publish(doc: vscode.TextDocument, verdicts: Verdicts): void {
    this.verdicts.set(doc.uri.toString(), verdicts);
    const failed = [...verdicts.byLine.values()].filter((r) => r.status === 'fail' || r.status === 'error').map(claimDiagnostic);
    // (None before and none now: nothing to send, as at most keystrokes.)
    if (failed.length || this.diagnostics.get(doc.uri)?.length) this.diagnostics.set(doc.uri, failed);
    this.changed.fire();
  }

  dispose(): void {
    this.timers.forEach(clearTimeout);
    this.running.forEach((a) => a.abort());
    this.diagnostics.dispose();
    this.changed.dispose();
  }
}

/** ✓ passed, ✗ failed, ? could not be decided (e.g. every point near a kink). */
export function verdictMark(r: CheckResult): string {
  return r.passed ? '✓' : r.status === 'inconclusive' ? '?' : '✗';
}

export function verdictSummary(r: CheckResult): string {
  const sizes = Object.entries(r.sizes).map(([k, v]) => `${k}=${v}`).join(', ');
  return `max abs err ${formatNumber(r.maxAbsErr)}, max rel err ${formatNumber(r.maxRelErr)} (seed ${r.seed}${sizes ? `, ${sizes}` : ''})`;
}

function claimDiagnostic(r: CheckResult): vscode.Diagnostic {
  const where = r.worst?.index.length ? ` Worst element [${r.worst.index.join(', ')}]: claim ${formatNumber(r.worst.analytic)}, finite differences ${formatNumber(r.worst.numeric)}.` : '';
  const message =
    r.status === 'error'
      ? `The claim ${r.text} = ${r.formula} could not be evaluated: ${r.note ?? 'no numeric value'}.`
      : `Claim does not hold: ${r.text} = ${r.formula} disagrees with finite differences, ${verdictSummary(r)}.${where}${r.note ? `\n${r.note}` : ''}`;
  const d = new vscode.Diagnostic(toVsRange(r.range), message, r.status === 'error' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
  d.source = 'mcalc claims';
  d.code = 'claim-fails';
  return d;
}

export function registerClaimsAsYouType(ctx: Context): ClaimChecker {
  const checker = new ClaimChecker(ctx);
  ctx.subscribe(
    checker,
    vscode.workspace.onDidOpenTextDocument((doc) => checker.schedule(doc, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && checker.schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => checker.forget(doc)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mcalc')) vscode.workspace.textDocuments.forEach((doc) => checker.schedule(doc, 0));
    }),
  );
  vscode.workspace.textDocuments.forEach((doc) => checker.schedule(doc, 0));
  return checker;
}
