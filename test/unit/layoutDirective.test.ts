// The `layout numerator` / `layout denominator` directive: parsed, applied over the requested layout, misuse
// reported with a range and a hint, and the CLI's note when an explicit --layout is overridden.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parse } from '../../src/core/parser.ts';
import { analyze } from '../../src/core/analyze.ts';
import { analyzeDocument } from '../../src/core/document.ts';
import { completionsAt } from '../../src/core/language/completion.ts';
import { runMcalc, scratch } from './helpers/cli.ts';

const EXAMPLES = join(__dirname, '../../examples');
const NEURON = 'dim n\nb, y: scalar\nw, x: vector[n]\nz = w · x + b\nloss = (y - z)^2\ng = d(loss)/d(w)\n';
const file = scratch('mcalc-layout-');

test('parser: `layout <word>` is a directive; `layout` followed by `=` or `:` is still a name', () => {
  const r = parse('layout denominator   # pinned\nlayout = 2\nlayout: scalar\n');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.statements.map((s) => s.kind), ['layout', 'define', 'declare']);
  const s = r.statements[0];
  assert.ok(s.kind === 'layout');
  assert.equal(s.layout, 'denominator');
  assert.deepEqual([s.keywordSpan, s.valueSpan, { start: s.start, end: s.end }], [{ start: 0, end: 6 }, { start: 7, end: 18 }, { start: 0, end: 18 }]);
});

test('parser: an unknown layout word is reported on that word, with the two choices as the hint', () => {
  const r = parse('dim n\nlayout sideways\n');
  assert.equal(r.problems.length, 1);
  const p = r.problems[0];
  assert.equal(p.message, "'sideways' is not a layout.");
  assert.equal(p.code, 'unknown-layout');
  assert.equal(p.hint, 'Write `layout numerator` or `layout denominator`.');
  assert.deepEqual(p.span, { start: 13, end: 21 });
  assert.match(parse('layout numerator extra\n').problems[0].message, /Unexpected 'extra'/);
});

test('analysis: the directive wins over the requested layout, and is reported as pinning it', () => {
  for (const requested of ['numerator', 'denominator'] as const) {
    const a = analyze(`layout denominator\n${NEURON}`, { layout: requested });
    assert.equal(a.layout, 'denominator');
    assert.deepEqual(a.layoutDirective, { layout: 'denominator', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 18 } } });
    assert.equal(a.definition('g')!.derivative!.node!.shape.kind, 'vector', 'd(loss)/d(w) is a column in denominator layout');
    assert.deepEqual(a.diagnostics, []);
  }
  const plain = analyze(NEURON, { layout: 'denominator' });
  assert.equal(plain.layout, 'denominator');
  assert.equal(plain.layoutDirective, undefined);
});

test('analysis: claims are checked in the directive\'s layout', () => {
  const claim = 'check d(loss)/d(w) = -2*(y - z)*xᵀ\n';
  assert.deepEqual(analyze(`layout numerator\n${NEURON}${claim}`, { layout: 'denominator' }).diagnostics, []);
  const flagged = analyze(`layout denominator\n${NEURON}${claim}`, { layout: 'numerator' }).diagnostics;
  assert.equal(flagged.length, 1);
  assert.match(flagged[0].message, /is vector\[n\] in denominator layout/);
});

test('analysis: a second directive is an error and ignored; one after a definition is a warning but applies', () => {
  const twice = analyze(`layout numerator\n${NEURON}layout denominator\n`, { layout: 'denominator' });
  assert.equal(twice.layout, 'numerator');
  assert.equal(twice.diagnostics.length, 1);
  const d = twice.diagnostics[0];
  assert.deepEqual([d.severity, d.code, d.message, d.hint], ['error', 'duplicate-layout', 'The layout is already set on line 1; a document has one layout.', 'Remove this line, or change the one on line 1.']);
  assert.deepEqual(d.range, { start: { line: 7, character: 0 }, end: { line: 7, character: 18 } });

  const late = analyze(`${NEURON}layout denominator\n`);
  assert.equal(late.layout, 'denominator');
  assert.deepEqual(late.diagnostics.map((x) => [x.severity, x.code, x.range.start.line]), [['warning', 'layout-after-use', 6]]);
  assert.match(late.diagnostics[0].hint ?? '', /Move it above the first definition/);
  assert.deepEqual(analyze(`dim n\nw: vector[n]\nlayout denominator\n`).diagnostics, [], 'dim and declarations may come first');
});

test('Markdown: a directive in any ```mcalc block pins the whole document, with its range in the Markdown file', () => {
  const md = '# Notes\n\n```mcalc\nlayout denominator\n```\n\n```mcalc\ndim n\nw: vector[n]\nf = w · w\ng = d(f)/d(w)\n```\n';
  const doc = analyzeDocument(md, 'markdown', 'numerator');
  assert.equal(doc.analysis.layout, 'denominator');
  assert.equal(doc.toReal(doc.analysis.layoutDirective!.range).start.line, 3);
});

test('CLI: examples that pin numerator layout are clean with --layout denominator, with a note on stderr', async () => {
  for (const name of ['neuron.mcalc', 'paper.mcalc']) {
    const path = join(EXAMPLES, name);
    const r = await runMcalc('shapes', path, '--json', '--layout', 'denominator');
    assert.equal(r.code, 0, r.out);
    const j = JSON.parse(r.out);
    assert.equal(j.layout, 'numerator');
    assert.deepEqual(j.diagnostics, []);
    assert.match(r.err, new RegExp(`${name}:\\d+:1: note: the document says \`layout numerator\`, so it is analysed in numerator layout, not --layout denominator\\.`));
  }
  // No note when --layout agrees or is not given.
  assert.equal((await runMcalc('shapes', join(EXAMPLES, 'neuron.mcalc'), '--layout', 'numerator')).err, '');
  assert.equal((await runMcalc('shapes', join(EXAMPLES, 'neuron.mcalc'))).err, '');
});

test('CLI: derive and eval compute in the pinned layout whatever --layout says', async () => {
  const pinned = file('pinned.mcalc', `layout denominator\n${NEURON}`);
  const derived = await runMcalc('derive', pinned, '--of', 'loss', '--wrt', 'w');
  assert.equal(derived.code, 0, derived.err);
  assert.match(derived.out, /^d\(loss\)\/d\(w\) in denominator layout: n×1\n= -2 \* \(y - z\) \* x\n/);
  const at = file('at.json', JSON.stringify({ w: [1, 2], x: [0.5, -1], b: 2, y: 3 }));
  const evaluated = await runMcalc('eval', pinned, '--expr', 'd(loss)/d(w)', '--at', at, '--json', '--layout', 'numerator');
  // z = 0.5 − 2 + 2 = 0.5, so ∂loss/∂w = −2(3 − 0.5)x = [−2.5, 5], as a column.
  assert.deepEqual(JSON.parse(evaluated.out), { shape: [2, 1], value: [[-2.5], [5]] });
  assert.match(evaluated.err, /pinned\.mcalc:1:1: note: .*not --layout numerator/);
});

test('completion offers the directive at the start of a line, with the two layouts as choices', () => {
  const text = `${NEURON}la`;
  const entry = completionsAt(analyze(text), text.length).find((e) => e.label === 'layout');
  assert.equal(entry?.kind, 'keyword');
  assert.equal(entry?.snippet, 'layout ${1|numerator,denominator|}');
  const mid = `${NEURON}q = la`;
  assert.equal(completionsAt(analyze(mid), mid.length).some((e) => e.label === 'layout'), false, 'not inside an expression');
});
