// Bench section: the derivation record of deep nests log(1 + sin(… + x²)²) at depths 10, 100, 150 and 1,000 —
// in-process record time and JSON size next to the engine-only differentiation of the same graph (the same-run
// baseline), and the whole `mcalc derive --format json` process (targets: depth 1,000 ≤ 1.5 s and ≤ 2 MB,
// depth 150 ≤ 0.5 s). The record must grow linearly: bytesPerInputNode stays flat across depths.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, derivativeOf } from '../../src/core/analyze.ts';
import { derive } from '../../src/core/diff/derivation.ts';
import { differentiate } from '../../src/core/diff/engine.ts';
import { dagSize } from '../../src/core/ir.ts';
import { nest } from './differentiation.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The shipped CLI, found from the bundled bench (out/bench/sections) or from the sources. */
function cliPath(): string | undefined {
  for (const p of [join(__dirname, '..', '..', '..', 'dist', 'cli.js'), join(__dirname, '..', '..', 'dist', 'cli.js')]) if (existsSync(p)) return p;
  return undefined;
}

function inProcess(depth: number, reps: number) {
  const src = nest(depth);
  const recordMs: number[] = [];
  const engineMs: number[] = [];
  let bytes = 0;
  let inputNodes = 0;
  for (let i = 0; i < reps + 2; i++) {
    const a = analyze(src);
    const info = derivativeOf(a, 'y', 'x', 'jacobian');
    if (typeof info === 'string') throw new Error(info);
    let t = performance.now();
    const d = derive(a, info, 'numerator');
    const json = JSON.stringify(d);
    const tRecord = performance.now() - t;
    const fresh = analyze(src);
    const f = fresh.definition('y')!.node!;
    t = performance.now();
    differentiate(fresh.builder, f, fresh.variable('x')!, 'jacobian', 'numerator', fresh.variable('x')!.shape);
    const tEngine = performance.now() - t;
    if (i < 2) continue; // warm-up
    recordMs.push(tRecord);
    engineMs.push(tEngine);
    bytes = Buffer.byteLength(json);
    inputNodes = dagSize(f);
  }
  return {
    depth,
    recordMedianMs: +median(recordMs).toFixed(1),
    engineOnlyMedianMs: +median(engineMs).toFixed(2),
    recordToEngineRatio: +(median(recordMs) / median(engineMs)).toFixed(1),
    jsonBytes: bytes,
    bytesPerInputNode: +(bytes / inputNodes).toFixed(0),
  };
}

function wholeProcess(cli: string, depth: number, reps: number) {
  const dir = mkdtempSync(join(tmpdir(), 'mcalc-bench-'));
  try {
    const file = join(dir, `nest${depth}.mcalc`);
    writeFileSync(file, nest(depth));
    const ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [cli, 'derive', file, '--of', 'y', '--wrt', 'x', '--format', 'json'], { maxBuffer: 1 << 28 });
      ms.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`mcalc derive exited ${r.status}: ${r.stderr}`);
      bytes = r.stdout.length;
    }
    return { depth, medianMs: Math.round(median(ms)), outputBytes: bytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function record(opts: { reps?: number } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 5;
  const nests = [10, 100, 150, 1000].map((depth) => inProcess(depth, reps));
  const cli = cliPath();
  const processes = cli ? [150, 1000].map((depth) => wholeProcess(cli, depth, reps)) : [];
  const p150 = processes.find((p) => p.depth === 150);
  const p1000 = processes.find((p) => p.depth === 1000);
  return {
    nests,
    cli: cli ? processes : 'dist/cli.js not built: run npm run build first',
    targets: p150 && p1000 ? { depth150WithinHalfSecond: p150.medianMs <= 500, depth1000WithinTarget: p1000.medianMs <= 1500 && p1000.outputBytes <= 2_000_000 } : undefined,
  };
}
