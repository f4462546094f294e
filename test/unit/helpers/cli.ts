// Running the `mcalc` CLI in-process with its output captured, and scratch files for its inputs.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main.ts';
import type { Io } from '../../../src/cli/io.ts';

export async function runMcalc(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => void (out += s), err: (s) => void (err += s), exitCode: 0 };
  const code = await runCli(args, io);
  return { code, out, err };
}

/** A writer of files into a fresh temporary folder: `file('a.mcalc', text)` returns the path. */
export function scratch(prefix: string): (name: string, text: string) => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return (name, text) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
}
