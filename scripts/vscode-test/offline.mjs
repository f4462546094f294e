// Offline route: code-server (VS Code 1.139.1) on loopback, its workbench in headless Chromium (Debian's,
// or npm's @sparticuz/chromium: chromium.mjs) driven by playwright-core, the suite in the real Node
// extension host via the workbench's extensionDevelopmentPath / extensionTestsPath payload. Needs no internet once the tooling is cached.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PhaseResults, removeRun, childEnv, fileBytes, prepareRun, seconds, sleep, stopGroup, tail } from './common.mjs';
import { ensureBrowser } from './chromium.mjs';
import { ensureTooling, VSCODE_VERSION } from './tooling.mjs';

const VIEWPORT = { width: 1280, height: 800 };

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Runs every phase, pushing a PhaseResults per phase onto `results`. Everything it starts is registered
 * with `cleanup`. `timeoutMs` bounds the whole route once the tooling is ready.
 */
export async function runOffline({ root, phases, artifacts, cleanup, timeoutMs, outDir, timings, results }) {
  let t = Date.now();
  const tooling = await ensureTooling();
  timings.push([tooling.installed ? 'tooling install' : 'tooling (cached)', Date.now() - t]);
  t = Date.now();
  const browserSpec = await ensureBrowser(tooling);
  timings.push([`browser: ${browserSpec.name}`, Date.now() - t]);
  const deadline = Date.now() + timeoutMs;

  t = Date.now();
  const run = prepareRun(root, phases, { screenshots: true });
  cleanup.add('remove temp folder', () => removeRun(run, outDir));

  // --- code-server on loopback -------------------------------------------------------------------
  const port = await freePort();
  const serverLog = join(outDir, 'code-server.log');
  const logStream = createWriteStream(serverLog);
  const server = spawn(
    tooling.node,
    [
      tooling.codeServerEntry,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      '--user-data-dir', run.userData,
      '--extensions-dir', run.extensionsDir,
      '--config', join(run.tmp, 'code-server.yaml'),
      '--vscode-option', 'enable-smoke-test-driver',
    ],
    {
      cwd: run.tmp,
      detached: true, // its own process group: stopping it stops its extension hosts too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv({
        PATH: `${join(tooling.nodeDir, 'bin')}:${process.env.PATH}`,
        XDG_CONFIG_HOME: join(run.tmp, 'xdg-config'),
        XDG_DATA_HOME: join(run.tmp, 'xdg-data'),
        XDG_CACHE_HOME: join(run.tmp, 'xdg-cache'),
        // No extension gallery: the server would otherwise query open-vsx.org (loopback only).
        EXTENSIONS_GALLERY: '{}',
      }),
    },
  );
  cleanup.trackGroup(server.pid);
  cleanup.add('stop code-server', () => stopGroup(server, cleanup));
  server.stdout.pipe(logStream, { end: false });
  server.stderr.pipe(logStream, { end: false });
  let serverExit = null;
  server.on('exit', (code, signal) => (serverExit = signal ?? code));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (serverExit !== null) throw new Error(`code-server exited (${serverExit}) before listening; log:\n${tail(serverLog)}`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer on ${base} in time; log:\n${tail(serverLog)}`);
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      /* not yet */
    }
    await sleep(150);
  }
  timings.push([`code-server (VS Code ${VSCODE_VERSION}) on 127.0.0.1:${port}`, Date.now() - t]);

  // --- Chromium ----------------------------------------------------------------------------------
  t = Date.now();
  const require = createRequire(join(tooling.dir, 'package.json'));
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: browserSpec.executablePath,
    headless: true,
    args: browserSpec.args,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    // Keep Chromium's crash-report database and caches out of the home folder.
    env: childEnv({ ...browserSpec.env, XDG_CONFIG_HOME: join(run.tmp, 'xdg-config'), XDG_CACHE_HOME: join(run.tmp, 'xdg-cache') }),
  });
  cleanup.add('close Chromium', () => browser.close());
  timings.push(['Chromium launch', Date.now() - t]);

  // --- phases ------------------------------------------------------------------------------------
  for (const r of run.runs) {
    const remaining = deadline - Date.now();
    const phase = new PhaseResults(r.phase, r.resultsDir);
    if (remaining < 5_000) {
      results.push(phase.final(`not started: the ${seconds(timeoutMs)} time limit was used up`));
      continue;
    }
    t = Date.now();
    console.log(`\n[${r.phase}] workbench ${base} → extension host`);
    let problem;
    try {
      problem = await runPhase({ browser, base, port, r, phase, artifacts, outDir, deadline });
    } catch (err) {
      problem = `driving the workbench failed: ${err.message}`;
    }
    results.push(phase.final(problem));
    timings.push([`phase ${r.phase} (workbench load + suite)`, Date.now() - t]);
  }
}

async function runPhase({ browser, base, port, r, phase, artifacts, outDir, deadline }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(artifacts.extensionPath)],
    ['extensionTestsPath', remote(artifacts.suite)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  const url = `${base}/?folder=${encodeURIComponent(r.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const logFile = join(outDir, `vscode-${r.phase}.log`);
  const log = createWriteStream(logFile);
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    let exitCode = null;
    // The workbench calls these (enable-smoke-test-driver): log lines, and the suite's outcome.
    await page.exposeFunction('codeAutomationExit', (code) => {
      exitCode ??= Number(code);
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      log.write(`[${type}] ${Array.isArray(args) ? args.map(String).join(' ') : String(args)}\n`);
    });
    page.on('console', (m) => log.write(`[console.${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => log.write(`[pageerror] ${e.message}\n`));
    let crashed = false;
    page.on('crash', () => (crashed = true));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: Math.max(1000, deadline - Date.now()) });

    const handled = new Set();
    for (;;) {
      phase.poll();
      for (const f of readdirSync(r.resultsDir)) {
        const m = /^shot-(.+)\.request\.json$/.exec(f);
        if (m && !handled.has(f)) {
          handled.add(f);
          await takeScreenshot(page, r.resultsDir, f, m[1], outDir);
        }
      }
      if (exitCode !== null) break;
      if (crashed) return 'the browser page crashed';
      if (Date.now() > deadline) {
        return `timed out: the suite had not finished when the time limit ran out (MCALC_TEST_TIMEOUT); log: ${logFile}`;
      }
      await sleep(100);
    }
    // Give the host a moment to flush results.json after run() settled.
    const settle = Date.now() + 3000;
    while (!existsSync(join(r.resultsDir, 'results.json')) && Date.now() < settle) await sleep(100);
    if (exitCode !== 0 && !existsSync(join(r.resultsDir, 'results.json'))) {
      return `the extension host ended the suite with code ${exitCode} before it reported results; last lines of ${logFile}:\n${tail(logFile)}`;
    }
    return null;
  } finally {
    await context.close().catch(() => {});
    log.end();
  }
}

/**
 * The first visible element matching the check inside any frame (webviews render in nested iframes); with
 * `measure`, that expression's value (as JSON) in the first frame where the element is found.
 */
async function findInFrames(page, check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      let found = await frame
        .evaluate(({ selector, text, click }) => {
          for (const el of document.querySelectorAll(selector)) {
            const content = el.textContent ?? '';
            const box = el.getBoundingClientRect();
            if (box.width > 0 && box.height > 0 && (!text || content.includes(text))) {
              if (click) el.click();
              return content.slice(0, 400) || '(no text)';
            }
          }
          return null;
        }, check)
        .catch(() => null);
      if (found !== null && check.measure) found = await frame.evaluate(`JSON.stringify(${check.measure})`).catch((err) => `measure failed: ${err.message}`);
      if (found !== null) return found;
    }
    await sleep(200);
  }
  return null;
}

/** Checks the workbench DOM as asked, then takes the screenshot and answers the host. */
async function takeScreenshot(page, dir, requestFile, name, outDir) {
  const request = JSON.parse(readFileSync(join(dir, requestFile), 'utf8'));
  const file = join(outDir, `${name}.png`);
  const answer = { file: `test-results/${name}.png`, bytes: 0, found: [] };
  try {
    for (const check of request.checks ?? []) {
      if (check.frame === 'webview') {
        answer.found.push(await findInFrames(page, check));
        continue;
      }
      try {
        const handle = await page.waitForFunction(
          ({ selector, text }) => {
            for (const el of document.querySelectorAll(selector)) {
              const box = el.getBoundingClientRect();
              const style = getComputedStyle(el);
              const visible = box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
              const content = el.textContent ?? '';
              if (visible && (!text || content.includes(text))) return content.slice(0, 400) || '(no text)';
            }
            return null;
          },
          check,
          { timeout: 8000, polling: 100 },
        );
        answer.found.push(check.measure ? await page.evaluate(`JSON.stringify(${check.measure})`) : await handle.jsonValue());
        const element = () => page.locator(check.selector).filter({ visible: true, ...(check.text ? { hasText: check.text } : {}) }).first();
        if (check.fill !== undefined) await element().fill(check.fill);
        if (check.click) await element().click();
      } catch {
        answer.found.push(null);
      }
    }
    await sleep(300); // let the hover's fade-in finish
    await page.screenshot({ path: file });
    answer.bytes = fileBytes(file);
  } catch (err) {
    answer.error = `screenshot '${name}' failed: ${err.message}`;
  }
  const done = join(dir, `shot-${name}.done.json`);
  writeFileSync(`${done}.tmp`, JSON.stringify(answer));
  renameSync(`${done}.tmp`, done);
}
