// The internal errors of issues 8 and 9, one reproduction each: documents that analyse cleanly must derive,
// evaluate and check without hitting the CLI's internal-error safety net, with the right numbers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { analyze } from '../../src/core/analyze.ts';
import { lowerDerivatives } from '../../src/core/diff/engine.ts';
import { compile } from '../../src/core/numeric/compile.ts';
import { evaluate } from '../../src/core/numeric/evaluate.ts';
import type { Tensor } from '../../src/core/numeric/tensor.ts';
import { runMcalc, scratch } from './helpers/cli.ts';

const file = scratch('mcalc-internal-');

/** Runs the CLI and fails on any internal error or stack trace, whatever the exit code. */
async function clean(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runMcalc(...args);
  assert.doesNotMatch(r.err, /internal|at .*\.ts:\d+/, `mcalc ${args.join(' ')}\n${r.err}`);
  return r;
}

/** Derives in every form, layout and format that applies; every one must succeed. */
async function deriveEverywhere(path: string, of: string, wrt: string, forms: string[]): Promise<void> {
  for (const form of forms) {
    for (const layout of ['numerator', 'denominator']) {
      for (const format of ['text', 'latex', 'json']) {
        const r = await clean('derive', path, '--of', of, '--wrt', wrt, '--form', form, '--layout', layout, '--format', format);
        assert.equal(r.code, 0, `${of} w.r.t. ${wrt} (${form}, ${layout}, ${format}): ${r.err}`);
      }
    }
  }
}

/** `check` agrees with central differences (exit 0, every result passed). */
async function checks(path: string, of: string, wrt: string, layout = 'numerator'): Promise<void> {
  const r = await clean('check', path, '--of', of, '--wrt', wrt, '--seed', '7', '--layout', layout, '--json');
  const json = JSON.parse(r.out);
  assert.ok(json.results.length > 0, r.out);
  for (const result of json.results) assert.equal(result.status, 'pass', `${of} w.r.t. ${wrt}: ${JSON.stringify(result)}`);
  assert.equal(r.code, 0);
}

const MLP = `dim n, h, k
x: vector[n]
W1: matrix[h, n]
W2: matrix[h, h]
W3: matrix[k, h]
y: vector[k]
a1 = tanh(W1 * x)
a2 = tanh(W2 * a1)
z = W3 * a2
p = exp(z) / sum(exp(z))
loss = -sum(y ⊗ log(p))
g = grad(loss, x)
`;

test('issue 8: the Hessian of a 3-layer MLP with a softmax cross-entropy loss, and a gradient definition, derive', async () => {
  const mlp = file('mlp.mcalc', MLP);
  await deriveEverywhere(mlp, 'loss', 'x', ['hessian', 'grad', 'jacobian']);
  await deriveEverywhere(mlp, 'g', 'x', ['jacobian']);
  await deriveEverywhere(mlp, 'g', 'W3', ['jacobian']);
  await checks(mlp, 'loss', 'x');
});

test('fuzz: a sum of a negated non-diagonal term and a diagonal one simplifies (log_softmax(v − u) + softmax(sinh(u)))', async () => {
  // The simplifier's "are both terms diagonal?" test read the argument of a negation's argument, which a leaf
  // has not: found by `npm run fuzz` (document 1 of 150,000 from --start 20000).
  const doc = file('negdiag.mcalc', 'u, v: vector[1]\nw, z: vector[3]\nf1 = softmax(sinh(u))\nf4 = log_softmax((v - u)) + f1\ng = log_softmax(z - w) + softmax(sinh(w))\n');
  await deriveEverywhere(doc, 'f4', 'u', ['jacobian']);
  await deriveEverywhere(doc, 'g', 'w', ['jacobian']);
  for (const layout of ['numerator', 'denominator']) await checks(doc, 'g', 'w', layout);
});

test('issue 9: trace and determinant of scalars differentiate like the scalars themselves', async () => {
  const doc = file('trace.mcalc', 'dim n\nX, B: matrix[n, n]\nx, u: vector[n]\nf1 = tr(det(X))\nf2 = tr(tr(X))\nf3 = tr(norm(x))\nf4 = tr(uᵀ * (B * x))\nf5 = det(tr(X) * 2)\n');
  for (const [of, wrt] of [['f1', 'X'], ['f2', 'X'], ['f3', 'x'], ['f4', 'B'], ['f4', 'x'], ['f5', 'X']]) {
    await deriveEverywhere(doc, of, wrt, ['jacobian', 'grad']);
    for (const layout of ['numerator', 'denominator']) await checks(doc, of, wrt, layout);
  }
  const r = await clean('derive', doc, '--of', 'f2', '--wrt', 'X');
  assert.match(r.out, /^= 𝐈\[n\]$/m);
});

