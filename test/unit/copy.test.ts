// A derivation copied as LaTeX, Markdown or a claim: every formula line renders with KaTeX, and the claim parses
// back into the document and checks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import katex from 'katex';
import { analyze, derivativeOf } from '../../src/core/analyze.ts';
import { derive } from '../../src/core/diff/derivation.ts';
import { derivationAsLatex, derivationAsMarkdown, resultAsClaim } from '../../src/core/diff/copy.ts';

const NEURON = readFileSync(join(__dirname, '../../examples/neuron.mcalc'), 'utf8');

function neuronRecord() {
  const a = analyze(NEURON);
  const info = derivativeOf(a, 'loss', 'w');
  assert.ok(typeof info !== 'string');
  return { a, info, d: derive(a, info, 'numerator') };
}

test('LaTeX: one aligned block per step, each rendering with KaTeX', () => {
  const { info, d } = neuronRecord();
  const latex = derivationAsLatex(d, info.text);
  const blocks = [...latex.matchAll(/\\begin\{aligned\}[\s\S]*?\\end\{aligned\}/g)].map((m) => m[0]);
  assert.equal(blocks.length, 4);
  for (const b of blocks) katex.renderToString(b, { throwOnError: true, displayMode: true });
  assert.match(latex, /^% d\(loss\)\/d\(w\) in numerator layout \(1×n\)/);
});

test('Markdown: the result as display math and each line of the steps as inline math', () => {
  const { info, d } = neuronRecord();
  const md = derivationAsMarkdown(d, info.text);
  const inline = [...md.matchAll(/ - \$(.+)\$$/gm)].map((m) => m[1]);
  assert.ok(inline.length >= 10, `${inline.length} formula lines`);
  for (const l of inline) katex.renderToString(l, { throwOnError: true });
  assert.match(md, /^3\. Combine with the chain rule$/m);
});

test('as mcalc: the claim line parses in the document and raises no diagnostic', () => {
  const { info, d } = neuronRecord();
  const claim = resultAsClaim(d, info.text);
  assert.equal(claim, 'check d(loss)/d(w) = -2 * (y - a) * (z > 0) * xᵀ');
  const again = analyze(`${NEURON}\n${claim}\n`);
  assert.deepEqual(again.diagnostics.filter((x) => x.severity === 'error').map((x) => x.message), []);
});
