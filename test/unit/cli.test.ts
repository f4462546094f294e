// The `mcalc` CLI: output, JSON shapes and exit codes (0 ok, 1 a problem in the input, 2 usage).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import katex from 'katex';
import { runMcalc, scratch } from './helpers/cli.ts';

const EXAMPLES = join(__dirname, '../../examples');
const file = scratch('mcalc-cli-');
const run = runMcalc;
const missingFile = join(tmpdir(), 'mcalc-no-such-dir', 'missing.mcalc');
/** The neuron example without its `layout numerator` line (a blank line instead, so lines stay), so --layout applies. */
const unpinnedNeuron = file('neuron.mcalc', readFileSync(join(EXAMPLES, 'neuron.mcalc'), 'utf8').replace(/^layout numerator.*$/m, ''));

test('shapes --json: definitions, derivative forms in both layouts, no diagnostics', async () => {
  for (const layout of ['numerator', 'denominator']) {
    const r = await run('shapes', unpinnedNeuron, '--json', '--layout', layout);
    const j = JSON.parse(r.out);
    assert.equal(j.layout, layout);
    assert.deepEqual(
      Object.fromEntries(j.definitions.map((d: { name: string; shape: string }) => [d.name, d.shape])),
      { z: 'scalar', a: 'scalar', loss: 'scalar', g: layout === 'numerator' ? '1×n' : 'n×1', gb: '1×1' },
    );
    const g = j.derivatives.find((d: { definition?: string }) => d.definition === 'g');
    assert.deepEqual(g.shapes, { numerator: '1×n', denominator: 'n×1' });
    assert.deepEqual(g.range, { start: { line: 10, column: 5 }, end: { line: 10, column: 17 } });
    if (layout === 'numerator') {
      assert.deepEqual(j.diagnostics, []);
      assert.equal(r.code, 0);
    } else {
      // The example's claims are written in numerator layout, so without its directive they are flagged.
      assert.equal(r.code, 1);
      assert.ok(j.diagnostics.every((d: { message: string }) => /The claim is row vector\[n\]/.test(d.message) || /The claim is scalar/.test(d.message)));
    }
  }
});

test('shapes over several files prints an array; every example analyses cleanly in numerator layout', async () => {
  const files = ['neuron.mcalc', 'neuron-batch.mcalc', 'cookbook.mcalc', 'paper.mcalc'].map((f) => join(EXAMPLES, f));
  const r = await run('shapes', ...files, '--json');
  assert.equal(r.code, 0, r.out);
  const all = JSON.parse(r.out);
  assert.equal(all.length, 4);
  for (const report of all) assert.deepEqual(report.diagnostics, [], report.file);
  const cookbook = all[2];
  assert.equal(cookbook.derivatives.find((d: { text: string }) => d.text === 'grad(log_det, X)').shape, 'matrix[n, n]');
});

test('shapes reports errors compiler-style with exit 1', async () => {
  const r = await run('shapes', file('bad.mcalc', 'dim n\nw, x: vector[n]\nq = w * x\n'));
  assert.equal(r.code, 1);
  assert.match(r.out, /bad\.mcalc:3:5: error: Cannot multiply vector\[n\] by vector\[n\]/);
  assert.match(r.out, /hint: Use ⊗/);
});

test('shapes reads ```mcalc blocks of Markdown, with lines of the Markdown file', async () => {
  const md = file('notes.md', '# Notes\n\n```mcalc\nx: vector[n]\n```\n\ntext\n\n```mcalc\ny = x * x\n```\n');
  const r = await run('shapes', md, '--json');
  const j = JSON.parse(r.out);
  assert.equal(j.diagnostics.length, 1);
  assert.equal(j.diagnostics[0].range.start.line, 10);
});

test('usage errors exit 2 without a stack trace', async () => {
  for (const args of [[], ['shapes'], ['shapes', missingFile], ['shapes', '--layout', 'sideways', join(EXAMPLES, 'neuron.mcalc')], ['frobnicate']]) {
    const r = await run(...args);
    assert.equal(r.code, 2, `mcalc ${args.join(' ')}`);
    assert.doesNotMatch(r.err + r.out, /\n\s+at /, 'no stack trace');
  }
  const missing = await run('shapes', missingFile);
  assert.match(missing.err, /cannot read .*missing\.mcalc: no such file/);
});