test('issue 9: a derivative that is zero, used inside another derivative, is the zero matrix', async () => {
  const doc = file('zero.mcalc', 'dim n\nx: vector[n]\na: scalar\nf = d(0 * x)/d(x)\ng = d(f)/d(a)\nh = d(d(a * x)/d(x))/d(a)\n');
  await deriveEverywhere(doc, 'g', 'a', ['jacobian']);
  await deriveEverywhere(doc, 'f', 'x', ['jacobian']);
  assert.match((await clean('derive', doc, '--of', 'g', '--wrt', 'a')).out, /^= 𝟎\[n, n\]$/m);
  assert.match((await clean('derive', doc, '--of', 'h', '--wrt', 'a')).out, /^= 𝟎\[n, n\]$/m);
  const at = file('zero.json', JSON.stringify({ x: [1, 2], a: 3 }));
  const value = async (expr: string) => JSON.parse((await clean('eval', doc, '--expr', expr, '--at', at, '--json')).out);
  assert.deepEqual(await value('d(f)/d(a)'), { shape: [2, 2], value: [[0, 0], [0, 0]] });
  assert.deepEqual(await value('h'), { shape: [2, 2], value: [[1, 0], [0, 1]] });
});

test('issue 9: the Jacobian of a transposed gradient, in denominator layout, prints', async () => {
  const doc = file('norm.mcalc', 'dim n\nx: vector[n]\nf = d(d(norm(x))/d(x)ᵀ)/d(x)\nq = d(norm(x))/d(x)ᵀ\n');
  await deriveEverywhere(doc, 'f', 'x', ['jacobian']);
  await deriveEverywhere(doc, 'q', 'x', ['jacobian']);
  await checks(doc, 'q', 'x', 'denominator');
});

test('issue 9: eval reads the ```mcalc blocks of a Markdown file', async () => {
  const md = file('notes.md', '# Notes\n\n```mcalc\ndim n\nx: vector[n]\nf = sum(x ⊗ x)\n```\n\nSome text.\n');
  const at = file('md.json', JSON.stringify({ x: [1, 2] }));
  assert.deepEqual(JSON.parse((await clean('eval', md, '--expr', 'f', '--at', at, '--json')).out), { shape: [], value: 5 });
  assert.deepEqual(JSON.parse((await clean('eval', md, '--expr', 'grad(f, x)', '--at', at, '--json')).out), { shape: [2], value: [2, 4] });
  const bad = await clean('eval', md, '--expr', 'x * x', '--at', at);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^--expr:1: error: Cannot multiply/m);
});

test('issue 8: eval --json gives a 1×1 Jacobian the shape `shapes` prints, [1, 1]', async () => {
  const doc = file('one.mcalc', 'v: vector[1]\nM: matrix[1, 1]\ns: scalar\nf = sum(v ⊗ v)\ng = tr(M) * 3\nh = s^2\n');
  const at = file('one.json', JSON.stringify({ v: [2], M: [[5]], s: 4 }));
  const shapes = JSON.parse((await clean('shapes', doc, '--json')).out);
  for (const [expr, value] of [['d(f)/d(v)', 4], ['d(g)/d(M)', 3], ['d(h)/d(s)', 8], ['d(v)/d(v)', 1]] as const) {
    const r = JSON.parse((await clean('eval', doc, '--expr', expr, '--at', at, '--json')).out);
    assert.deepEqual(r, { shape: [1, 1], value: [[value]] }, expr);
  }
  assert.equal(shapes.diagnostics.length, 0);
  const withForm = file('one-form.mcalc', 'v: vector[1]\nf = sum(v ⊗ v)\nj = d(f)/d(v)\n');
  const j = JSON.parse((await clean('shapes', withForm, '--json')).out).derivatives[0];
  assert.deepEqual(j.dims, [1, 1]);
  assert.equal(j.shape, '1×1');
});

