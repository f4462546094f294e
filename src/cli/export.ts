// `mcalc export FILE --of NAME [--wrt a,b] --to numpy|pytorch|jax [--out F.py]`: the gradient as a Python module.

import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ExportError, exportGradient } from '../core/export/python.ts';
import type { Backend } from '../core/export/backends.ts';
import type { Layout } from '../core/shape.ts';
import { CliError, type Io } from './io.ts';
import { analyzeFile, errorsStop } from './document.ts';

export interface ExportCommandOptions {
  of: string;
  wrt?: string;
  to: Backend;
  out?: string;
  force?: boolean;
  layout?: Layout;
}

export function exportCommand(io: Io, file: string, opts: ExportCommandOptions): number {
  const { analysis, toReal } = analyzeFile(io, file, opts.layout);
  if (errorsStop(io, file, analysis, toReal, !!analysis.definition(opts.of)?.node, `'${opts.of}'`)) return 1;
  const wrt = opts.wrt?.split(',').map((s) => s.trim()).filter(Boolean);
  let code: string;
  try {
    code = exportGradient(analysis, { of: opts.of, wrt, backend: opts.to, source: basename(file) });
  } catch (e) {
    if (e instanceof ExportError) throw new CliError(e.message, e.kind === 'usage' ? 2 : 1);
    throw e;
  }
  if (!opts.out) {
    io.out(code);
    return 0;
  }
  if (existsSync(opts.out) && !opts.force) throw new CliError(`${opts.out} exists: choose another --out, or add --force to replace it`, 2);
  writeFileSync(opts.out, code);
  io.err(`wrote ${opts.out}: value_and_grad(…) of ${opts.of}; run python3 ${opts.out} for its self-check\n`);
  return 0;
}
