// Entry of the real-VS-Code suite: VS Code's extension host calls `run()` (extensionTestsPath).
// Bundled by scripts/build.mjs into out/test/suite/index.js; run it with `npm run test:vscode`
// (see docs/testing.md).
//
// Adding tests:
//   1. Create test/vscode/suite/<topic>.test.ts using mocha's TDD globals (suite, test, suiteSetup,
//      suiteTeardown, setup, teardown) — start it with `/// <reference types="mocha" />` — and the helpers
//      in ./harness.ts (openInEditor, positionOf, hoverText, eventually, requestScreenshot, …).
//   2. Add one line for it to PHASES.main below. The runner refuses to start if a *.test.ts file in this
//      folder is not listed here, so a test file cannot be forgotten.
// Fixture files live in test/vscode/fixtures/ and are copied, with examples/, into a throwaway
// workspace: tests may edit them freely. Paths in tests are relative to that workspace
// (`fixtures/shapes.mcalc`, `examples/neuron.mcalc`).
//
// Phases: each phase runs in its own, fresh extension host (a new window). `main` holds almost everything;
// `markdown` exists only to prove activation by a Markdown file before any .mcalc file has been opened.
//
// Results: every test appends a line to <resultsDir>/events.jsonl as it finishes, and results.json is
// written at the end; the runner prints them and the closing `N passed, N failed` line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { runConfig, skipReasons } from './harness.ts';

const PHASES: Record<string, Array<() => Promise<unknown>>> = {
  main: [
    () => import('./activation.test.ts'), // keep first: it checks the extension is not active before
    () => import('./hover.test.ts'),
    () => import('./diagnostics.test.ts'),
    () => import('./outline.test.ts'),
    () => import('./markdown.test.ts'),
    () => import('./quickfix.test.ts'),
    () => import('./derivation.test.ts'),
    () => import('./copyButtons.test.ts'),
    () => import('./preview.test.ts'),
    () => import('./export.test.ts'),
    () => import('./completion.test.ts'),
    () => import('./navigation.test.ts'),
    () => import('./semanticTokens.test.ts'),
    () => import('./statusBar.test.ts'),
    () => import('./layoutDirective.test.ts'),
    () => import('./claims.test.ts'),
    () => import('./incremental.test.ts'),
    () => import('./screenshots.test.ts'),
    () => import('./onboarding.test.ts'),
    () => import('./training.test.ts'),
  ],
  markdown: [() => import('./markdownActivation.test.ts')],
};

export interface TestRecord {
  title: string;
  fullTitle: string;
  state: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  error?: string;
  skipReason?: string;
  /** A failed hook (suiteSetup, setup, …): its suite's tests do not run, and the runner counts them failed. */
  hook?: boolean;
}

export async function run(): Promise<void> {
  const config = runConfig();
  fs.mkdirSync(config.resultsDir, { recursive: true });
  const eventsFile = path.join(config.resultsDir, 'events.jsonl');
  const resultsFile = path.join(config.resultsDir, 'results.json');
  const emit = (event: object) => fs.appendFileSync(eventsFile, JSON.stringify(event) + '\n');
  const records: TestRecord[] = [];

  try {
    const loaders = PHASES[config.phase];
    if (!loaders) throw new Error(`unknown test phase '${config.phase}'`);

    class Recorder {
      constructor(runner: Mocha.Runner) {
        const record = (t: Mocha.Runnable, state: TestRecord['state'], err?: Error) => {
          const fullTitle = t.fullTitle();
          const rec: TestRecord = { title: t.title, fullTitle, state, durationMs: t.duration ?? 0 };
          if (err) rec.error = formatError(err);
          if ((t as Mocha.Runnable & { type?: string }).type === 'hook') rec.hook = true;
          const reason = skipReasons.get(fullTitle);
          if (state === 'skipped' && reason) rec.skipReason = reason;
          records.push(rec);
          emit({ type: 'test', ...rec });
        };
        runner.on('start', () => emit({ type: 'start', total: runner.total, phase: config.phase }));
        runner.on('pass', (t) => record(t, 'passed'));
        runner.on('fail', (t, err) => record(t, 'failed', err));
        runner.on('pending', (t) => record(t, 'skipped'));
      }
    }

    const mocha = new Mocha({ ui: 'tdd', timeout: 30_000, color: false, reporter: Recorder as unknown as Mocha.ReporterConstructor });
    if (config.grep) mocha.grep(new RegExp(config.grep));
    // The test files call the TDD globals while they load, as `mocha file.js` would make them do.
    mocha.suite.emit('pre-require', globalThis, 'mcalc-suite', mocha);
    for (const load of loaders) await load();
    const failures = await new Promise<number>((resolve) => mocha.run(resolve));
    writeResults(resultsFile, records);
    if (failures > 0) throw new Error(`${failures} test(s) failed`);
  } catch (err) {
    if (!fs.existsSync(resultsFile)) {
      writeResults(resultsFile, records, formatError(err as Error));
      emit({ type: 'crash', error: formatError(err as Error) });
    }
    throw err;
  }
}

function writeResults(file: string, tests: TestRecord[], crash?: string): void {
  const count = (s: TestRecord['state']) => tests.filter((t) => t.state === s).length;
  const summary = { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), tests, crash };
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(summary, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

function formatError(err: Error): string {
  const stack = (err?.stack ?? String(err)).split('\n');
  // The message (which may span lines, e.g. an assertion diff) and a few frames are enough here.
  const firstFrame = stack.findIndex((l) => /^\s+at /.test(l));
  const head = firstFrame < 0 ? stack : stack.slice(0, firstFrame);
  const frames = firstFrame < 0 ? [] : stack.slice(firstFrame, firstFrame + 4);
  return [...head, ...frames].join('\n');
}
