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
  const latex = opts.format === 'latex';
  io.out(`${info.text} in ${d.layout} layout: ${d.shape}\n`);
  io.out(`= ${latex ? d.result.latex : d.result.text}\n`);
  io.out(`rule: ${d.rule} — ${d.ruleReason}\n`);
  for (const step of [1, 2, 3, 4] as const) {
    io.out(`\n${step}. ${STEP_TITLES[step]}\n`);
    for (const line of stepLines(d, step)) io.out(`   ${latex ? line.latex : line.text}\n`);
  }
  return 0;
}
