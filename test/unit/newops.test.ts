// The operators of issue 10 §2: softmax, logsumexp, log_softmax, logdet, norm1/norm2, eye/ones/zeros and powers
// with a varying exponent (2^x, x^y, x .^ y). Each derivative prints in textbook form, agrees with central
// differences, reads back as a passing claim; the softmax family stays finite where the naive formula
// overflows; kinks and domains are treated as for abs and log (re-sampled or "not checked", never a false
// verdict); and the operators work through hover, derive, eval, check and train.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, derivativeOf, hoverAt, type Analysis } from '../../src/core/analyze.ts';
import { cachedResult, deriveResult, formatResult } from '../../src/core/diff/derivation.ts';
import { evaluateDerivative } from '../../src/core/numeric/derivative.ts';
import { finiteDifferenceHessian, finiteDifferenceJacobian } from '../../src/core/numeric/check/finiteDifferences.ts';
import { evaluate } from '../../src/core/numeric/evaluate.ts';
import { compile } from '../../src/core/numeric/compile.ts';
import { checkTarget, checkTargets, type CheckResult } from '../../src/core/numeric/gradcheck.ts';
import { hoverMarkdown } from '../../src/core/presentation.ts';
import { toText } from '../../src/core/print.ts';
import { callables } from '../../src/core/language/builtins.ts';
import { exportGradient } from '../../src/core/export/python.ts';
import type { EvalEnv, Tensor } from '../../src/core/numeric/tensor.ts';
import type { DerivativeForm } from '../../src/core/ops/structure.ts';
import { runMcalc, scratch } from './helpers/cli.ts';

const EXAMPLE = join(__dirname, '../../examples/softmax.mcalc');
const PRELUDE = 'dim k, n\nz, y, x, a: vector[n]\ns, t: scalar\nb: vector[k]\nW: matrix[k, n]\nX: matrix[n, n]\n';

/** Deterministic values in [-1.2, 1.2] (positive: (0.5, 1.7)); square matrices shifted to a positive determinant. */
function environment(a: Analysis, positive: boolean): EvalEnv {
  let state = 4242;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2.4 - 1.2;
  const dims = new Map(a.dims.map((d, i) => [d.name, 3 + (i % 2)]));
  const size = (d: string | number) => (typeof d === 'number' ? d : dims.get(d)!);
  const vars = new Map<string, Tensor>();
  for (const v of a.variables) {
    const s = v.shape;
    const [r, c] = s.kind === 'scalar' ? [1, 1] : s.kind === 'vector' ? [size(s.n), 1] : s.kind === 'row' ? [1, size(s.n)] : [size(s.m), size(s.n)];
    const data = Float64Array.from({ length: r * c }, () => (positive ? 1.1 + next() / 2 : next()));
    if (r === c && r > 1) for (let i = 0; i < r; i++) data[i * r + i] += r;
    vars.set(v.name, { rows: r, cols: c, data });
  }
  return { vars, dims };
}

interface Row {
  src: string;
  of: string;
  wrt: string;
  form: DerivativeForm;
  expected: string;
  /** Powers with a varying exponent are defined for positive bases only. */
  positive?: boolean;
}

