// `--dim NAME=SIZE`, one grammar for `check` and `train`: repeatable, and several per flag
// (`--dim n=4,m=3`). NAME is a name as the language spells it (a letter or _, then letters, digits or _);
// SIZE a positive whole number in decimal digits. Whether the document has that dimension is the command's
// business: it names the dimensions it has.

import { CliError } from './io.ts';

const DIM_SPEC = /^\s*([\p{L}_][\p{L}\p{N}_]*)\s*=\s*(\d+)\s*$/u;

/** Collects repeated `--dim` options (commander's reducer). */
export function collectDim(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The sizes given with `--dim`; a malformed one is a usage error (exit 2). */
export function parseDims(specs: readonly string[]): Map<string, number> {
  const dims = new Map<string, number>();
  for (const part of specs.flatMap((s) => s.split(','))) {
    const m = DIM_SPEC.exec(part);
    const size = m ? Number(m[2]) : NaN;
    if (!m || !Number.isSafeInteger(size) || size < 1) throw new CliError(`--dim expects NAME=SIZE with a positive whole size, e.g. --dim n=4 (got '${part}').`, 2);
    dims.set(m[1], size);
  }
  return dims;
}
