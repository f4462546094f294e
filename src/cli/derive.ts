// `mcalc derive FILE --of NAME --wrt VAR`: the result, its shape, the chain rule and the steps.

import { derivativeOf, type Analysis } from '../core/analyze.ts';
import { derive, STEP_TITLES } from '../core/diff/derivation.ts';
import type { DerivativeForm } from '../core/ops/structure.ts';
import type { Layout } from '../core/shape.ts';
import { CliError, type Io } from './io.ts';
import { analyzeFile, reportErrors } from './document.ts';

export interface DeriveOptions {
  of: string;
  wrt: string;
  layout: Layout;
  form: DerivativeForm;
  format: 'text' | 'latex' | 'json';
}

export function deriveCommand(io: Io, file: string, opts: DeriveOptions): number {
  const { analysis, toReal } = analyzeFile(file, opts.layout);
  if (reportErrors(io, file, analysis, toReal, true)) return 1;
  const info = derivativeOf(analysis as Analysis, opts.of, opts.wrt, opts.form);
  if (typeof info === 'string') throw new CliError(info, 2);
  const d = derive(analysis, info, opts.layout);
  if (opts.format === 'json') {
    io.out(JSON.stringify({ of: d.of, wrt: d.wrt, form: d.form, layout: d.layout, shape: d.shape, result: d.result, rule: d.rule, ruleReason: d.ruleReason, steps: d.steps, intermediates: d.intermediates, partials: d.partials, simplifications: d.simplifications, order: d.order, graph: d.graph }, null, 2) + '\n');
    return 0;
  }
  const latex = opts.format === 'latex';
  io.out(`${info.text} in ${d.layout} layout: ${d.shape}\n`);
  io.out(`= ${latex ? d.result.latex : d.result.text}\n`);
  io.out(`rule: ${d.rule} — ${d.ruleReason}\n`);
  for (const step of [1, 2, 3, 4] as const) {
    io.out(`\n${step}. ${STEP_TITLES[step]}\n`);
    for (const e of d.steps.filter((s) => s.step === step)) io.out(`   ${latex ? e.latex : e.text}\n`);
  }
  return 0;
}