const ROWS: Row[] = [
  { src: 'f = logsumexp(z)', of: 'f', wrt: 'z', form: 'grad', expected: 'softmax(z)' },
  { src: 'f = -(y · log_softmax(z))', of: 'f', wrt: 'z', form: 'grad', expected: 'sum(y) * softmax(z) - y' },
  { src: 'f = softmax(z)', of: 'f', wrt: 'z', form: 'jacobian', expected: 'diag(softmax(z)) - softmax(z) * softmax(z)ᵀ' },
  { src: 'p = softmax(W * x + b)', of: 'p', wrt: 'b', form: 'jacobian', expected: 'diag(v₁) - v₁ * v₁ᵀ   where v₁ = softmax(W * x + b)' },
  { src: 'f = logsumexp(W * x + b)', of: 'f', wrt: 'b', form: 'hessian', expected: 'diag(v₁) - v₁ * v₁ᵀ   where v₁ = softmax(W * x + b)' },
  { src: 'f = log_softmax(z)', of: 'f', wrt: 'z', form: 'jacobian', expected: '𝐈[n] - 𝟏[n] * softmax(z)ᵀ' },
  { src: 'f = -(b · log_softmax(W * x))', of: 'f', wrt: 'W', form: 'grad', expected: '(sum(b) * softmax(W * x) - b) * xᵀ' },
  { src: 'f = logdet(X)', of: 'f', wrt: 'X', form: 'grad', expected: 'X⁻ᵀ' },
  { src: 'f = logdet(X)', of: 'f', wrt: 'X', form: 'jacobian', expected: 'X⁻¹' },
  { src: 'f = norm1(x)', of: 'f', wrt: 'x', form: 'jacobian', expected: 'sign(x)ᵀ' },
  { src: 'f = norm1(X)', of: 'f', wrt: 'X', form: 'grad', expected: 'sign(X)' },
  { src: 'f = norm2(x)', of: 'f', wrt: 'x', form: 'grad', expected: 'x / norm(x)' },
  { src: 'f = 2^s', of: 'f', wrt: 's', form: 'jacobian', expected: '2^s * log(2)' },
  { src: 'f = s^t', of: 'f', wrt: 't', form: 'jacobian', expected: 's^t * log(s)', positive: true },
  { src: 'f = s^t', of: 'f', wrt: 's', form: 'jacobian', expected: 't * s^(t - 1)', positive: true },
  { src: 'f = a^s', of: 'f', wrt: 's', form: 'jacobian', expected: 'a^s ⊗ log(a)', positive: true },
  { src: 'f = x .^ y', of: 'f', wrt: 'y', form: 'jacobian', expected: 'diag(x .^ y ⊗ log(x))', positive: true },
  { src: 'f = sum(x .^ y)', of: 'f', wrt: 'x', form: 'grad', expected: 'y ⊗ x .^ (y - 1)', positive: true },
  { src: 'f = sum(s .^ y)', of: 'f', wrt: 's', form: 'jacobian', expected: 'y · s^(y - 1)', positive: true },
  { src: 'f = eye(n) * X * x + ones(n) ⊗ x + zeros(n)', of: 'f', wrt: 'x', form: 'jacobian', expected: 'X + 𝐈[n]' },
  { src: 'f = ones(n) · x + tr(zeros(n, n) * X) + sum(ones(k, n) * x)', of: 'f', wrt: 'X', form: 'grad', expected: '𝟎[n, n]' },
];

function derived(row: Row) {
  const a = analyze(`${PRELUDE}${row.src}\n`);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), [], `${row.src}: the document analyses cleanly`);
  const info = derivativeOf(a, row.of, row.wrt, row.form);
  assert.ok(typeof info !== 'string', String(info));
  const { f, result } = deriveResult(a, info, 'numerator');
  return { a, f, result, text: formatResult(a, info, f, result).text };
}

for (const row of ROWS) {
  test(`textbook form: ${row.form} of ${row.src} w.r.t. ${row.wrt} is ${row.expected}`, () => {
    const { a, f, result, text } = derived(row);
    assert.equal(text, row.expected);
    const x = a.variable(row.wrt)!;
    const env = environment(a, !!row.positive);
    const sym = evaluateDerivative(result, f, x, row.form, 'numerator', env);
    const fd = row.form === 'hessian' ? finiteDifferenceHessian(f, x, env, 1e-4) : finiteDifferenceJacobian(f, x, env, 1e-6);
    assert.equal(sym.data.length, fd.data.length);
    sym.data.forEach((v, i) => assert.ok(Math.abs(v - fd.data[i]) <= 1e-4 + 1e-3 * Math.abs(fd.data[i]), `element ${i}: ${v} vs ${fd.data[i]}`));
    // The printed text is a sentence in the language: pasted back as a claim, it passes its check.
    const lhs = row.form === 'jacobian' ? `d(${row.of})/d(${row.wrt})` : `${row.form}(${row.of}, ${row.wrt})`;
    const claim = analyze(`${PRELUDE}${row.src}\ncheck ${lhs} = ${text}\n`);
    assert.deepEqual(claim.diagnostics.filter((d) => d.severity === 'error'), [], `check ${lhs} = ${text} reads back`);
    assert.equal(checkClaim(claim).status, 'pass');
  });
}

