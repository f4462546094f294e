// Bench section: PyTorch's figures for the same problems (bench/torch/compare.py), run where a Python with torch is
// installed (Debian's python3-torch); otherwise it says "skipped: no torch". The JavaScript baselines of the other
// sections run always; ratios between them belong to the reader of one run's JSON.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

function script(): string | undefined {
  for (const p of [join(__dirname, '..', '..', '..', 'bench', 'torch', 'compare.py'), join(__dirname, '..', 'torch', 'compare.py')]) if (existsSync(p)) return p;
  return undefined;
}

export default async function torch(): Promise<Record<string, unknown>> {
  const file = script();
  if (!file) return { skipped: 'bench/torch/compare.py not found' };
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) continue;
    const r = spawnSync(python, [file], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) return { error: `compare.py failed: ${r.stderr.trim().split('\n').pop()}` };
    return { python, ...JSON.parse(r.stdout.trim().split('\n').pop()!) };
  }
  return { skipped: 'no torch (install Debian\'s python3-torch to compare)' };
}
