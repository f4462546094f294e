// The browser for the offline route. Debian's Chromium when it is installed (or MCALC_CHROMIUM); otherwise
// the Chromium that npm's @sparticuz/chromium ships inside its package (no apt, no browser download),
// installed on first use into its own folder of the tooling cache — never into the project's dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Missing, cacheRoot, childEnv, dirSizeMB, seconds, which } from './common.mjs';
import { runNpm } from './tooling.mjs';

export const SPARTICUZ_VERSION = '153.0.0';

/** Flags every Chromium gets: headless in a container, as root, without calling out. */
const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** An installed Chromium (MCALC_CHROMIUM, then Debian's), or null when there is none or MCALC_CHROMIUM=npm. */
export function installedChromium() {
  const explicit = process.env.MCALC_CHROMIUM;
  if (explicit === 'npm') return null; // to try the npm Chromium on a machine that has Debian's
  if (explicit) {
    if (!existsSync(explicit)) throw new Missing(`MCALC_CHROMIUM=${explicit} does not exist`);
    return explicit;
  }
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  return which('chromium') || which('chromium-browser');
}

/**
 * How to launch the browser with playwright-core: `{ name, executablePath, args, env }`. Installs and
 * unpacks @sparticuz/chromium first when no Chromium is installed, with the tooling's Node 24 (`node`,
 * `nodeDir`: the package needs Node ≥ 22).
 */
export async function ensureBrowser({ node, nodeDir }) {
  const installed = installedChromium();
  if (installed) return { name: `Chromium ${installed}`, executablePath: installed, args: BASE_ARGS, env: {} };
  const dir = join(cacheRoot(), `chromium-sparticuz${SPARTICUZ_VERSION}`);
  const unpacked = join(dir, 'unpacked');
  const stamp = join(dir, '.mcalc-chromium.json');
  if (!existsSync(stamp)) await installSparticuz(dir, { node, nodeDir }, unpacked, stamp);
  const { executablePath, lib, fonts } = JSON.parse(readFileSync(stamp, 'utf8'));
  const env = { LD_LIBRARY_PATH: [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
  // Its own fonts only where the machine has no fontconfig set-up: system fonts look better in screenshots.
  if (!existsSync('/etc/fonts/fonts.conf')) env.FONTCONFIG_PATH = fonts;
  return { name: `@sparticuz/chromium ${SPARTICUZ_VERSION} (no Chromium installed)`, executablePath, args: BASE_ARGS, env };
}

// Runs in the tooling's Node 24 with TMPDIR set to the target folder: the package unpacks into tmpdir().
// al2023.tar.br holds the NSS, NSPR and expat libraries the binary links against, which a bare Debian lacks.
const UNPACK = `
const { default: chromium, inflate } = await import('@sparticuz/chromium');
const { dirname, join } = await import('node:path');
const bin = join(process.cwd(), 'node_modules', '@sparticuz', 'chromium', 'bin');
const executablePath = await chromium.executablePath(bin);
const lib = join(await inflate(join(bin, 'al2023.tar.br')), 'lib');
console.log(JSON.stringify({ executablePath, lib, fonts: join(dirname(executablePath), 'fonts') }));
`;

async function installSparticuz(dir, { node, nodeDir }, unpacked, stamp) {
  if (!which('npm')) throw new Missing('npm not found on PATH (it installs the test tooling)');
  const started = Date.now();
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'unpacked'), { recursive: true });
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'mcalc-vscode-test-chromium', private: true }, null, 2));
  console.log(`[chromium] no Chromium installed: using npm's @sparticuz/chromium@${SPARTICUZ_VERSION}, installing into ${dir}`);
  try {
    await runNpm(staging, join(cacheRoot(), 'install.log'), ['install', `@sparticuz/chromium@${SPARTICUZ_VERSION}`], {
      label: `@sparticuz/chromium@${SPARTICUZ_VERSION} (a Chromium inside an npm package, ~70 MB)`,
      env: { PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}` }, // its engines field asks for Node ≥ 22
    });
    const r = spawnSync(node, ['--input-type=module', '-e', UNPACK], {
      cwd: staging,
      encoding: 'utf8',
      env: childEnv({ TMPDIR: join(staging, 'unpacked') }),
    });
    if (r.status !== 0) throw new Error(`unpacking @sparticuz/chromium failed:\n${r.stderr || r.error?.message}`);
    // The paths point into the staging folder until it is renamed: store them relative to `unpacked`.
    const paths = JSON.parse(r.stdout.trim().split('\n').pop());
    const moved = Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, p.replace(join(staging, 'unpacked'), unpacked)]));
    writeFileSync(join(staging, '.mcalc-chromium.json'), JSON.stringify(moved, null, 2));
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  if (!existsSync(stamp)) throw new Error(`@sparticuz/chromium did not install into ${dir}`);
  console.log(`[chromium] ready in ${seconds(Date.now() - started)} (${dirSizeMB(dir) ?? '?'} MB)`);
}
