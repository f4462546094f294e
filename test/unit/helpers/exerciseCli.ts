// Runs one document through everything a user can do with it from the command line — analysis in both
// layouts, `derive` in every form, layout and format, `eval` of a definition and of a derivative form, and
// `check` — through the CLI's own command functions, and records every way it went wrong:
//  - an exception: a throw the CLI would print as "internal error" (anything but a CliError);
//  - an internal error: output or a check note that mentions an internal error (the safety nets).
// Problems in the input (exit 1) and usage errors (exit 2) are the expected outcome of bad documents.

import { writeFileSync } from 'node:fs';
import { analyzeDocument } from '../../../src/core/document.ts';
import { createRng, type Rng } from '../../../src/core/numeric/random.ts';
import { shapeDims } from '../../../src/core/numeric/tensor.ts';
import type { DerivativeForm } from '../../../src/core/ops/structure.ts';
import { LAYOUTS, type Shape, cols, rows } from '../../../src/core/shape.ts';
import { checkCommand } from '../../../src/cli/check.ts';
import { deriveCommand } from '../../../src/cli/derive.ts';
import { evalCommand } from '../../../src/cli/eval.ts';
import { CliError, type Io } from '../../../src/cli/io.ts';
import { DerivativeFormError } from '../../../src/core/diff/engine.ts';

export const FORMS: readonly DerivativeForm[] = ['jacobian', 'grad', 'hessian'];
export const FORMATS = ['text', 'latex', 'json'] as const;

export interface Problem {
  kind: 'exception' | 'internal';
  command: string;
  message: string;
  document: string;
}

export interface Tally {
  documents: number;
  /** Documents without errors in numerator layout. */
  clean: number;
  derives: number;
  evals: number;
  checks: number;
  /** Engine derivatives (not claims) that disagreed with finite differences. */
  checkFailures: number;
  exceptions: number;
  internalErrors: number;
  /** The first few problems, in full. */
  problems: Problem[];
  /** Check failures, the first few. */
  failures: { command: string; document: string; note: string }[];
}

export function newTally(): Tally {
  return { documents: 0, clean: 0, derives: 0, evals: 0, checks: 0, checkFailures: 0, exceptions: 0, internalErrors: 0, problems: [], failures: [] };
}

const KEEP = 20;

/** An Io that collects output (commands write their results and errors to it). */
function captureIo(): Io & { text(): string } {
  let all = '';
  return { out: (s) => void (all += s), err: (s) => void (all += s), exitCode: 0, text: () => all };
}