/** Compiled and reference values of a definition `f`, derivative forms lowered. */
function bothEvaluators(src: string, values: Record<string, number[]>, n: number): { compiled: Float64Array; reference: Float64Array } {
  const a = analyze(src);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
  const f = lowerDerivatives(a.builder, a.definition('f')!.node!, 'numerator', (name) => a.variable(name));
  const dims = new Map([['n', n]]);
  const vars = new Map<string, Tensor>(Object.entries(values).map(([k, v]) => [k, { rows: v.length === n * n ? n : v.length, cols: v.length === n * n ? n : 1, data: Float64Array.from(v) }]));
  return { compiled: compile([f], dims).evaluate(vars)[0].data, reference: evaluate(f, { vars, dims }).data };
}

test('issue 9: the compiler parenthesises the index it splices into I and e_j', () => {
  const t = bothEvaluators('dim n\nx: vector[n]\nf = (d(x)/d(x))ᵀ\n', { x: [1, 2] }, 2);
  assert.deepEqual([...t.compiled], [1, 0, 0, 1]);
  assert.deepEqual([...t.reference], [1, 0, 0, 1]);
  const s = bothEvaluators('dim n\nx: vector[n]\nf = sum((d(x)/d(x))ᵀ * x)\n', { x: [1, 2] }, 2);
  assert.deepEqual([...s.compiled], [3]);
  const big = bothEvaluators('dim n\nx: vector[n]\nf = (d(x)/d(x))ᵀ * x\n', { x: [1, 2, 3, 4] }, 4);
  assert.deepEqual([...big.compiled], [1, 2, 3, 4]);
});

test('issue 9: a zero factor does not hide an infinity from the reference evaluator (0 · ∞ is NaN in both)', () => {
  // u^a with u₁ = 0 and a = −1 is ∞; (A − A) is all zeros.
  const t = bothEvaluators('dim n\nA: matrix[n, n]\nu: vector[n]\na: scalar\nf = (A - A) * u^a\n', { A: [1, 2, 3, 4], u: [0, -1], a: [-1] }, 2);
  assert.deepEqual([...t.reference].map(String), [...t.compiled].map(String));
  assert.ok(t.reference.every(Number.isNaN));
  const finite = bothEvaluators('dim n\nA: matrix[n, n]\nu: vector[n]\nf = (A - A) * u + A * u\n', { A: [1, 2, 3, 4], u: [1, -1] }, 2);
  assert.deepEqual([...finite.reference], [-1, -1]);
  assert.deepEqual([...finite.compiled], [-1, -1]);
});

test('a matrix derivative the engine can give only element by element is a plain error inside an expression', async () => {
  // A mask over a sandwich inside another sandwich: the one class without a matrix form (docs/derivation.md).
  const doc = file('elementwise.mcalc', 'dim n\nu, v: vector[n]\nA: matrix[n, n]\nf = sin(A * sin(Aᵀ * diag(v) * A) * Aᵀ) * u\nJ = d(f)/d(v)\ng = sum(J * u)\n');
  const shown = await clean('derive', doc, '--of', 'f', '--wrt', 'v');
  assert.equal(shown.code, 0);
  assert.match(shown.out, /∂f\/∂v_j = .* \(for each j\)/);
  const used = await clean('derive', doc, '--of', 'g', '--wrt', 'u');
  assert.equal(used.code, 1);
  assert.match(used.err, /can only be given element by element .* cannot be used inside another expression/);
  assert.match(used.err, /hint: /);
  const at = file('elementwise.json', JSON.stringify({ u: [1, 2], v: [0.5, -1], A: [[1, 0], [0, 1]] }));
  assert.equal((await clean('eval', doc, '--expr', 'g', '--at', at)).code, 1);
});

test('output into a pipe that is already closed (mcalc … | head) ends quietly, without a stack trace', () => {
  const mlp = file('pipe.mcalc', MLP);
  const main = join(__dirname, '../../src/cli/main.ts');
  // `true` exits without reading, so every write of the (long) Hessian meets a closed pipe.
  const r = spawnSync('bash', ['-c', `"${process.execPath}" --import tsx "${main}" derive "${mlp}" --of loss --wrt x --form hessian | true`], { encoding: 'utf8', cwd: join(__dirname, '../..') });
  assert.equal(r.stderr, '');
});