function checkClaim(a: Analysis, seed = 7): CheckResult {
  const target = checkTargets(a).find((t) => t.kind === 'claim');
  assert.ok(target, 'the document has a claim');
  return checkTarget(a, target, { seed });
}

function valuesOf(a: Analysis, expr: string, vars: Record<string, number[]>): { reference: Float64Array; compiled: Float64Array } {
  const doc = analyze(`${a.text}e = ${expr}\n`);
  const node = doc.definition('e')!.node!;
  const env: EvalEnv = { vars: new Map(Object.entries(vars).map(([k, v]) => [k, { rows: v.length, cols: 1, data: Float64Array.from(v) }])), dims: new Map([['n', 3]]) };
  const [compiled] = compile([node], env.dims).evaluate(env.vars);
  return { reference: evaluate(node, env).data, compiled: compiled.data };
}

test('the softmax family is shifted by the maximum: finite at scores of ±1000, compiled equal to reference', () => {
  const a = analyze('dim n\nz, y: vector[n]\n');
  const z = [1000, 0, -1000];
  const cases: Array<[string, number[]]> = [
    ['softmax(z)', [1, 0, 0]],
    ['logsumexp(z)', [1000]],
    ['log_softmax(z)', [0, -1000, -2000]],
    ['logsumexp(z - 2000)', [-1000]],
  ];
  for (const [expr, expected] of cases) {
    const { reference, compiled } = valuesOf(a, expr, { z, y: [0, 0, 1] });
    assert.deepEqual([...reference], expected, expr);
    assert.deepEqual([...compiled], [...reference], `${expr}: compiled`);
  }
  const equal = valuesOf(a, 'logsumexp(z)', { z: [800, 800, 800], y: [0, 0, 0] }).reference[0];
  assert.ok(Math.abs(equal - (800 + Math.log(3))) < 1e-12, `logsumexp of equal scores: ${equal}`);
});

