// `npm run bench [SECTION…]`: runs the bench sections in bench/sections/ (all, or those named) one after the
// other and prints one JSON object { machine, sections: { name: result } }. A section is a file exporting an
// async function (default export) that returns a JSON-serialisable object; add one by adding a file. Files
// named *Worker are worker scripts bundled beside the sections, not sections.
// `npm run bench` runs an esbuild bundle of this (scripts/bench.mjs), i.e. the code as shipped; running the
// .ts directly with tsx also works, a little slower.

import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { torchRatios } from './ratios.ts';

type Section = (options?: Record<string, unknown>) => Promise<Record<string, unknown>>;

async function main(): Promise<number> {
  const dir = join(__dirname, 'sections');
  const ext = __filename.endsWith('.ts') ? '.ts' : '.js';
  const available = readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.endsWith(`Worker${ext}`))
    .map((f) => basename(f, ext))
    .sort();
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = requested.filter((r) => !available.includes(r));
  if (unknown.length) {
    process.stderr.write(`bench: unknown section${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (available: ${available.join(', ')})\n`);
    return 2;
  }
  const names = requested.length ? requested : available;
  const sections: Record<string, unknown> = {};
  for (const name of names) {
    process.stderr.write(`bench: ${name}…\n`);
    const mod = (await import(join(dir, `${name}${ext}`))) as { default?: Section | { default?: Section } };
    // A bundled CommonJS section arrives wrapped once more: { default: module.exports }.
    const run = typeof mod.default === 'function' ? mod.default : mod.default?.default;
    if (typeof run !== 'function') {
      sections[name] = { error: 'the section has no default export function' };
      continue;
    }
    const t = performance.now();
    try {
      sections[name] = { ...(await run()), sectionMs: Math.round(performance.now() - t) };
    } catch (e) {
      sections[name] = { error: (e as Error).message };
    }
  }
  const machine = { node: process.version, platform: `${process.platform}-${process.arch}`, cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30) };
  const ratios = torchRatios(sections);
  process.stdout.write(JSON.stringify({ machine, sections, ...(ratios ? { ratiosToTorch: ratios } : {}) }, null, 2) + '\n');
  return Object.values(sections).some((s) => s && typeof s === 'object' && 'error' in s) ? 1 : 0;
}

void main().then((code) => {
  process.exitCode = code;
});
