// `npm run bench [SECTION…]`: bundles bench/run.ts and each section with esbuild (as the extension is
// shipped, without tsx's per-function wrappers) into out/bench/, then runs it with the given arguments.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sections = readdirSync(join(root, 'bench', 'sections')).filter((f) => f.endsWith('.ts'));
const common = { bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'warning', absWorkingDir: root };
await esbuild.build({ ...common, entryPoints: ['bench/run.ts'], outfile: 'out/bench/run.js' });
await esbuild.build({ ...common, entryPoints: sections.map((f) => `bench/sections/${f}`), outdir: 'out/bench/sections' });
// The one-pass kernel's helper threads load their worker script from beside the bundle that starts them.
await esbuild.build({ ...common, entryPoints: ['src/core/workers/rowWorker.ts'], outfile: 'out/bench/sections/rowWorker.js' });
const r = spawnSync(process.execPath, [join(root, 'out', 'bench', 'run.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
