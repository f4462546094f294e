// The browser for the offline route. Debian's Chromium when it is installed (or MCALC_CHROMIUM); otherwise
// the Chromium that npm's @sparticuz/chromium ships inside its package (no apt, no browser download),
// installed on first use into its own folder of the tooling cache — never into the project's dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Missing, cacheRoot, childEnv, dirSizeMB, removeOtherVersions, seconds, which } from './common.mjs';
import { runNpm } from './tooling.mjs';

const SPARTICUZ_VERSION = '153.0.0';
/** Fonts for machines without any (the package brings only Open Sans, which lacks ᵀ, ⊗, ∂ …). */
const DEJAVU_VERSION = '2.37.3';
const STAMP = '.mcalc-chromium.json';

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
  const dir = join(cacheRoot(), `chromium-sparticuz${SPARTICUZ_VERSION}-dejavu${DEJAVU_VERSION}`);
  const stamp = join(dir, STAMP);
  if (!existsSync(stamp)) await installSparticuz(dir, { node, nodeDir });
  const paths = JSON.parse(readFileSync(stamp, 'utf8'));
  const env = { LD_LIBRARY_PATH: [join(dir, paths.lib), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
  // Our fonts only where the machine has no fontconfig set-up of its own (a bare Debian has no fonts, and
  // then the workbench hangs opening an editor); system fonts are kept where there are some.
  if (!existsSync('/etc/fonts/fonts.conf')) env.FONTCONFIG_PATH = join(dir, 'fontconfig');
  return {
    name: `@sparticuz/chromium ${SPARTICUZ_VERSION} (no Chromium installed)`,
    executablePath: join(dir, paths.executablePath),
    args: BASE_ARGS,
    env,
  };
}


// Runs in the tooling's Node 24 with TMPDIR set to the target folder: the package unpacks into tmpdir().
// al2023.tar.br holds the NSS, NSPR and expat libraries the binary links against, which a bare Debian lacks.
const UNPACK = `
const { default: chromium, inflate } = await import('@sparticuz/chromium');
const { join } = await import('node:path');
const bin = join(process.cwd(), 'node_modules', '@sparticuz', 'chromium', 'bin');
const executablePath = await chromium.executablePath(bin);
const lib = join(await inflate(join(bin, 'al2023.tar.br')), 'lib');
console.log(JSON.stringify({ executablePath, lib }));
`;

async function installSparticuz(dir, { node, nodeDir }) {
  if (!which('npm')) throw new Missing('npm not found on PATH (it installs the test tooling)');
  const started = Date.now();
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'unpacked'), { recursive: true });
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'mcalc-vscode-test-chromium', private: true }, null, 2));
  console.log(`[chromium] no Chromium installed: using npm's @sparticuz/chromium@${SPARTICUZ_VERSION}, installing into ${dir}`);
  try {
    const specs = [`@sparticuz/chromium@${SPARTICUZ_VERSION}`, `dejavu-fonts-ttf@${DEJAVU_VERSION}`];
    await runNpm(staging, join(cacheRoot(), 'install.log'), ['install', ...specs], {
      label: `${specs.join(' and ')} (a Chromium and fonts inside npm packages, ~80 MB)`,
      env: { PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}` }, // its engines field asks for Node ≥ 22
    });
    const r = spawnSync(node, ['--input-type=module', '-e', UNPACK], {
      cwd: staging,
      encoding: 'utf8',
      env: childEnv({ TMPDIR: join(staging, 'unpacked') }),
    });
    if (r.status !== 0) throw new Error(`unpacking @sparticuz/chromium failed:\n${r.stderr || r.error?.message}`);
    const unpacked = JSON.parse(r.stdout.trim().split('\n').pop());
    mkdirSync(join(staging, 'fontconfig'));
    writeFileSync(join(staging, 'fontconfig', 'fonts.conf'), fontsConf(dir));
    const paths = Object.fromEntries(Object.entries(unpacked).map(([k, p]) => [k, relative(staging, p)]));
    writeFileSync(join(staging, STAMP), JSON.stringify(paths, null, 2));
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  removeOtherVersions('chromium-sparticuz', dir);
  console.log(`[chromium] ready in ${seconds(Date.now() - started)} (${dirSizeMB(dir) ?? '?'} MB)`);
}

/** A fontconfig set-up with DejaVu as the sans, serif and monospace fonts (paths in the final folder). */
function fontsConf(dir) {
  const family = (generic, font) => `  <alias><family>${generic}</family><prefer><family>${font}</family></prefer></alias>`;
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    `  <dir>${join(dir, 'node_modules', 'dejavu-fonts-ttf', 'ttf')}</dir>`,
    `  <dir>${join(dir, 'unpacked', 'fonts')}</dir>`,
    `  <cachedir>${join(dir, 'fontconfig', 'cache')}</cachedir>`,
    family('sans-serif', 'DejaVu Sans'),
    family('serif', 'DejaVu Serif'),
    family('monospace', 'DejaVu Sans Mono'),
    '</fontconfig>',
    '',
  ].join('\n');
}