test('derive: text, LaTeX and the JSON record', async () => {
  const neuron = join(EXAMPLES, 'neuron.mcalc');
  const text = await run('derive', neuron, '--of', 'loss', '--wrt', 'w');
  assert.equal(text.code, 0);
  assert.match(text.out, /^d\(loss\)\/d\(w\) in numerator layout: 1×n\n= -2 \* \(y - a\) \* \(z > 0\) \* xᵀ\nrule: vector chain rule/);
  assert.match(text.out, /1\. Introduce intermediate variables\n {3}u₁ = w · x {3}\(scalar\)/);
  const json = JSON.parse((await run('derive', unpinnedNeuron, '--of', 'loss', '--wrt', 'w', '--format', 'json', '--layout', 'denominator')).out);
  assert.deepEqual(Object.keys(json).slice(0, 10), ['of', 'wrt', 'wrtShape', 'outName', 'form', 'layout', 'shape', 'result', 'rule', 'ruleReason']);
  assert.equal(json.shape, 'n×1');
  assert.equal(json.result.main.text, '-2 * (y - a) * (z > 0) * x');
  assert.match(json.result.main.latex, /\\mathbf\{x\}/);
  assert.deepEqual(json.result.where, []);
  assert.deepEqual(json.intermediates.map((i: { name: string }) => i.name), ['u₁', 'z', 'a', 'u₂', 'loss']);
  assert.deepEqual(json.partials.map((p: { of: string; wrt: string }) => `∂${p.of}/∂${p.wrt}`), ['∂u₁/∂w', '∂z/∂u₁', '∂a/∂z', '∂u₂/∂a', '∂loss/∂u₂']);
  const latex = await run('derive', neuron, '--of', 'loss', '--wrt', 'b', '--format', 'latex');
  assert.match(latex.out, /^\\\[ -2 \\, \(y - a\) \\, \\mathbb\{I\}\\left\[z > 0\\right\] \\\]$/m);
  // Pasteable as it is: prose as comments, formulas in displays and align* environments that KaTeX renders.
  const blocks = latex.out.split(/\n(?=\\\[|\\begin|%)/).map((b) => b.trim()).filter((b) => b && !b.startsWith('%'));
  assert.ok(blocks.length >= 5, `a display and four steps: ${blocks.length}`);
  for (const block of blocks) {
    const math = block.replace(/\n%.*$/gs, '');
    assert.match(math, /^(\\\[[^]*\\\]|\\begin\{align\*\}[^]*\\end\{align\*\})$/, math);
    assert.doesNotThrow(() => katex.renderToString(math.replace(/^\\\[|\\\]$/g, ''), { displayMode: true, throwOnError: true }), math);
  }
  const bad = await run('derive', neuron, '--of', 'nope', '--wrt', 'w');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /no definition named 'nope'/);
});

test('eval: values bound from JSON, dimensions inferred, derivative forms evaluated in the layout', async () => {
  const neuron = join(EXAMPLES, 'neuron.mcalc');
  const at = file('values.json', JSON.stringify({ w: [1, 2], x: [0.5, -1], b: 2, y: 3 }));
  // z = 0.5 − 2 + 2 = 0.5 > 0, a = 0.5, so ∂loss/∂w = −2(3 − 0.5)xᵀ = [−2.5, 5].
  assert.deepEqual(JSON.parse((await run('eval', neuron, '--expr', 'd(loss)/d(w)', '--at', at, '--json')).out), { shape: [1, 2], value: [[-2.5, 5]] });
  assert.deepEqual(JSON.parse((await run('eval', unpinnedNeuron, '--expr', 'd(loss)/d(w)', '--at', at, '--json', '--layout', 'denominator')).out), { shape: [2, 1], value: [[-2.5], [5]] });
  assert.deepEqual(JSON.parse((await run('eval', neuron, '--expr', 'grad(loss, w)', '--at', at, '--json')).out), { shape: [2], value: [-2.5, 5] });
  assert.deepEqual(JSON.parse((await run('eval', neuron, '--expr', 'loss', '--at', at, '--json')).out), { shape: [], value: 6.25 });
  assert.deepEqual(JSON.parse((await run('eval', neuron, '--expr', 'x * wᵀ', '--at', at, '--json')).out), { shape: [2, 2], value: [[0.5, 1], [-1, -2]] });
  const tensor = file('layer.mcalc', 'dim m, n\nx: vector[n]\nW: matrix[m, n]\nf = W * x\n');
  const vals = file('layer.json', JSON.stringify({ x: [1, 2], W: [[1, 0], [0, 1], [1, 1]] }));
  const t = JSON.parse((await run('eval', tensor, '--expr', 'd(f)/d(W)', '--at', vals, '--json')).out);
  assert.deepEqual(t.shape, [3, 3, 2]);
  // ∂f_i/∂W_jk = δ_ij x_k
  assert.deepEqual(t.value[1], [[0, 0], [1, 2], [0, 0]]);
});

