// `mcalc check FILE [--of NAME --wrt VAR] [--seed N] [--fast] [--dim n=4] [--json]`: every claim
// (`check d(f)/d(x) = FORMULA`) and every derivative form, against central finite differences at random points.
// Exit 1 when any claim or check fails or cannot be checked, or the document has errors; 2 on usage errors.

import type { Layout } from '../core/shape.ts';
import { type CheckResult, CheckUsageError, checkDocument, formatNumber } from '../core/numeric/gradcheck.ts';
import { CliError, type Io } from './io.ts';
import { parseDims } from './dims.ts';
import { analyzeFile, jsonDiagnostic, reportErrors, reportWarnings } from './document.ts';

export interface CheckCliOptions {
  of?: string;
  wrt?: string;
  seed?: string;
  fast?: boolean;
  dim?: string[];
  eps?: string;
  atol?: string;
  rtol?: string;
  points?: string;
  maxElements?: string;
  layout?: Layout;
  json?: boolean;
}

function parseNumber(flag: string, v: string | undefined, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (integer ? !Number.isSafeInteger(n) || n < 0 : n <= 0)) {
    throw new CliError(`${flag} expects ${integer ? 'a non-negative whole number' : 'a positive number'}, not '${v}'.`, 2);
  }
  return n;
}

const MARK: Record<CheckResult['status'], string> = { pass: '✓', fail: '✗', inconclusive: '?', error: '!' };

function sizesText(sizes: Record<string, number>): string {
  const entries = Object.entries(sizes);
  return entries.length ? `, ${entries.map(([k, v]) => `${k}=${v}`).join(' ')}` : '';
}

export function checkCommand(io: Io, file: string, opts: CheckCliOptions): number {
  const dims = parseDims(opts.dim ?? []);
  const seed = parseNumber('--seed', opts.seed, true);
  const eps = parseNumber('--eps', opts.eps);
  const atol = parseNumber('--atol', opts.atol);
  const rtol = parseNumber('--rtol', opts.rtol);
  const points = parseNumber('--points', opts.points, true);
  if (points === 0) throw new CliError('--points must be at least 1.', 2);
  const maxElements = parseNumber('--max-elements', opts.maxElements, true);
  if (maxElements === 0) throw new CliError('--max-elements must be at least 1.', 2);
  const { analysis, toReal } = analyzeFile(io, file, opts.layout);
  // Errors do not keep the claims and forms that analysed cleanly from being checked (a typo on one line leaves
  // the others' verdicts standing), but the run fails: the document has a problem.
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (!opts.json) reportWarnings(io, file, analysis, toReal);
  if (errors.length && !opts.json) reportErrors(io, file, analysis, toReal);
  let report;
  try {
    report = checkDocument(analysis, {
      ...(opts.of !== undefined ? { of: opts.of } : {}),
      ...(opts.wrt !== undefined ? { wrt: opts.wrt } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(eps !== undefined ? { eps } : {}),
      ...(atol !== undefined ? { atol, hessianAtol: atol } : {}),
      ...(rtol !== undefined ? { rtol, hessianRtol: rtol } : {}),
      ...(points !== undefined ? { points } : {}),
      ...(maxElements !== undefined ? { maxElements } : {}),
      fast: !!opts.fast,
      dims,
    });
  } catch (e) {
    if (e instanceof CheckUsageError) throw new CliError(e.message, 2);
    throw e;
  }
  const results = report.results.map((r) => ({ ...r, line: toReal(r.range).start.line + 1 }));
  if (opts.json) {
    const json = {
      passed: report.passed && !errors.length,
      ...(errors.length ? { errors: errors.map((d) => jsonDiagnostic(d, toReal)) } : {}),
      seed: report.seed,
      results: results.map((r) => ({
        kind: r.kind,
        of: r.of,
        wrt: r.wrt,
        passed: r.passed,
        status: r.status,
        maxAbsErr: r.maxAbsErr,
        maxRelErr: r.maxRelErr,
        worst: r.worst,
        seed: r.seed,
        line: r.line,
        form: r.form,
        text: r.text,
        ...(r.formula !== undefined ? { formula: r.formula } : {}),
        layout: r.layout,
        mode: r.mode,
        sizes: r.sizes,
        points: r.points,
        resampled: r.resampled,
        tolerance: r.tolerance,
        ...(r.engine ? { engine: r.engine } : {}),
        ...(r.note ? { note: r.note } : {}),
      })),
    };
    io.out(JSON.stringify(json, null, 2) + '\n');
  } else {
    if (!results.length) io.out(`${file}: nothing to check (no claims or derivative forms)\n`);
    for (const r of results) {
      const what = r.kind === 'claim' ? `check ${r.text} = ${r.formula}` : r.text;
      const where = `line ${r.line}`;
      if (r.status === 'pass' || r.status === 'fail') {
        const worst = r.worst && r.worst.index.length ? `, worst [${r.worst.index.join(', ')}]` : '';
        io.out(`${MARK[r.status]} ${what}  (${where})  max abs err ${formatNumber(r.maxAbsErr)}, max rel err ${formatNumber(r.maxRelErr)}${worst}, seed ${r.seed}${sizesText(r.sizes)}${r.mode === 'fast' ? ', directional' : ''}\n`);
      } else {
        io.out(`${MARK[r.status]} ${what}  (${where})  not checked, seed ${r.seed}${sizesText(r.sizes)}\n`);
      }
      if (r.status === 'fail' && r.worst) {
        const at = r.worst.index.length ? `at [${r.worst.index.join(', ')}]: ` : r.mode === 'fast' ? 'along a random direction: ' : '';
        io.out(`    ${at}${r.kind === 'claim' ? 'claimed' : 'symbolic'} ${formatNumber(r.worst.analytic)}, finite differences ${formatNumber(r.worst.numeric)}\n`);
      }
      if (r.note && r.status !== 'pass') for (const part of r.note.split('; ')) io.out(`    ${part}\n`);
    }
    const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
    const parts = [`${count('pass')} passed`, `${count('fail')} failed`];
    if (count('inconclusive')) parts.push(`${count('inconclusive')} not checked`);
    if (count('error')) parts.push(`${count('error')} errors`);
    const documentErrors = errors.length ? `; the document has ${errors.length} error${errors.length > 1 ? 's' : ''} (above)` : '';
    io.out(`${parts.join(', ')} (seed ${report.seed})${documentErrors}\n`);
  }
  return report.passed && !errors.length ? 0 : 1;
}
