// Shared pieces of the real-VS-Code test runner: prerequisites, cleanup, the throwaway run folder and
// workspaces, and reading the results that the in-host suite (test/vscode/suite) writes.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A prerequisite is missing: the message says what and how to get it. The run fails; it never skips. */
export class Missing extends Error {}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Where test tooling and downloaded VS Code builds are kept: outside the repo, reused across runs. */
export function cacheRoot() {
  if (process.env.MCALC_TEST_CACHE) return process.env.MCALC_TEST_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mcalc-vscode-test');
}

/** Deletes the cache's folders named `<prefix>…` other than `keep` (older versions), unless still being installed. */
export function removeOtherVersions(prefix, keep) {
  for (const f of readdirSync(cacheRoot())) {
    const p = join(cacheRoot(), f);
    if (f.startsWith(prefix) && p !== keep && !f.includes('.partial-')) rmSync(p, { recursive: true, force: true });
  }
}

export function which(cmd) {
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/** The environment for child processes, without variables that would make VS Code or npm misbehave. */
export function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    // VSCODE_IPC_HOOK_CLI & co. (set in VS Code's terminal) make code-server/VS Code hand off to that
    // instance; ELECTRON_RUN_AS_NODE turns VS Code into plain Node; npm_* come from `npm run`.
    if (/^(VSCODE_|ELECTRON_RUN_AS_NODE$|npm_|INIT_CWD$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/**
 * Cleanup that always runs: after the run, on failure, on SIGINT/SIGTERM, and (for process groups,
 * synchronously) on exit.
 */
export function createCleanup() {
  const tasks = [];
  const groups = new Set();
  let running = null;
  const api = {
    add(name, fn) {
      tasks.push({ name, fn });
    },
    /** Kills the process group `pid` (a child spawned with detached: true) at the latest on exit. */
    trackGroup(pid) {
      groups.add(pid);
    },
    untrackGroup(pid) {
      groups.delete(pid);
    },
    run() {
      running ??= (async () => {
        for (const t of tasks.reverse()) {
          try {
            await Promise.race([t.fn(), sleep(10_000).then(() => { throw new Error('timed out'); })]);
          } catch (err) {
            console.error(`cleanup: ${t.name}: ${err.message}`);
          }
        }
        killGroups();
      })();
      return running;
    },
  };
  const killGroups = () => {
    for (const pid of groups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    groups.clear();
  };
  let signalled = false;
  const onSignal = (signal) => {
    if (signalled) return;
    signalled = true;
    console.error(`\n${signal}: stopping VS Code, the browser and the server, removing temp folders…`);
    api.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  // `on`, not `once`: playwright-core's signal-exit re-raises a signal when no other listener is left.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.once('exit', killGroups);
  return api;
}

/** Stops a detached child and everything it started (its process group): TERM, then KILL. */
export async function stopGroup(child, cleanup, graceMs = 3000) {
  if (!child?.pid) return;
  const alive = () => {
    try {
      process.kill(-child.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await sleep(100);
  if (alive()) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  cleanup.untrackGroup(child.pid);
}

/**
 * The phases of the suite, read from PHASES in test/vscode/suite/index.ts, after checking that every
 * *.test.ts file in that folder is registered there (a forgotten file would silently not run).
 */
export function suitePhases(root) {
  const dir = join(root, 'test', 'vscode', 'suite');
  const index = join(dir, 'index.ts');
  if (!existsSync(index)) throw new Missing(`test/vscode/suite/index.ts is missing`);
  const text = readFileSync(index, 'utf8');
  const block = /const PHASES\b[\s\S]*?=\s*\{\n([\s\S]*?)\n\};/.exec(text);
  if (!block) throw new Missing('test/vscode/suite/index.ts: no `const PHASES = { … };` block found');
  const phases = [...block[1].matchAll(/^\s{2}([\w-]+): \[/gm)].map((m) => m[1]);
  const listed = new Set([...block[1].matchAll(/import\('\.\/([\w.-]+\.test\.ts)'\)/g)].map((m) => m[1]));
  const unlisted = readdirSync(dir).filter((f) => f.endsWith('.test.ts') && !listed.has(f));
  if (unlisted.length) {
    throw new Missing(`test file(s) not registered in PHASES in test/vscode/suite/index.ts: ${unlisted.join(', ')}`);
  }
  if (!phases.length) throw new Missing('test/vscode/suite/index.ts: PHASES lists no phase');
  return phases;
}

/** The built extension and suite that the host loads. */
export function builtArtifacts(root) {
  const extensionPath = process.env.MCALC_EXTENSION_PATH || root;
  const manifest = JSON.parse(readFileSync(join(extensionPath, 'package.json'), 'utf8'));
  const main = join(extensionPath, manifest.main || 'extension.js');
  const suite = join(root, 'out', 'test', 'suite', 'index.js');
  for (const f of [main, suite]) {
    if (!existsSync(f)) throw new Missing(`${f} is missing: run \`npm run build\` first (npm test does)`);
  }
  return { extensionPath, suite };
}

/** User settings for a throwaway profile: trusted folder, no welcome page, nothing that calls out. */
export const USER_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'npm.fetchOnlinePackageInfo': false,
  'chat.disableAIFeatures': true,
  'editor.hover.delay': 100,
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'files.exclude': { '**/.mcalc-test.json': true },
};

/**
 * Lays out the run's temp folder: a profile (user data + extensions dir), and per phase a workspace
 * (copies of examples/ and test/vscode/fixtures/, so tests may edit them) with .mcalc-test.json, and a
 * results folder.
 */
export function prepareRun(root, phases, { screenshots }) {
  const tmp = mkdtempSync(join(tmpdir(), 'mcalc-vscode-'));
  const userData = join(tmp, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const extensionsDir = join(tmp, 'extensions');
  mkdirSync(extensionsDir);
  const runs = phases.map((phase) => {
    const workspace = join(tmp, 'workspaces', phase);
    const resultsDir = join(tmp, 'results', phase);
    mkdirSync(workspace, { recursive: true });
    mkdirSync(resultsDir, { recursive: true });
    if (existsSync(join(root, 'examples'))) cpSync(join(root, 'examples'), join(workspace, 'examples'), { recursive: true });
    cpSync(join(root, 'test', 'vscode', 'fixtures'), join(workspace, 'fixtures'), { recursive: true });
    writeFileSync(join(workspace, '.mcalc-test.json'), JSON.stringify({ phase, resultsDir, screenshots, grep: process.env.MCALC_VSCODE_GREP || undefined }, null, 2));
    return { phase, workspace, resultsDir };
  });
  return { tmp, userData, extensionsDir, runs };
}

/**
 * Copies VS Code's own logs (extension host, renderer) to test-results/vscode-logs/ for a post-mortem,
 * then deletes the run's temp folder unless MCALC_TEST_KEEP=1.
 */
export function removeRun(run, outDir) {
  const logs = join(run.userData, 'logs');
  if (existsSync(logs)) cpSync(logs, join(outDir, 'vscode-logs'), { recursive: true });
  if (process.env.MCALC_TEST_KEEP === '1') console.log(`kept the run's temp folder (MCALC_TEST_KEEP=1): ${run.tmp}`);
  else rmSync(run.tmp, { recursive: true, force: true });
}

/** test-results/ in the repo (git-ignored): screenshots and logs for a person to look at. */
export function resultsFolder(root) {
  const dir = join(root, 'test-results');
  mkdirSync(dir, { recursive: true });
  // Stale screenshots and logs from an earlier run must not pass for this run's.
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.png') || f === 'vscode-logs' || /^(vscode-.*|code-server)\.log$/.test(f)) {
      rmSync(join(dir, f), { recursive: true, force: true });
    }
  }
  return dir;
}

/**
 * Follows one phase's events.jsonl as the host appends to it, printing each test as it finishes, and
 * keeps the tally. `final()` merges results.json (authoritative when present).
 */
export class PhaseResults {
  constructor(phase, resultsDir) {
    this.phase = phase;
    this.resultsDir = resultsDir;
    this.tests = [];
    this.total = null;
    this.crash = null;
    this.read = 0;
    this.incomplete = null;
  }

  poll() {
    const file = join(this.resultsDir, 'events.jsonl');
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    for (const line of complete.slice(this.read).split('\n')) {
      if (!line) continue;
      const ev = JSON.parse(line);
      if (ev.type === 'start') this.total = ev.total;
      else if (ev.type === 'crash') this.crash = ev.error;
      else if (ev.type === 'test') {
        this.tests.push(ev);
        printTest(ev);
      }
    }
    this.read = complete.length;
  }

  /** Call after the host exited (or timed out); `problem` says why it did not finish, if it didn't. */
  final(problem) {
    this.poll();
    const file = join(this.resultsDir, 'results.json');
    if (existsSync(file)) {
      const summary = JSON.parse(readFileSync(file, 'utf8'));
      if (summary.crash) this.crash = summary.crash;
      if (summary.tests.length > this.tests.length) {
        for (const t of summary.tests.slice(this.tests.length)) printTest(t);
        this.tests = summary.tests;
      }
    } else if (!problem) {
      problem = 'the suite ended without writing results.json';
    }
    this.incomplete = problem ?? null;
    return this;
  }

  get passed() {
    return this.tests.filter((t) => t.state === 'passed').length;
  }
  get skipped() {
    return this.tests.filter((t) => t.state === 'skipped').length;
  }
  /**
   * Failed tests plus every test that never reported (after a failed hook, a crash or a timeout); a failed
   * hook that left no test unrun (e.g. suiteTeardown) counts itself; a broken phase counts at least 1.
   */
  get failed() {
    const failedTests = this.tests.filter((t) => t.state === 'failed' && !t.hook).length;
    const failedHooks = this.tests.filter((t) => t.hook).length;
    const reported = this.tests.length - failedHooks;
    const unreported = this.total !== null ? Math.max(0, this.total - reported) : 0;
    let failed = failedTests + unreported + (unreported === 0 ? failedHooks : 0);
    if (this.incomplete || this.crash) failed = Math.max(failed, failedTests + 1);
    return failed;
  }
}

export function printTest(t) {
  const mark = t.state === 'passed' ? '✓' : t.state === 'failed' ? '✗' : '-';
  const extra = t.state === 'skipped' ? ` (skipped: ${t.skipReason ?? 'no reason given'})` : ` (${t.durationMs} ms)`;
  console.log(`  ${mark} ${t.fullTitle}${extra}`);
  if (t.state === 'failed' && t.error) console.log(indent(t.error, 6));
}

export function indent(text, n) {
  const pad = ' '.repeat(n);
  return String(text)
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

export function tail(file, lines = 30) {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

export function dirSizeMB(dir) {
  const r = spawnSync('du', ['-sm', dir], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.split(/\s/)[0]) : null;
}

export function fileBytes(file) {
  return existsSync(file) ? statSync(file).size : 0;
}
