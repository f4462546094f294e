// The analysis cache across versions of a document: each new version is analysed incrementally from the last
// one (with the editor's change event when there is one) and equals a full analysis of the new text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisCache } from '../../src/extension/analysisCache.ts';
import { analyzeDocument } from '../../src/core/document.ts';
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