test('eval reports missing or wrongly shaped values and expression errors clearly', async () => {
  const neuron = join(EXAMPLES, 'neuron.mcalc');
  const missing = await run('eval', neuron, '--expr', 'loss');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /No value for 'y' \(scalar\), 'w' \(vector\[n\]\)/);
  const conflict = await run('eval', neuron, '--expr', 'z', '--at', file('c.json', JSON.stringify({ w: [1, 2], x: [1, 2, 3], b: 0, y: 0 })));
  assert.equal(conflict.code, 1);
  assert.match(conflict.err, /Dimension n is 2 \(from 'w' \(vector\[n\]\)\), but 'x' \(vector\[n\]\) has 3/);
  const wrong = await run('eval', neuron, '--expr', 'z', '--at', file('d.json', JSON.stringify({ w: 1, x: [1], b: 0, y: 0 })));
  assert.match(wrong.err, /'w' is vector\[n\], so its value must be a list of numbers, not a number/);
  const badExpr = await run('eval', neuron, '--expr', 'w * x', '--at', file('e.json', '{}'));
  assert.equal(badExpr.code, 1);
  assert.match(badExpr.err, /^--expr:1: error: Cannot multiply vector\[n\] by vector\[n\]/);
  const badJson = await run('eval', neuron, '--expr', 'z', '--at', file('f.json', '{nope'));
  assert.match(badJson.err, /is not valid JSON/);
});

test('eval says where a NaN comes from: the subexpression outside its domain, also under a derivative', async () => {
  const doc = file('domain.mcalc', 'A: matrix[2, 2]\ns: scalar\nf = logdet(A)\ng = log(s) + 1\n');
  const at = file('domain.json', JSON.stringify({ A: [[0, 1], [1, 0]], s: -1 }));
  const value = await runMcalc('eval', doc, '--expr', 'f', '--at', at);
  assert.equal(value.code, 0);
  assert.match(value.out, /NaN/);
  assert.equal(value.err, 'note: logdet(A) is not finite at these values (logdet is defined for det(X) > 0)\n');
  const grad = await runMcalc('eval', doc, '--expr', 'd(g)/d(s)', '--at', at, '--json');
  assert.deepEqual(JSON.parse(grad.out), { shape: [1, 1], value: [[-1]] });
  assert.match(grad.err, /^note: log\(s\) is not finite at these values \(log is defined for u > 0\): the derivative is printed where its function is not defined\n$/);
  // Inside the domain: no note.
  const fine = await runMcalc('eval', doc, '--expr', 'g', '--at', file('fine.json', JSON.stringify({ A: [[2, 0], [0, 1]], s: 2 })));
  assert.equal(fine.err, '');
});

test('an error on a line the target does not read is a warning: derive, export and eval go on; check checks the rest and fails', async () => {
  const doc = file('unrelated-error.mcalc', 'dim n\nw, x: vector[n]\nb, y: scalar\nz = w · x + b\nbad = w * x\nloss = (y - z)^2\ncheck d(loss)/d(b) = -2*(y - z)\n');
  const derived = await runMcalc('derive', doc, '--of', 'loss', '--wrt', 'w');
  assert.equal(derived.code, 0, derived.err);
  assert.match(derived.err, /:5:7: warning: Cannot multiply vector\[n\] by vector\[n\]/);
  assert.match(derived.err, /note: 'loss' does not read the line with errors, so the command goes on\./);
  assert.match(derived.out, /^= -2 \* \(y - z\) \* xᵀ$/m);
  assert.equal((await runMcalc('export', doc, '--of', 'loss')).code, 0);
  const value = await runMcalc('eval', doc, '--expr', 'd(z)/d(b) + 1', '--at', file('at.json', '{"w": [1, 2], "x": [3, 4], "b": 1}'));
  assert.equal(value.code, 0, value.err);
  assert.equal(value.out.trim().split('\n').pop(), '2');
  // What the target reads has the error: it stops, as an error.
  const broken = await runMcalc('derive', doc, '--of', 'bad', '--wrt', 'w');
  assert.equal(broken.code, 1);
  assert.match(broken.err, /:5:7: error: /);
  // A name defined twice leaves no result to trust: it stops whatever the target.
  const twice = file('twice.mcalc', 'dim n\nw, x: vector[n]\nz = w · x\nz = 2 * (w · x)\nloss = z^2\n');
  assert.equal((await runMcalc('derive', twice, '--of', 'loss', '--wrt', 'w')).code, 1);
  const checked = await runMcalc('check', doc, '--seed', '1');
  assert.equal(checked.code, 1);
  assert.match(checked.out, /^✓ check d\(loss\)\/d\(b\) = -2\*\(y - z\)/m);
  assert.match(checked.out, /1 passed, 0 failed \(seed 1\); the document has 1 error \(above\)/);
  const json = JSON.parse((await runMcalc('check', doc, '--seed', '1', '--json')).out);
  assert.equal(json.passed, false);
  assert.equal(json.errors.length, 1);
  assert.equal(json.results[0].status, 'pass');
});

test('check prints the document\'s warnings: a verdict may hang on them (a layout directive after the definitions)', async () => {
  const doc = file('late-layout.mcalc', 'dim n\nw, x: vector[n]\nb: scalar\nz = w · x + b\nlayout denominator\ncheck d(z)/d(w) = x\n');
  const r = await runMcalc('check', doc, '--seed', '1');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /:5:1: warning: The layout directive comes after definitions or claims that depend on it\.\n {2}hint: /);
  assert.match(r.out, /^✓ check d\(z\)\/d\(w\) = x/m);
});
