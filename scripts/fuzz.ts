// `npm run fuzz -- --docs N [--seed S] [--start K] [--workers W]`: generated and mutated documents through analysis,
// `derive` in every form, layout and format, `eval` and `check` (see test/unit/helpers/exerciseCli.ts).
// Prints a JSON summary; exits 1 when any command threw or hit an internal error. The documents are
// reproducible from the seed: document i is the same whatever the number of workers, so a long run can be
// split into slices (--start K --docs N runs documents K … K + N − 1).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { deriveSeed } from '../src/core/numeric/random.ts';
import { documentArb, mutationArb } from '../test/unit/helpers/randomDoc.ts';
import { type Tally, exerciseDocument, mergeTally, newTally } from '../test/unit/helpers/exerciseCli.ts';

/** Documents are generated in batches of this many (one fast-check sample each). */
const BATCH = 250;
/** Every MUTATE-th document is a mutation of the generated one; every MARKDOWN-th is read as Markdown. */
const MUTATE = 4;
const MARKDOWN = 7;

function batchOf(seed: number, b: number): string[] {
  return fc.sample(documentArb, { seed: deriveSeed(seed, `batch ${b}`), numRuns: BATCH }).map((d) => d.text);
}

/** Exercises documents [start, end) of the seed's sequence. */
export function fuzzRange(seed: number, start: number, end: number, onProgress?: (done: number) => void): Tally {
  const tally = newTally();
  // Every command reads its document from a file: a memory-backed folder keeps the disk out of the loop.
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'mcalc-fuzz-'));
  try {
    let batch: string[] = [];
    let loaded = -1;
    for (let i = start; i < end; i++) {
      const b = Math.floor(i / BATCH);
      if (b !== loaded) {
        batch = batchOf(seed, b);
        loaded = b;
      }
      const docSeed = deriveSeed(seed, `document ${i}`);
      let text = batch[i % BATCH];
      if (i % MUTATE === MUTATE - 1) text = fc.sample(mutationArb(text), { seed: docSeed, numRuns: 1 })[0];
      exerciseDocument(tally, text, { dir, seed: docSeed, markdown: i % MARKDOWN === MARKDOWN - 1, formats: 'rotate' });
      if (onProgress && (i - start + 1) % 1000 === 0) onProgress(i - start + 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tally;
}

interface Args {
  docs: number;
  seed: number;
  start: number;
  workers: number;
  /** Internal: run documents [from, to) and print the tally as JSON. */
  range?: [number, number];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { docs: 1000, seed: 1, start: 0, workers: Math.max(1, Math.min(cpus().length, 4)) };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${argv[i - 1]} expects a non-negative whole number, not '${argv[i]}'.`);
      return v;
    };
    if (argv[i] === '--docs') args.docs = value();
    else if (argv[i] === '--seed') args.seed = value();
    else if (argv[i] === '--start') args.start = value();
    else if (argv[i] === '--workers') args.workers = Math.max(1, value());
    else if (argv[i] === '--range') args.range = [value(), value()];
    else throw new Error(`unknown option ${argv[i]} (usage: npm run fuzz -- --docs N [--seed S] [--start K] [--workers W])`);
  }
  return args;
}

/** Runs the documents in `workers` child processes and merges their tallies. */
async function fuzzInParallel(a: Args): Promise<Tally> {
  const per = Math.ceil(a.docs / a.workers);
  const progress = new Array<number>(a.workers).fill(0);
  const started = Date.now();
  const jobs = Array.from({ length: a.workers }, (_, k) => {
    const from = a.start + Math.min(a.docs, k * per);
    const to = Math.min(a.start + a.docs, from + per);
    return new Promise<Tally>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--seed', String(a.seed), '--range', String(from), String(to)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => {
        const m = /progress (\d+)/.exec(String(d));
        if (!m) return void process.stderr.write(d);
        progress[k] = Number(m[1]);
        const done = progress.reduce((s, x) => s + x, 0);
        const rate = done / ((Date.now() - started) / 1000);
        process.stderr.write(`fuzz: ${done} of ${a.docs} documents, ${rate.toFixed(0)}/s\n`);
      });
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Tally) : reject(new Error(`fuzz worker ${k} exited with ${code}`))));
    });
  });
  const total = newTally();
  for (const t of await Promise.all(jobs)) mergeTally(total, t);
  return total;
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2));
  if (a.range) {
    const [from, to] = a.range;
    const t = fuzzRange(a.seed, from, to, (done) => process.stderr.write(`progress ${done}\n`));
    process.stdout.write(JSON.stringify(t));
    return 0;
  }
  const started = Date.now();
  const t = await fuzzInParallel(a);
  const seconds = (Date.now() - started) / 1000;
  const summary = { seed: a.seed, start: a.start, workers: a.workers, seconds: Math.round(seconds), documentsPerSecond: Math.round(t.documents / seconds), ...t };
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  return t.exceptions + t.internalErrors > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`fuzz: ${(e as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
