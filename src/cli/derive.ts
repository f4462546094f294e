// `mcalc derive FILE --of NAME --wrt VAR`: the result, its shape, the chain rule and the steps.

import { derivativeOf, type Analysis } from '../core/analyze.ts';
import { derive } from '../core/diff/derivation.ts';
import { STEP_TITLES, stepLines } from '../core/diff/steps.ts';
import type { DerivativeForm } from '../core/ops/structure.ts';
import type { Layout } from '../core/shape.ts';
import { CliError, type Io } from './io.ts';
import { analyzeFile, errorsStop } from './document.ts';

export interface DeriveOptions {
  of: string;
  wrt: string;
  layout?: Layout;
  form: DerivativeForm;
  format: 'text' | 'latex' | 'json';
}

export function deriveCommand(io: Io, file: string, opts: DeriveOptions): number {
  const { analysis, toReal } = analyzeFile(io, file, opts.layout);
  if (errorsStop(io, file, analysis, toReal, !!analysis.definition(opts.of)?.node, `'${opts.of}'`)) return 1;
  const info = derivativeOf(analysis as Analysis, opts.of, opts.wrt, opts.form);
  if (typeof info === 'string') throw new CliError(info, 2);
  const d = derive(analysis, info, analysis.layout);
  if (opts.format === 'json') {
    // One line: the record of a deep nest has thousands of entries, and indentation would double its size.
    io.out(JSON.stringify(d) + '\n');
    return 0;
  }
  if (opts.format === 'latex') {
    io.out(latexDerivation(info.text, d));
    return 0;
  }
  io.out(`${info.text} in ${d.layout} layout: ${d.shape}\n`);
  io.out(`= ${d.result.text}\n`);
  io.out(`rule: ${d.rule} — ${d.ruleReason}\n`);
  for (const step of [1, 2, 3, 4] as const) {
    io.out(`\n${step}. ${STEP_TITLES[step]}\n`);
    for (const line of stepLines(d, step)) io.out(`   ${line.text}\n`);
  }
  return 0;
}

/**
 * The derivation as LaTeX to paste into a document (amsmath): the result as a display, each step's formulas as an
 * align* environment aligned at their first `=`, and the prose (headings, the rule, notes) as comments — so it
 * compiles as it is.
 */
function latexDerivation(text: string, d: ReturnType<typeof derive>): string {
  const comment = (s: string) => `% ${s.replace(/\n/g, ' ')}\n`;
  let out = comment(`${text} in ${d.layout} layout: ${d.shape}`) + comment(`rule: ${d.rule} — ${d.ruleReason}`);
  out += `\\[ ${d.result.latex} \\]\n`;
  for (const step of [1, 2, 3, 4] as const) {
    out += `\n${comment(`${step}. ${STEP_TITLES[step]}`)}`;
    const lines = stepLines(d, step);
    const formulas = lines.filter((l) => l.kind === 'formula').map((l) => l.latex.replace(' = ', ' &= '));
    if (formulas.length) out += `\\begin{align*}\n${formulas.map((f) => `  ${f}`).join(' \\\\\n')}\n\\end{align*}\n`;
    for (const l of lines) if (l.kind === 'prose') out += comment(l.text);
  }
  return out;
}
