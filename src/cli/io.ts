// Output sinks and errors shared by the CLI's commands (an interface so tests can capture output).

import { readFileSync } from 'node:fs';

export interface Io {
  out(s: string): void;
  err(s: string): void;
  exitCode: number;
}

export function nodeIo(): Io {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    exitCode: 0,
  };
}

/** A user-facing failure: message and exit code (1 problem, 2 usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `cannot read ${file}: no such file` : code === 'EISDIR' ? `cannot read ${file}: it is a directory` : `cannot read ${file}: ${(e as Error).message}`, 2);
  }
}
