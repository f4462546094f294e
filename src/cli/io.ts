// Output sinks and errors shared by the CLI's commands (an interface so tests can capture output), and reading
// input files with a size limit.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { formatCount } from '../core/numeric/budget.ts';

export interface Io {
  out(s: string): void;
  err(s: string): void;
  exitCode: number;
  /**
   * Set when this is the process's own stdout and stderr: long work (training) then runs in a worker thread,
   * so that Ctrl-C reaches the main thread and can stop it. In-process callers (tests) run it in-thread.
   */
  ownsProcess?: boolean;
}

/**
 * The process's own streams. A closed pipe (`mcalc … | head -1`) ends the program quietly with exit 0: the
 * reader has all it wanted, and a stack trace about EPIPE would only hide its output.
 */
export function nodeIo(): Io {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
  }
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    exitCode: 0,
    ownsProcess: true,
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

/** Documents and value files larger than this are refused (a document is text someone wrote). */
export const MAX_INPUT_BYTES = 50 * 1024 * 1024;

function megabytes(bytes: number): string {
  return `${formatCount(Math.round(bytes / (1024 * 1024)))} MB`;
}

/**
 * The text of `file` (UTF-8), refused with a message when it holds more than `limit` bytes. Devices and pipes
 * (`/dev/zero`) have no size up front, so they are read in chunks and stopped at the limit.
 */
export function readInput(file: string, limit = MAX_INPUT_BYTES): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `cannot read ${file}: no such file` : `cannot read ${file}: ${(e as Error).message}`, 2);
  }
  const tooLarge = () => new CliError(`${file} is larger than ${megabytes(limit)}, the limit for input files`, 1);
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new CliError(`cannot read ${file}: it is a directory`, 2);
    if (stat.isFile() && stat.size > limit) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw tooLarge();
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, 2);
  } finally {
    closeSync(fd);
  }
}
