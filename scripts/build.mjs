// Bundles every entry point with esbuild and copies the webviews' KaTeX and uPlot stylesheets and fonts.
// Usage: node scripts/build.mjs [--watch] [--minify]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const minify = process.argv.includes('--minify');

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: 'linked',
  minify,
  logLevel: 'warning',
  absWorkingDir: root,
};

const builds = [
  { ...nodeCommon, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...nodeCommon, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];
const webview = { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', minify, sourcemap: false, logLevel: 'warning', absWorkingDir: root };
// Optional entries appear as their sources land.
const optional = [
  { ...nodeCommon, entryPoints: ['src/core/workers/trainWorker.ts'], outfile: 'dist/trainWorker.js' },
  { ...nodeCommon, entryPoints: ['src/core/workers/checkWorker.ts'], outfile: 'dist/checkWorker.js' },
  { ...nodeCommon, entryPoints: ['src/core/workers/rowWorker.ts'], outfile: 'dist/rowWorker.js' },
  { ...nodeCommon, entryPoints: ['src/extension/worker/derivationWorker.ts'], outfile: 'dist/derivationWorker.js' },
  { ...nodeCommon, entryPoints: ['test/vscode/suite/index.ts'], outfile: 'out/test/suite/index.js', external: ['vscode'], sourcemap: 'inline', logOverride: { 'require-resolve-not-external': 'silent' } },
  { ...webview, entryPoints: ['src/webview/main.ts'], outfile: 'media/webview.js' },
  { ...webview, entryPoints: ['src/webview/training/main.ts'], outfile: 'media/training.js' },
];
for (const b of optional) if (existsSync(join(root, b.entryPoints[0]))) builds.push(b);

function copyKatexAssets() {
  const katexDist = join(root, 'node_modules', 'katex', 'dist');
  const out = join(root, 'media', 'katex');
  mkdirSync(join(out, 'fonts'), { recursive: true });
  cpSync(join(katexDist, 'katex.min.css'), join(out, 'katex.min.css'));
  for (const f of readdirSync(join(katexDist, 'fonts'))) {
    if (f.endsWith('.woff2')) cpSync(join(katexDist, 'fonts', f), join(out, 'fonts', f));
  }
}

/** uPlot's stylesheet for the training panel (its script is bundled into media/training.js). */
function copyUplotAssets() {
  mkdirSync(join(root, 'media', 'uplot'), { recursive: true });
  cpSync(join(root, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), join(root, 'media', 'uplot', 'uPlot.min.css'));
}

copyKatexAssets();
copyUplotAssets();
if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log(`watching ${builds.length} bundles`);
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`built ${builds.map((b) => b.outfile).join(', ')}`);
}