test('exported Python (NumPy) is shifted by the maximum too: finite value and gradient at scores of ±1000', (t) => {
  if (spawnSync('python3', ['-c', 'import numpy']).status !== 0) return t.skip('NumPy is not importable here');
  const file = scratch('mcalc-newops-py-');
  const module = file('softmax_loss.py', exportGradient(analyze(readFileSync(EXAMPLE, 'utf8')), { of: 'loss', backend: 'numpy', source: 'softmax.mcalc' }));
  const run = `import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("m", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
value, grads = m.value_and_grad(x=[1000.0, 0.0], y=[0.0, 0.0, 1.0], W=[[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], b=[0.0, 0.0, 0.0])
print(json.dumps({"value": float(value), "b": [float(v) for v in grads["b"]]}))`;
  const r = spawnSync('python3', ['-c', run, module], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  // Scores W x + b = [1000, 0, -1000] and the label is the last class: the loss is 2000, the gradient p − y.
  assert.deepEqual(JSON.parse(r.stdout), { value: 2000, b: [1, 0, -1] });
});

test('logdet is log det from the LU factors; a determinant that is not positive is outside the domain (NaN)', () => {
  const a = analyze('dim n\nX: matrix[n, n]\n');
  const env = (data: number[]): EvalEnv => ({ vars: new Map([['X', { rows: 2, cols: 2, data: Float64Array.from(data) }]]), dims: new Map([['n', 2]]) });
  const node = analyze(`${a.text}e = logdet(X)\n`).definition('e')!.node!;
  assert.ok(Math.abs(evaluate(node, env([0, 2, -3, 1])).data[0] - Math.log(6)) < 1e-12, 'a permuted pivot keeps the sign');
  assert.ok(Math.abs(evaluate(node, env([1e200, 0, 0, 1e200])).data[0] - 400 * Math.log(10)) < 1e-9, 'no overflow of det itself');
  assert.ok(Number.isNaN(evaluate(node, env([0, 1, 1, 0])).data[0]), 'negative determinant');
  assert.ok(Number.isNaN(evaluate(node, env([1, 2, 2, 4])).data[0]), 'singular');
});

test('checks: domains re-sample, and a claim never passes on one side of a kink or outside the domain', () => {
  const doc = (claim: string) => analyze(`dim n\nx, y: vector[n]\nX: matrix[n, n]\ncheck ${claim}\n`);
  const status = (claim: string) => checkClaim(doc(claim)).status;
  // X − 2I has determinants of both signs at the sampled points.
  assert.equal(status('grad(logdet(X - 2 * eye(n)), X) = (X - 2 * eye(n))⁻ᵀ'), 'pass');
  assert.equal(status('grad(logdet(X - 2 * eye(n)), X) = X - 2 * eye(n)'), 'fail');
  // x .^ y with y varying is defined for x > 0 only.
  assert.equal(status('grad(sum(x .^ y), y) = x .^ y ⊗ log(x)'), 'pass');
  assert.equal(status('grad(sum(x .^ y), y) = x .^ y'), 'fail');
  const never = checkClaim(doc('grad(sum((-exp(x)) .^ y), y) = 𝟎[n]'));
  assert.equal(never.status, 'inconclusive');
  assert.match(never.note ?? '', /defined/);
  // norm1 has a kink at every zero element: a claim right for positive x only must not pass.
  assert.equal(status('d(norm1(x))/d(x) = sign(x)ᵀ'), 'pass');
  assert.notEqual(status('d(norm1(x))/d(x) = 𝟏[n]ᵀ'), 'pass');
  assert.notEqual(status('grad(norm1(x - 3), x) = -𝟏[n]'), 'pass');
});

test('diagnostics: shapes, sizes and argument counts of the new operators, in plain English', () => {
  const message = (line: string) => {
    const d = analyze(`dim m, n\nx, y: vector[n]\ns: scalar\nA: matrix[m, n]\nq = ${line}\n`).diagnostics.find((e) => e.severity === 'error');
    assert.ok(d, `${line} is an error`);
    return `${d.message} ${d.hint ?? ''}`;
  };
  assert.match(message('softmax(A)'), /softmax\(z\) needs a column vector, not matrix\[m, n\]/);
  assert.match(message('logsumexp(xᵀ)'), /column vector.*Transpose/);
  assert.match(message('logdet(A)'), /logdet needs a square matrix, not matrix\[m, n\]/);
  assert.match(message('x ^ y'), /one side must be a scalar.*x \.\^ y/);
  const power = analyze('dim n\nx, y: vector[n]\nq = x ^ y\n').diagnostics[0];
  assert.deepEqual(power.fixes?.map((f) => [f.title, f.edits[0].newText]), [['Use the element-wise power .^', '.^']]);
  assert.match(message('x .^ A'), /element-wise power of vector\[n\] and matrix\[m, n\]/);
  assert.match(message('ones(2.5)'), /dimension names or whole numbers/);
  assert.match(message('eye(s)'), /dimension names or whole numbers/);
  assert.match(message('zeros(1, 2, 3)'), /zeros takes 1 or 2 arguments, but 3 were given/);
  assert.match(message('eye(m, n)'), /eye takes 1 argument, but 2 were given/);
});

test('.^ parses as a right-associative power (2.^x included) and prints back as .^ only between non-scalars', () => {
  const a = analyze('dim n\nx, y: vector[n]\ns: scalar\np = 2.^x\nq = x .^ y .^ 2\nr = x .^ s\n');
  assert.deepEqual(a.diagnostics, []);
  const text = (name: string) => toText(a.definition(name)!.node!);
  assert.equal(text('p'), '2^x');
  assert.equal(text('q'), 'x .^ (y^2)');
  assert.equal(text('r'), 'x^s');
});

test('the constructors show their result shapes per number of sizes', () => {
  assert.deepEqual(callables().get('ones')!.resultShapes, ['n → vector[n]', 'm, n → matrix[m, n]']);
  assert.deepEqual(callables().get('eye')!.resultShapes, ['n → matrix[n, n]']);
  assert.deepEqual(callables().get('norm2')!.aliasOf, 'norm');
});

test('examples/softmax.mcalc: hover, derive, eval and check', async () => {
  const text = readFileSync(EXAMPLE, 'utf8');
  const a = analyze(`${text}g = grad(logsumexp(z), b)\n`);
  const h = hoverAt(a, a.text.lastIndexOf('grad(logsumexp'))!;
  assert.match(hoverMarkdown(h, a.layout, cachedResult(a, h.derivative!, a.layout) ?? undefined), /`= softmax\(z\)`/);
  const derive = await runMcalc('derive', EXAMPLE, '--of', 'loss', '--wrt', 'b');
  assert.equal(derive.code, 0, derive.err);
  assert.match(derive.out, /^= \(sum\(y\) \* p - y\)ᵀ$/m);
  const file = scratch('mcalc-newops-');
  const at = file('at.json', JSON.stringify({ x: [1000, 0], y: [0, 0, 1], W: [[1, 0], [0, 1], [-1, 0]], b: [0, 0, 0] }));
  const ev = await runMcalc('eval', EXAMPLE, '--expr', 'grad(loss, b)', '--at', at, '--json');
  assert.equal(ev.code, 0, ev.err);
  assert.deepEqual(JSON.parse(ev.out).value, [1, 0, -1]);
  const check = await runMcalc('check', EXAMPLE);
  assert.equal(check.code, 0, check.out);
  assert.match(check.out, /6 passed, 0 failed/);
});

test('examples/softmax.mcalc: training with the derived gradient fits a separable three-class problem', async () => {
  const file = scratch('mcalc-newops-train-');
  const rows = [[1, 0, 1, 0, 0], [0, 1, 0, 1, 0], [-1, -1, 0, 0, 1], [1, 0.2, 1, 0, 0], [0.1, 1, 0, 1, 0], [-1, -0.8, 0, 0, 1]];
  const csv = file('classes.csv', `x1,x2,y1,y2,y3\n${rows.map((r) => r.join(',')).join('\n')}\n`);
  const r = await runMcalc('train', EXAMPLE, '--loss', 'loss', '--params', 'W,b', '--data', csv, '--dim', 'k=3', '--dim', 'n=2', '--optimizer', 'adam', '--lr', '0.1', '--epochs', '100', '--json');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
  const first = lines[0].loss;
  const last = lines[lines.length - 1].loss;
  assert.ok(last < first / 10, `loss ${first} → ${last}`);
});

test('index-form slices use index letters that no dimension or variable of the formula uses', async () => {
  // softmax.mcalc has a dimension k: `∂p/∂W_jk = … 𝐞_j[k]` would read the index k and the size k alike.
  const { code, out } = await runMcalc('derive', join(process.cwd(), 'examples', 'softmax.mcalc'), '--of', 'p', '--wrt', 'W');
  assert.equal(code, 0, out);
  const head = /∂p\/∂W_(\w)(\w) = (.*)\(for each (\w), (\w)\)/.exec(out);
  assert.ok(head, out);
  const [, i, j, slice, e1, e2] = head;
  assert.deepEqual([e1, e2], [i, j]);
  for (const taken of ['k', 'n', 'x', 'W', 'b', 'y']) assert.ok(i !== taken && j !== taken, `${i}${j} clashes with ${taken}: ${out}`);
  assert.match(slice, new RegExp(`x\\[${j}\\]`));
  // The slices evaluate with those letters: the form's check (finite differences of every slice) passes.
  const a = analyze('dim k, n\nx: vector[n]\nW: matrix[k, n]\np = softmax(W * x)\nJ = d(p)/d(W)\n');
  const [target] = checkTargets(a, { of: 'p', wrt: 'W' });
  const result = checkTarget(a, target, { seed: 1 });
  assert.equal(result.status, 'pass', JSON.stringify(result));
});
