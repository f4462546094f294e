// The analysis cache across versions of a document: each new version is analysed incrementally from the last
// one (with the editor's change event when there is one) and equals a full analysis of the new text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisCache, SLICED_FROM } from '../../src/extension/analysisCache.ts';
import { generatedDocument } from '../../bench/sections/language.ts';
import { analyzeDocument } from '../../src/core/document.ts';
import { analysisWork } from '../../src/core/analyze.ts';
import { canonicaliser, project } from './helpers/analysisProjection.ts';

const NEURON = 'dim n\nb, y: scalar\nw, x: vector[n]\nz = w · x + b\na = max(0, z)\nloss = (y - a)^2\ng = d(loss)/d(w)\n';

test('the analysis cache analyses a new version incrementally, with or without the editor\'s change event', () => {
  const cache = new AnalysisCache();
  let version = 1;
  let text = NEURON;
  const uri = { toString: () => 'file:///b.mcalc' };
  const doc = { uri, languageId: 'mcalc', get version() { return version; }, getText: () => text };
  cache.get(doc, 'numerator');
  const edit = (offset: number, removed: number, inserted: string, noted: boolean) => {
    text = text.slice(0, offset) + inserted + text.slice(offset + removed);
    version++;
    if (noted) cache.noteChange({ document: doc, contentChanges: [{ rangeOffset: offset, rangeLength: removed, text: inserted }] });
    const canon = canonicaliser();
    assert.deepStrictEqual(project(cache.get(doc, 'numerator').analysis, canon), project(analyzeDocument(text, 'mcalc', 'numerator').analysis, canon));
  };
  edit(NEURON.indexOf('b\n'), 1, 'b + 1', true); // within a line
  edit(0, 0, 'c: scalar\n', true); // a new line: everything below moves
  edit(text.indexOf('loss'), 4, 'cost', false); // no change event: the texts are compared
  edit(text.indexOf('a = max'), 0, 'q = cost * 2\nqq = sinn(q)\n', true);
  assert.equal(cache.analyses, 5);
  assert.equal(cache.incremental, 4);
});

test('a long document with nothing cached is analysed in slices: the event loop runs between them, and the result is a full analysis', async () => {
  const text = generatedDocument(2000);
  assert.ok(text.length >= SLICED_FROM);
  const cache = new AnalysisCache();
  let version = 1;
  let current = text;
  const doc = { uri: { toString: () => 'file:///long.mcalc' }, languageId: 'mcalc', get version() { return version; }, getText: () => current };
  const pending = cache.ready(doc, 'numerator');
  assert.ok(pending instanceof Promise, 'a long document waits for its analysis');
  // The loop is free while the analysis runs: timers fire between its slices.
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 0);
  const result = await pending;
  clearInterval(ticker);
  assert.ok(ticks >= 2, `the event loop ran ${ticks} times during the analysis`);
  assert.equal(cache.sliced, 1);
  const canon = canonicaliser();
  assert.deepStrictEqual(project(result!.analysis, canon), project(analyzeDocument(text, 'mcalc', 'numerator').analysis, canon));
  // Cached now: the same object at once, not a promise.
  assert.equal(cache.ready(doc, 'numerator'), result);

  // An edit made while the first analysis runs: the waiter gets the new version, analysed incrementally after it.
  const other = new AnalysisCache();
  const first = other.ready(doc, 'numerator');
  current = text.replace('b * 1\n', 'b * 2\n');
  version++;
  const edited = await other.ready(doc, 'numerator');
  assert.equal(await first, edited);
  assert.equal(other.incremental, 1);
  assert.deepStrictEqual(project(edited!.analysis, canonicaliser()), project(analyzeDocument(current, 'mcalc', 'numerator').analysis, canonicaliser()));
  // get() does not wait: a pending analysis is finished at once.
  const third = new AnalysisCache();
  const waiting = third.ready(doc, 'numerator');
  const now = third.get(doc, 'numerator');
  assert.equal(await waiting, now);
  // A document closed while it was being analysed: the waiters get nothing, and the work stops.
  const fourth = new AnalysisCache();
  const closed = fourth.ready(doc, 'numerator');
  fourth.forget(doc.uri);
  assert.equal(await closed, undefined);
  assert.equal(fourth.analyses, 0);
});

/**
 * A long document analysed in slices, what its first edit needs prepared; `edit` changes its text as an editor
 * does (a new version, the change noted) and returns what `ready` answers.
 */
async function openedLongDocument(lines: number, uri: string) {
  let current = generatedDocument(lines);
  let version = 1;
  const doc = { uri: { toString: () => uri }, languageId: 'mcalc', get version() { return version; }, getText: () => current };
  const cache = new AnalysisCache();
  await cache.ready(doc, 'numerator');
  await new Promise((resolve) => setTimeout(resolve, 300)); // the preparation's slices
  const edit = (at: number, removed: number, inserted: string) => {
    current = current.slice(0, at) + inserted + current.slice(at + removed);
    version++;
    cache.noteChange({ document: doc, contentChanges: [{ rangeOffset: at, rangeLength: removed, text: inserted }] });
    return cache.ready(doc, 'numerator');
  };
  return { cache, doc, edit, text: () => current };
}

test('after a sliced analysis, what the first edit needs is prepared in slices: the first edit patches at once and equals a full analysis', async () => {
  const { doc, edit, text } = await openedLongDocument(2000, 'file:///prepared.mcalc');
  const edited = edit(text().indexOf('b * 3\n') + 'b * '.length, 1, '4');
  assert.ok(!(edited instanceof Promise), 'the first edit is analysed at once');
  assert.equal(analysisWork(edited.analysis)?.patched, true);
  assert.deepStrictEqual(project(edited.analysis, canonicaliser()), project(analyzeDocument(doc.getText(), 'mcalc', 'numerator').analysis, canonicaliser()));
});

test('an edit that reaches much of a long document is re-analysed in slices; a small one at once', async () => {
  const { cache, doc, edit, text } = await openedLongDocument(5000, 'file:///wide.mcalc');
  // A digit typed: at once.
  const typed = edit(text().indexOf('b * 3\n') + 'b * '.length, 1, '4');
  assert.ok(!(typed instanceof Promise), 'a small edit is analysed at once');
  // `s` taken out of its declaration: every `sigmoid(s)` (625 definitions) and what reads them is analysed again.
  const declared = text().indexOf(', s: scalar');
  const wide = edit(declared, ', s'.length, '');
  assert.ok(wide instanceof Promise, 'a wide edit waits for its slices');
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 0);
  const result = (await wide)!;
  clearInterval(ticker);
  assert.ok(ticks >= 1, `the event loop ran ${ticks} times during the re-analysis`);
  assert.equal(analysisWork(result.analysis)?.patched, true);
  assert.equal(cache.sliced, 2);
  const canon = canonicaliser();
  assert.deepStrictEqual(project(result.analysis, canon), project(analyzeDocument(doc.getText(), 'mcalc', 'numerator').analysis, canon));
});