const INTERNAL = /\binternal\b|Cannot read propert|\[undefined|\bat \S+\.ts:\d+/;

/** Counts a problem; keeps the first of each kind of message (up to KEEP). */
function record(t: Tally, p: Problem): void {
  if (p.kind === 'exception') t.exceptions++;
  else t.internalErrors++;
  keepDistinct(t.problems, p);
}

function keepDistinct(list: Problem[], p: Problem): void {
  const head = (q: Problem) => q.message.replace(/^\{[^]*"note": /, '').split('\n')[0].replace(/\d+/g, '#');
  if (list.length < KEEP && !list.some((q) => head(q) === head(p))) list.push(p);
}

/** Runs one command function; returns its output (empty when it failed with a problem recorded). */
function run(t: Tally, document: string, command: string, body: (io: Io) => number): string {
  const io = captureIo();
  try {
    body(io);
  } catch (e) {
    // What runCli reports as a problem in the input rather than as an internal error.
    if (e instanceof CliError || e instanceof DerivativeFormError) {
      io.err(e.message);
    } else {
      record(t, { kind: 'exception', command, message: (e as Error).stack ?? String(e), document });
      return '';
    }
  }
  const text = io.text();
  if (INTERNAL.test(text)) record(t, { kind: 'internal', command, message: text.slice(0, 2000), document });
  return text;
}

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[rng.int(list.length)];
}

/** Random values for every variable, the symbolic sizes drawn from 1–3 (a JSON file for `--at`). */
function valuesFile(path: string, variables: readonly { name: string; shape: Shape }[], rng: Rng): string {
  // Sizes for every name a shape uses (in a broken document that may be something other than a `dim`).
  const dims = new Map<string, number>();
  for (const v of variables) for (const d of [rows(v.shape), cols(v.shape)]) if (typeof d === 'string' && !dims.has(d)) dims.set(d, 1 + rng.int(3));
  const values: Record<string, unknown> = {};
  for (const v of variables) {
    const [r, c] = shapeDims(v.shape, { dims });
    const x = () => Math.round(rng.uniform(-1.5, 1.5) * 1000) / 1000;
    values[v.name] = v.shape.kind === 'scalar' ? x() : v.shape.kind === 'matrix' ? Array.from({ length: r }, () => Array.from({ length: c }, x)) : Array.from({ length: r * c }, x);
  }
  writeFileSync(path, JSON.stringify(values));
  return path;
}

export interface ExerciseOptions {
  /** Where to write the document and its values (a scratch folder). */
  dir: string;
  seed: number;
  /** Also as a Markdown file with the code in a ```mcalc block. */
  markdown?: boolean;
  /**
   * 'all': derive in every format for every form and layout; 'rotate': one format per form and layout,
   * taking turns (every format is used as often, at a third of the cost: the formats print one record).
   */
  formats?: 'all' | 'rotate';
}

/** Exercises one document; adds its counts and problems to the tally. */
export function exerciseDocument(t: Tally, text: string, o: ExerciseOptions): void {
  t.documents++;
  const rng = createRng(o.seed, 'exercise');
  const file = `${o.dir}/doc.${o.markdown ? 'md' : 'mcalc'}`;
  writeFileSync(file, o.markdown ? `# Notes\n\n\`\`\`mcalc\n${text}\n\`\`\`\n` : text);
  let a;
  try {
    a = analyzeDocument(text, 'mcalc', 'numerator').analysis;
    analyzeDocument(text, 'mcalc', 'denominator');
  } catch (e) {
    record(t, { kind: 'exception', command: 'analyze', message: (e as Error).stack ?? String(e), document: text });
    return;
  }
  const clean = !a.diagnostics.some((d) => d.severity === 'error');
  if (clean) t.clean++;
  const of = a.definitions.length ? pick(rng, a.definitions).name : 'f1';
  const wrt = a.variables.length ? pick(rng, a.variables).name : 'u';
  // Every form and layout on a clean document; one of each on the others (they stop at the errors).
  const forms = clean ? FORMS : [pick(rng, FORMS)];
  const layouts = clean ? LAYOUTS : [pick(rng, LAYOUTS)];
  let turn = rng.int(FORMATS.length);
  for (const form of forms) {
    for (const layout of layouts) {
      for (const format of clean && o.formats === 'all' ? FORMATS : [FORMATS[turn++ % FORMATS.length]]) {
        t.derives++;
        run(t, text, `derive --of ${of} --wrt ${wrt} --form ${form} --layout ${layout} --format ${format}`, (io) => deriveCommand(io, file, { of, wrt, form, layout, format }));
      }
    }
  }
  const at = valuesFile(`${o.dir}/values.json`, a.variables, rng);
  for (const expr of [of, `d(${of})/d(${wrt})`]) {
    const layout = pick(rng, LAYOUTS);
    t.evals++;
    run(t, text, `eval --expr '${expr}' --layout ${layout} --json`, (io) => evalCommand(io, file, { expr, at, layout, json: true }));
  }
  const layout = pick(rng, LAYOUTS);
  const seed = String(rng.int(1e6));
  t.checks++;
  const out = run(t, text, `check --of ${of} --wrt ${wrt} --layout ${layout} --seed ${seed} --points 1 --json`, (io) => checkCommand(io, file, { of, wrt, layout, seed, points: '1', json: true }));
  countCheck(t, text, `check --of ${of} --wrt ${wrt} --layout ${layout} --seed ${seed}`, out);
}

/** Check results: internal errors behind an 'error' status, and engine derivatives that fail the check. */
function countCheck(t: Tally, document: string, command: string, out: string): void {
  if (!out.startsWith('{')) return;
  const json = JSON.parse(out) as { results: { kind: string; status: string; note?: string }[] };
  for (const r of json.results) {
    // The checker's own errors are plain notes ("could not check: …"); an internal one names itself.
    if (r.status === 'error' && INTERNAL.test(r.note ?? '')) record(t, { kind: 'internal', command, message: r.note!, document });
    if (r.status === 'fail' && r.kind !== 'claim') {
      t.checkFailures++;
      if (t.failures.length < KEEP) t.failures.push({ command, document, note: JSON.stringify(r) });
    }
  }
}

/** Adds `b`'s counts to `a` (for merging the tallies of parallel workers). */
export function mergeTally(a: Tally, b: Tally): void {
  for (const k of ['documents', 'clean', 'derives', 'evals', 'checks', 'checkFailures', 'exceptions', 'internalErrors'] as const) a[k] += b[k];
  for (const p of b.problems) keepDistinct(a.problems, p);
  for (const f of b.failures) if (a.failures.length < KEEP) a.failures.push(f);
}
