// The pure parts of the editor layer: the analysis cache, Markdown mapping, finding the derivative form at
// the cursor, and gradient checks in a worker thread.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalysisCache } from '../../src/extension/analysisCache.ts';
import { analyzeDocument } from '../../src/core/document.ts';
import { derivativeAt } from '../../src/core/presentation.ts';
import { CheckCancelled } from '../../src/core/numeric/gradcheck.ts';
import { runChecksInWorker } from '../../src/core/workers/checkClient.ts';

const NEURON = 'dim n\nb, y: scalar\nw, x: vector[n]\nz = w · x + b\na = max(0, z)\nloss = (y - a)^2\ng = d(loss)/d(w)\n';

test('the analysis cache runs one analysis per document version and layout', () => {
  const cache = new AnalysisCache();
  let version = 1;
  const doc = { uri: { toString: () => 'file:///a.mcalc' }, languageId: 'mcalc', get version() { return version; }, getText: () => NEURON };
  const first = cache.get(doc, 'numerator');
  assert.equal(cache.get(doc, 'numerator'), first);
  assert.equal(cache.analyses, 1);
  assert.notEqual(cache.get(doc, 'denominator'), first);
  version = 2;
  cache.get(doc, 'denominator');
  assert.equal(cache.analyses, 3);
  cache.forget(doc.uri);
  cache.get(doc, 'denominator');
  assert.equal(cache.analyses, 4);
});

test('Markdown: positions map between the file and its mcalc blocks', () => {
  const md = '# T\n\n```mcalc\nx: vector[n]\n```\ntext\n```mcalc\ny = x + 1\n```\n';
  const d = analyzeDocument(md, 'markdown', 'numerator');
  assert.deepEqual(d.toVirtual({ line: 7, character: 4 }), { line: 1, character: 4 });
  assert.equal(d.toVirtual({ line: 5, character: 0 }), undefined, 'prose is outside the blocks');
  assert.deepEqual(d.toReal({ start: { line: 1, character: 0 }, end: { line: 1, character: 9 } }), { start: { line: 7, character: 0 }, end: { line: 7, character: 9 } });
});

test('the derivative form at the cursor: the innermost containing it, else the first on its line', () => {
  const text = `${NEURON}h = 2 * d(z)/d(w) + d(a)/d(w)\n`;
  const { analysis } = analyzeDocument(text, 'mcalc', 'numerator');
  const line = text.split('\n').findIndex((l) => l.startsWith('h = '));
  const start = analysis.lines.lineStart(line);
  assert.equal(derivativeAt(analysis, text.indexOf('d(a)'))?.text, 'd(a)/d(w)');
  assert.equal(derivativeAt(analysis, start)?.text, 'd(z)/d(w)', 'the line start finds the first form on the line');
  assert.equal(derivativeAt(analysis, text.indexOf('z = w')), undefined);
});

test('checks run in a worker thread: results arrive one by one, ranges in the real document', async () => {
  const text = `${NEURON}check d(loss)/d(w) = -2*(y - a)*xᵀ\n`;
  const seen: string[] = [];
  const report = await runChecksInWorker({ text, languageId: 'mcalc', layout: 'numerator', seed: 5 }, { onResult: (r, done, total) => seen.push(`${done}/${total} ${r.text}`) });
  assert.deepEqual(seen, ['1/2 d(loss)/d(w)', '2/2 d(loss)/d(w)']);
  const claim = report.results.find((r) => r.kind === 'claim')!;
  assert.equal(claim.passed, false);
  assert.equal(claim.line, 8);
  assert.equal(report.results.find((r) => r.kind === 'derivative')!.passed, true);
  const only = await runChecksInWorker({ text, languageId: 'mcalc', layout: 'numerator', seed: 5, lines: [6] });
  assert.deepEqual(only.results.map((r) => r.kind), ['derivative']);
});

test('a cancelled check in a worker rejects with CheckCancelled, named so', async () => {
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(runChecksInWorker({ text: NEURON, languageId: 'mcalc', layout: 'numerator' }, { signal: abort.signal }), (e: unknown) => e instanceof CheckCancelled && e.name === 'CheckCancelled');
});

test('a worker that must be terminated after the abort still rejects with CheckCancelled', async () => {
  // A worker script that never answers: the client terminates it after the grace period.
  const silent = join(mkdtempSync(join(tmpdir(), 'mcalc-worker-')), 'silent.js');
  writeFileSync(silent, 'setInterval(() => {}, 1000);');
  const abort = new AbortController();
  const run = runChecksInWorker({ text: NEURON, languageId: 'mcalc', layout: 'numerator' }, { signal: abort.signal, workerPath: silent, graceMs: 50 });
  abort.abort();
  await assert.rejects(run, (e: unknown) => e instanceof CheckCancelled && e.name === 'CheckCancelled');
});
