// `npm run test:vscode`: runs test/vscode/suite (bundled to out/test/suite/index.js) inside a real VS Code
// extension host, through one of two routes chosen automatically (see docs/testing.md):
//   electron — @vscode/test-electron with an installed desktop VS Code (MCALC_VSCODE_EXECUTABLE or a usual
//              install path), or a downloaded one when update.code.visualstudio.com answers within 3 s;
//              under xvfb-run on Linux without a display.
//   offline  — code-server (VS Code 1.139.1) on loopback + headless Chromium (Debian's, else npm's
//              @sparticuz/chromium) via playwright-core, tooling cached outside the repo; needs no apt. Also takes the screenshots in test-results/.
// MCALC_VSCODE_ROUTE=electron|offline forces a route. A missing prerequisite fails the run with a message
// saying how to get it; nothing is skipped silently. The last line is `N passed, N failed`.
//
// Environment: MCALC_VSCODE_ROUTE, MCALC_VSCODE_EXECUTABLE, MCALC_VSCODE_VERSION (electron download,
// default stable), MCALC_TEST_CACHE (tooling cache), MCALC_CHROMIUM, MCALC_TEST_TIMEOUT (seconds for the
// run once tooling is ready, default 600), MCALC_EXTENSION_PATH (run the suite against another build).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Missing, builtArtifacts, cacheRoot, createCleanup, indent, resultsFolder, seconds, suitePhases } from './vscode-test/common.mjs';
import { findVSCodeExecutable, needsXvfb, probeDownload, rerunUnderXvfb, runElectron } from './vscode-test/electron.mjs';
import { runOffline } from './vscode-test/offline.mjs';

const script = fileURLToPath(import.meta.url);
const root = join(dirname(script), '..');
const started = Date.now();
const timings = [];

async function chooseRoute() {
  const forced = process.env.MCALC_VSCODE_ROUTE;
  if (forced && forced !== 'electron' && forced !== 'offline') {
    throw new Missing(`MCALC_VSCODE_ROUTE must be 'electron' or 'offline', not '${forced}'`);
  }
  if (forced === 'offline') return { name: 'offline', why: 'forced by MCALC_VSCODE_ROUTE=offline' };
  const executable = findVSCodeExecutable();
  if (forced === 'electron') {
    return { name: 'electron', executable, why: `forced by MCALC_VSCODE_ROUTE=electron${executable ? '' : ' (will download VS Code)'}` };
  }
  if (executable) return { name: 'electron', executable, why: `VS Code installed at ${executable}` };
  const probe = await probeDownload();
  if (probe.ok) return { name: 'electron', executable: null, why: 'update.code.visualstudio.com reachable: VS Code can be downloaded' };
  return { name: 'offline', why: `no desktop VS Code installed and update.code.visualstudio.com unreachable (${probe.reason})` };
}

async function main() {
  const cleanup = createCleanup();
  const results = []; // the routes push each phase's results as it ends, so a later crash keeps them
  let setupError = null;
  try {
    const phases = suitePhases(root);
    const artifacts = builtArtifacts(root);
    const route = await chooseRoute();
    console.log(`real-VS-Code suite: route ${route.name} — ${route.why}`);
    if (route.name === 'electron' && needsXvfb() && !process.env.MCALC_UNDER_XVFB) {
      await cleanup.run();
      return rerunUnderXvfb(script);
    }
    console.log(`tooling cache: ${cacheRoot()}`);
    const outDir = resultsFolder(root);
    const timeoutS = Number(process.env.MCALC_TEST_TIMEOUT || 600);
    if (!(timeoutS > 0)) throw new Missing(`MCALC_TEST_TIMEOUT must be a number of seconds, not '${process.env.MCALC_TEST_TIMEOUT}'`);
    const options = { root, phases, artifacts, cleanup, timeoutMs: timeoutS * 1000, outDir, timings, results };
    if (route.name === 'offline') await runOffline(options);
    else await runElectron({ ...options, executable: route.executable });
  } catch (err) {
    setupError = err;
  } finally {
    const t = Date.now();
    await cleanup.run();
    timings.push(['cleanup', Date.now() - t]);
  }
  return report(results, setupError);
}

function report(results, setupError) {
  const failures = results.flatMap((p) => p.tests.filter((t) => t.state === 'failed').map((t) => ({ ...t, phase: p.phase })));
  if (failures.length) {
    console.log('\nFailures:');
    failures.forEach((f, i) => console.log(`  ${i + 1}) [${f.phase}] ${f.fullTitle}\n${indent(f.error ?? '', 6)}`));
  }
  for (const p of results) {
    if (p.crash) console.log(`\n[${p.phase}] the suite crashed:\n${indent(p.crash, 6)}`);
    if (p.incomplete) console.log(`\n[${p.phase}] ${p.incomplete}`);
    const reported = p.tests.filter((t) => !t.hook).length;
    if (p.total !== null && reported < p.total) {
      console.log(`[${p.phase}] only ${reported} of ${p.total} tests reported; the rest count as failed`);
    }
  }
  if (setupError) {
    const what = setupError instanceof Missing ? 'cannot run the real-VS-Code suite' : 'the real-VS-Code run failed';
    console.log(`\n✗ ${what}: ${setupError instanceof Missing ? setupError.message : setupError.stack}`);
  }
  if (results.length) console.log(`\nscreenshots and logs: ${join(root, 'test-results')}`);
  timings.push(['total', Date.now() - started]);
  console.log(`timings: ${timings.map(([what, ms]) => `${what} ${seconds(ms)}`).join(' · ')}`);

  if (process.env.MCALC_VSCODE_GREP) console.log(`MCALC_VSCODE_GREP=${process.env.MCALC_VSCODE_GREP}: only the matching tests ran`);
  const passed = results.reduce((n, p) => n + p.passed, 0);
  const skipped = results.reduce((n, p) => n + p.skipped, 0);
  let failed = results.reduce((n, p) => n + p.failed, 0);
  if (setupError) failed += 1;
  if (!setupError && passed === 0 && failed === 0) failed = 1; // ran nothing: that is a failure, not a pass
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed === 0 ? 0 : 1;
}

process.exit(await main());
