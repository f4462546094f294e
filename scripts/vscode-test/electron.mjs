// @vscode/test-electron route: a desktop VS Code (installed, or downloaded into the cache folder) runs the
// suite in its extension host. On Linux without a display the runner re-runs itself under xvfb-run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Missing, PhaseResults, removeRun, cacheRoot, childEnv, prepareRun, seconds, sleep, stopGroup } from './common.mjs';

/** Desktop VS Code's Electron binary (not the bin/code wrapper), from MCALC_VSCODE_EXECUTABLE or usual places. */
export function findVSCodeExecutable() {
  const explicit = process.env.MCALC_VSCODE_EXECUTABLE;
  if (explicit) {
    if (!existsSync(explicit)) throw new Missing(`MCALC_VSCODE_EXECUTABLE=${explicit} does not exist`);
    return explicit;
  }
  const candidates = [
    '/usr/share/code/code',
    '/opt/visual-studio-code/code',
    '/snap/code/current/usr/share/code/code',
    '/Applications/Visual Studio Code.app/Contents/MacOS/Electron',
    '/Applications/Visual Studio Code.app/Contents/MacOS/Code',
  ];
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** Can VS Code be downloaded? A quick (≤ 3 s) look at the update server. */
export async function probeDownload(timeoutMs = 3000) {
  const url = 'https://update.code.visualstudio.com/api/releases/stable';
  try {
    const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? { ok: true } : { ok: false, reason: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, reason: err.cause?.code ?? err.name ?? err.message };
  }
}

export function needsXvfb() {
  return process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
}

/** Re-runs this script under xvfb-run (Linux without a display); resolves to its exit code. */
export function rerunUnderXvfb(script) {
  const xvfbRun = ['/usr/bin/xvfb-run', '/bin/xvfb-run'].find(existsSync);
  if (!xvfbRun) throw new Missing('no display and xvfb-run not found: apt-get install xvfb (or run with a DISPLAY)');
  console.log('[electron] no display: re-running under xvfb-run');
  const child = spawn(xvfbRun, ['-a', '-s', '-screen 0 1280x1024x24', process.execPath, script], {
    stdio: 'inherit',
    env: { ...process.env, MCALC_VSCODE_ROUTE: 'electron', MCALC_UNDER_XVFB: '1' },
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

export async function runElectron({ root, phases, artifacts, cleanup, timeoutMs, outDir, timings, results, executable }) {
  let t = Date.now();
  if (!executable) {
    const { downloadAndUnzipVSCode } = await import('@vscode/test-electron');
    const version = process.env.MCALC_VSCODE_VERSION || 'stable';
    console.log(`[electron] VS Code ${version} into ${join(cacheRoot(), 'vscode')} (downloaded once, then reused)`);
    try {
      executable = await downloadAndUnzipVSCode({ version, cachePath: join(cacheRoot(), 'vscode') });
    } catch (err) {
      throw new Missing(
        `could not download VS Code (${err.message}). Set MCALC_VSCODE_EXECUTABLE to an installed VS Code's ` +
          'Electron binary, or use the offline route: MCALC_VSCODE_ROUTE=offline',
      );
    }
    timings.push(['VS Code download/cache', Date.now() - t]);
  }
  console.log(`[electron] ${executable}`);
  const deadline = Date.now() + timeoutMs;
  const run = prepareRun(root, phases, { screenshots: false });
  cleanup.add('remove temp folder', () => removeRun(run, outDir));

  for (const r of run.runs) {
    const phase = new PhaseResults(r.phase, r.resultsDir);
    if (deadline - Date.now() < 5_000) {
      results.push(phase.final(`not started: the ${seconds(timeoutMs)} time limit was used up`));
      continue;
    }
    t = Date.now();
    console.log(`\n[${r.phase}] VS Code → extension host`);
    const args = [
      r.workspace,
      `--extensionDevelopmentPath=${artifacts.extensionPath}`,
      `--extensionTestsPath=${artifacts.suite}`,
      `--user-data-dir=${run.userData}`,
      `--extensions-dir=${run.extensionsDir}`,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--disable-updates',
      '--disable-telemetry',
      '--skip-welcome',
      '--skip-release-notes',
      '--new-window',
      '--no-sandbox',
      '--disable-gpu-sandbox',
    ];
    const child = spawn(executable, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv({ MCALC_TEST_CONFIG: join(r.workspace, '.mcalc-test.json') }),
    });
    cleanup.trackGroup(child.pid);
    const output = [];
    child.stdout.on('data', (d) => output.push(d));
    child.stderr.on('data', (d) => output.push(d));
    let exit = null;
    child.on('exit', (code, signal) => (exit = code ?? signal));
    child.on('error', (err) => (exit = err.message));
    let problem = null;
    while (exit === null) {
      phase.poll();
      if (Date.now() > deadline) {
        problem = 'timed out: the suite had not finished when the time limit ran out (MCALC_TEST_TIMEOUT)';
        break;
      }
      await sleep(100);
    }
    await stopGroup(child, cleanup);
    if (!problem && exit !== 0 && !existsSync(join(r.resultsDir, 'results.json'))) {
      problem = `VS Code exited with ${exit} before the suite reported results; its output:\n${Buffer.concat(output).toString().split('\n').slice(-30).join('\n')}`;
    }
    results.push(phase.final(problem));
    timings.push([`phase ${r.phase} (VS Code start + suite)`, Date.now() - t]);
  }
}
