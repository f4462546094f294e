// `npm test`: typecheck, build, the unit tests and the real-VS-Code suite, then one closing line for the whole
// run, `N passed, N failed`. Both suites run even when the first fails, so a CI log shows every failure at once;
// a typecheck or build error stops the run (there is nothing to test), and counts as one failure.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs `npm run <script>`, echoing its output; resolves with the exit code and the output's last 64 KB. */
function run(script) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '-s', script], { stdio: ['inherit', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk).slice(-65536);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, tail }));
  });
}

/** The pass/fail counts a suite printed (node --test's `ℹ pass N`, or the VS Code runner's closing line). */
function counts({ code, tail }) {
  const unit = [/^ℹ pass (\d+)$/m.exec(tail), /^ℹ fail (\d+)$/m.exec(tail)];
  const vscode = [...tail.matchAll(/^(\d+) passed, (\d+) failed/gm)].at(-1);
  let [passed, failed] = unit[0] && unit[1] ? [Number(unit[0][1]), Number(unit[1][1])] : vscode ? [Number(vscode[1]), Number(vscode[2])] : [0, 0];
  if (code !== 0 && failed === 0) failed = 1; // it failed without saying how many: count the failure itself
  return { passed, failed };
}

const started = Date.now();
let passed = 0;
let failed = 0;
const lines = [];
for (const step of ['typecheck', 'build']) {
  const result = await run(step);
  if (result.code !== 0) {
    console.log(`\nnpm test: ${step} failed; no tests were run\n0 passed, 1 failed`);
    process.exit(1);
  }
}
for (const [name, script] of [['unit', 'test:unit'], ['real VS Code', 'test:vscode']]) {
  const c = counts(await run(script));
  passed += c.passed;
  failed += c.failed;
  lines.push(`${name}: ${c.passed} passed, ${c.failed} failed`);
}
console.log(`\nnpm test: ${lines.join(' · ')} · ${Math.round((Date.now() - started) / 1000)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
