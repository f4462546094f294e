// Classic results read as a textbook prints them: GLM Hessians are sandwiches Xᵀ·diag(…)·X, diagonal
// factors merge, like terms collect, and no printed subexpression multiplies by an identity or adds a zero.
// The rules behind them are the operators' normal forms; finite-difference checks of every row keep the
// numbers honest, and a property over random expressions keeps the zero/identity claim general.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyze, derivativeOf } from '../../src/core/analyze.ts';
import { deriveResult, formatResult } from '../../src/core/diff/derivation.ts';
import { differentiate, inNormalForm } from '../../src/core/diff/engine.ts';
import { type Node, topoOrder } from '../../src/core/ir.ts';
import { evaluateDerivative } from '../../src/core/numeric/derivative.ts';
import { toText } from '../../src/core/print.ts';
import { finiteDifferenceHessian, finiteDifferenceJacobian } from '../../src/core/numeric/check/finiteDifferences.ts';
import { evaluate } from '../../src/core/numeric/evaluate.ts';
import type { EvalEnv, Tensor } from '../../src/core/numeric/tensor.ts';
import { sameShape } from '../../src/core/shape.ts';
import { derivativeShape, type DerivativeForm } from '../../src/core/ops/structure.ts';
import { PRELUDE, exprArb } from './helpers/randomExpr.ts';

const example = (name: string) => readFileSync(join(__dirname, '../../examples', name), 'utf8');

const GLM = 'dim N, n\nX: matrix[N, n]\ny: vector[N]\nw: vector[n]\n';
const LAYER = 'dim m, n\nx: vector[n]\nb: vector[m]\nW: matrix[m, n]\n';
const MLP = 'dim k, m, n\nx: vector[n]\nb1: vector[m]\nb2: vector[k]\nW1: matrix[m, n]\nW2: matrix[k, m]\n';
const VECTORS = 'dim n\na, b, x, u: vector[n]\nA, B: matrix[n, n]\n';

interface Row {
  name: string;
  src: string;
  of: string;
  wrt: string;
  form: DerivativeForm;
  expected: string;
}

const ROWS: Row[] = [
  { name: 'the neuron (Parr & Howard §6)', src: example('neuron.mcalc'), of: 'loss', wrt: 'w', form: 'jacobian', expected: '-2 * (y - a) * (z > 0) * xᵀ' },
  { name: 'the neuron w.r.t. its bias', src: example('neuron.mcalc'), of: 'loss', wrt: 'b', form: 'jacobian', expected: '-2 * (y - a) * (z > 0)' },
  { name: 'MSE gradient over a batch (§7)', src: example('neuron-batch.mcalc'), of: 'loss', wrt: 'w', form: 'grad', expected: '-2 / N * Xᵀ * ((y - a) ⊗ (z > 0))' },
  { name: 'MSE Hessian over a batch: a sandwich', src: example('neuron-batch.mcalc'), of: 'loss', wrt: 'w', form: 'hessian', expected: '2 / N * Xᵀ * diag((z > 0)) * X' },
  {
    name: 'logistic regression gradient', src: `${GLM}L = sum(log(1 + exp(-(y ⊗ (X*w)))))\n`, of: 'L', wrt: 'w', form: 'grad',
    expected: '-Xᵀ * (y ⊗ u₄ ⊘ (1 + u₄))   where u₄ = exp(-y ⊗ (X * w))',
  },
  {
    name: 'logistic regression Hessian: Xᵀ diag(…) X', src: `${GLM}L = sum(log(1 + exp(-(y ⊗ (X*w)))))\n`, of: 'L', wrt: 'w', form: 'hessian',
    expected: 'Xᵀ * diag(y^2 ⊗ u₄ ⊘ (1 + u₄)^2) * X   where u₄ = exp(-y ⊗ (X * w))',
  },
  { name: 'examples/glm.mcalc: logistic Hessian with the user’s names', src: example('glm.mcalc'), of: 'logistic', wrt: 'w', form: 'hessian', expected: 'Xᵀ * diag(y^2 ⊗ e ⊘ (1 + e)^2) * X' },
  { name: 'examples/glm.mcalc: least squares gradient', src: example('glm.mcalc'), of: 'squares', wrt: 'w', form: 'grad', expected: '2 * Xᵀ * r' },
  { name: 'Poisson regression Hessian', src: `${GLM}L = sum(exp(X*w) - y ⊗ (X*w))\n`, of: 'L', wrt: 'w', form: 'hessian', expected: 'Xᵀ * diag(exp(X * w)) * X' },
  { name: 'least squares gradient', src: `${GLM}L = sum((X*w - y)^2)\n`, of: 'L', wrt: 'w', form: 'grad', expected: '2 * Xᵀ * (X * w - y)' },
  { name: 'least squares Hessian', src: `${GLM}L = sum((X*w - y)^2)\n`, of: 'L', wrt: 'w', form: 'hessian', expected: '2 * Xᵀ * X' },
  { name: 'halved least squares gradient', src: `${GLM}L = sum((X*w - y)^2)/2\n`, of: 'L', wrt: 'w', form: 'grad', expected: 'Xᵀ * (X * w - y)' },
  { name: 'least squares as a norm', src: `${GLM}L = norm(X*w - y)^2\n`, of: 'L', wrt: 'w', form: 'hessian', expected: '2 * Xᵀ * X' },
  { name: 'xᵀAx gradient', src: `${VECTORS}f = xᵀ*A*x\n`, of: 'f', wrt: 'x', form: 'grad', expected: '(A + Aᵀ) * x' },
  { name: 'xᵀAx Hessian', src: `${VECTORS}f = xᵀ*A*x\n`, of: 'f', wrt: 'x', form: 'hessian', expected: 'A + Aᵀ' },
  { name: 'xᵀAx/2 Hessian', src: `${VECTORS}f = xᵀ*A*x/2\n`, of: 'f', wrt: 'x', form: 'hessian', expected: '(A + Aᵀ) / 2' },
  { name: 'a quadratic with a linear term', src: `${VECTORS}f = xᵀ*A*x/2 - b·x\n`, of: 'f', wrt: 'x', form: 'grad', expected: '(A + Aᵀ) * x / 2 - b' },
  { name: 'diag(a)·diag(b) merges', src: `${VECTORS}f = diag(a) * diag(b) * x\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'diag(a ⊗ b)' },
  { name: 'diag(a) + diag(b) merges', src: `${VECTORS}f = (diag(a) + diag(b)) * x\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'diag(a + b)' },
  { name: 'nested element-wise products', src: `${VECTORS}f = a ⊗ (b ⊗ x)\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'diag(a ⊗ b)' },
  { name: 'element-wise terms collect', src: `${VECTORS}f = a ⊗ x - b ⊗ x\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'diag(a - b)' },
  { name: 'diag(a)·𝟏 → a', src: `${VECTORS}f = sum(diag(a) * x)\n`, of: 'f', wrt: 'x', form: 'grad', expected: 'a' },
  { name: '𝟏ᵀ·diag(a) → aᵀ', src: `${VECTORS}f = sum(a ⊗ x)\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'aᵀ' },
  { name: 'common right factor', src: `${VECTORS}f = A*x - B*x\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'A - B' },
  { name: 'A·u − B·u → (A − B)·u', src: `${VECTORS}f = u · (A*x) - u · (B*x)\n`, of: 'f', wrt: 'u', form: 'grad', expected: '(A - B) * x' },
  { name: 'negations and scalars move outward', src: `${VECTORS}f = -A * (2 * x)\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: '-2 * A' },
  { name: 'grad(sum(σ(Wx + b)), x)', src: `${LAYER}f = sum(σ(W*x + b))\n`, of: 'f', wrt: 'x', form: 'grad', expected: 'Wᵀ * (u₃ ⊗ (1 - u₃))   where u₃ = σ(W * x + b)' },
  { name: 'a σ layer', src: `${LAYER}f = σ(W*x + b)\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'diag(v₁ ⊗ (1 - v₁)) * W   where v₁ = σ(W * x + b)' },
  { name: 'a ReLU MLP', src: `${MLP}h = relu(W1*x + b1)\nf = W2*h + b2\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'W2 * diag((W1 * x + b1 > 0)) * W1' },
  { name: 'a ReLU MLP w.r.t. the hidden bias', src: `${MLP}h = relu(W1*x + b1)\nf = W2*h + b2\n`, of: 'f', wrt: 'b1', form: 'jacobian', expected: 'W2 * diag((W1 * x + b1 > 0))' },
  { name: 'a tanh MLP', src: `${MLP}h = tanh(W1*x + b1)\nf = W2*h + b2\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'W2 * diag(1 - h^2) * W1' },
  { name: 'two σ layers', src: `${MLP}h = σ(W1*x + b1)\nf = σ(W2*h + b2)\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'diag(v₁ ⊗ (1 - v₁)) * W2 * diag(h ⊗ (1 - h)) * W1   where v₁ = σ(W2 * h + b2)' },
  // Through matrices that depend on x (Magnus & Neudecker's differentials, docs/derivation.md).
  { name: 'diag(dx)·v = diag(v)·dx', src: `${VECTORS}f = diag(x) * A * a\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'diag(A * a)' },
  { name: '(dx·bᵀ)·a = (bᵀa)·dx', src: `${VECTORS}f = x * bᵀ * a\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'bᵀ * a * 𝐈[n]' },
  { name: '(a·dxᵀ)·b = a·bᵀ·dx', src: `${VECTORS}f = a * xᵀ * b\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'a * bᵀ' },
  { name: 'inverse: d(M⁻¹) = −M⁻¹ dM M⁻¹', src: `${VECTORS}f = inv(A + diag(x)) * a\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: '-(A + diag(x))⁻¹ * diag((A + diag(x))⁻¹ * a)' },
  { name: 'determinant: d det M = det(M) tr(M⁻¹ dM)', src: `${VECTORS}f = det(A + diag(x)) * a\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'det(A + diag(x)) * a * diag((A + diag(x))⁻¹)ᵀ' },
  { name: 'trace: tr(A·diag(dx)) = diag(A)ᵀ dx', src: `${VECTORS}f = tr(A * diag(x)) * a\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'a * diag(A)ᵀ' },
  { name: 'sum of an outer product', src: `${VECTORS}f = sum(x * xᵀ) * a\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: '2 * sum(x) * a * 𝟏[n]ᵀ' },
  { name: 'a transposed outer product', src: `${VECTORS}f = (x * xᵀ)ᵀ * a\n`, of: 'f', wrt: 'x', form: 'jacobian', expected: 'x * aᵀ + xᵀ * a * 𝐈[n]' },
  {
    name: 'an element-wise function of x·xᵀ: (D ⊙ dM)·a = diag(dM·diag(a)·Dᵀ)', src: `${VECTORS}f = σ(x * xᵀ) * a\n`, of: 'f', wrt: 'x', form: 'jacobian',
    expected: 'diag(p₁ * x) + diag(x) * p₁   where p₁ = (σ(x * xᵀ) ⊗ (1 - σ(x * xᵀ))) * diag(a)',
  },
  {
    name: 'Hessian of log det(AAᵀ + diag(x² + 1))', src: `${VECTORS}f = log(det(A * Aᵀ + diag(x^2 + 1)))\n`, of: 'f', wrt: 'x', form: 'hessian',
    expected: '2 * (diag(diag(p₁)) - 2 * diag(x) * ((p₁ ⊗ p₁ᵀ) * diag(x)))   where p₁ = (A * Aᵀ + diag(x^2 + 1))⁻¹',
  },
  { name: 'Hessian of tr(cos(A·diag(x)))', src: `${VECTORS}f = tr(cos(A * diag(x)))\n`, of: 'f', wrt: 'x', form: 'hessian', expected: '-diag(diag(A)^2 ⊗ diag(cos(A * diag(x))))' },
  {
    name: 'nested element-wise functions of one-sided products', src: `${VECTORS}f = sin(A * sin(B * diag(x))) * a\n`, of: 'f', wrt: 'x', form: 'jacobian',
    expected: '(A * (cos(B * diag(x)) ⊗ B)) ⊗ (cos(A * sin(B * diag(x))) * diag(a))',
  },
  {
    name: 'an element-wise function of x·xᵀ inside a sandwich', src: `${VECTORS}f = sin(A * sin(x * xᵀ) * B) * a\n`, of: 'f', wrt: 'x', form: 'jacobian',
    expected: 'A ⊗ (p₁ * diag(x) * cos(x * xᵀ)ᵀ) + (A * diag(x) * cos(x * xᵀ)) ⊗ p₁   where p₁ = cos(A * sin(x * xᵀ) * B) * diag(a) * Bᵀ',
  },
  { name: 'softplus second derivative (σ′)', src: 'x: scalar\nf = log(1 + exp(x))\n', of: 'f', wrt: 'x', form: 'hessian', expected: 'exp(x) / (1 + exp(x))^2' },
  { name: 'a constant coefficient 1/k divides', src: 'x: scalar\nf = sqrt(x)\n', of: 'f', wrt: 'x', form: 'jacobian', expected: '1 / (2 * sqrt(x))' },
];

function derived(row: Row) {
  const a = analyze(row.src);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), [], `${row.name}: the document analyses cleanly`);
  const info = derivativeOf(a, row.of, row.wrt, row.form);
  assert.ok(typeof info !== 'string', String(info));
  const { f, result } = deriveResult(a, info, 'numerator');
  return { a, info, f, result, text: formatResult(a, info, f, result).text };
}

/** Deterministic values in [-1.2, 1.2] for every variable (dimensions 3 and 2). */
function environment(a: ReturnType<typeof analyze>): EvalEnv {
  let state = 12345;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2.4 - 1.2;
  const dims = new Map(a.dims.map((d, i) => [d.name, 3 - (i % 2)]));
  const size = (d: string | number) => (typeof d === 'number' ? d : dims.get(d)!);
  const vars = new Map<string, Tensor>();
  for (const v of a.variables) {
    const s = v.shape;
    const [r, c] = s.kind === 'scalar' ? [1, 1] : s.kind === 'vector' ? [size(s.n), 1] : s.kind === 'row' ? [1, size(s.n)] : [size(s.m), size(s.n)];
    vars.set(v.name, { rows: r, cols: c, data: Float64Array.from({ length: r * c }, next) });
  }
  return { vars, dims };
}

for (const row of ROWS) {
  test(`textbook form: ${row.name}`, () => {
    const { a, f, result, text } = derived(row);
    assert.equal(text, row.expected);
    // The rewritten result is still the derivative: compare with central differences.
    const x = a.variable(row.wrt)!;
    const env = environment(a);
    const sym = evaluateDerivative(result, f, x, row.form, 'numerator', env);
    const fd = row.form === 'hessian' ? finiteDifferenceHessian(f, x, env, 1e-4) : finiteDifferenceJacobian(f, x, env, 1e-6);
    assert.equal(sym.data.length, fd.data.length);
    sym.data.forEach((v, i) => assert.ok(Math.abs(v - fd.data[i]) <= 1e-4 + 1e-3 * Math.abs(fd.data[i]), `${row.name}: element ${i}: ${v} vs ${fd.data[i]}`));
  });
}

/** A product by an identity, a product or sum with a zero, a scalar factor of 1: what no result should show. */
function wastedPart(n: Node): string | undefined {
  const zero = (m: Node) => m.op === 'const' && m.attr === 0;
  if (n.op === 'matmul' && n.args.some((m) => m.op === 'identity')) return 'a product by I';
  if (['matmul', 'mul', 'add', 'sub'].includes(n.op) && n.args.some(zero)) return `a ${n.op} with a zero`;
  if (n.op === 'mul' && n.args.some((m) => m.op === 'const' && m.attr === 1 && m.shape.kind === 'scalar')) return 'a factor 1';
  if (n.op === 'div' && n.args[1].op === 'const' && n.args[1].attr === 1) return 'a division by 1';
  return undefined;
}

test('no result contains an identity factor or a zero term (random expressions, gradients, Jacobians, Hessians)', () => {
  const cases: Array<{ kind: 'scalar' | 'vector'; wrt: string; form: DerivativeForm }> = [
    { kind: 'scalar', wrt: 'u', form: 'grad' },
    { kind: 'vector', wrt: 'u', form: 'jacobian' },
    { kind: 'scalar', wrt: 'u', form: 'hessian' },
  ];
  for (const c of cases) {
    fc.assert(
      fc.property(exprArb(c.kind, 2, { kinks: true }), (src) => {
        const a = analyze(`${PRELUDE}f = ${src}\n`);
        const f = a.definition('f')!.node!;
        const x = a.variable(c.wrt)!;
        const expected = derivativeShape(c.form, f.shape, x.shape, 'numerator');
        const r = differentiate(a.builder, f, x, c.form, 'numerator', expected.shape);
        const root = r.kind === 'matrix' ? r.value : r.slice;
        for (const n of topoOrder([root])) {
          const wasted = wastedPart(n);
          if (wasted) assert.fail(`${c.form} of ${src} w.r.t. ${c.wrt} contains ${wasted}`);
        }
      }),
      { numRuns: 150, seed: 20261201 },
    );
  }
});

test('the normal form keeps every value: random expressions, simplified, evaluate as written', () => {
  for (const kind of ['scalar', 'vector', 'matrix'] as const) {
    fc.assert(
      fc.property(exprArb(kind, 3, { kinks: true }), (src) => {
        const a = analyze(`${PRELUDE}f = ${src}\n`);
        const written = a.definition('f')!.node!;
        const normal = inNormalForm(a.builder, written);
        assert.ok(sameShape(normal.shape, written.shape), `${src}: the shape is kept`);
        const env = environment(a);
        const [p, q] = [evaluate(written, env), evaluate(normal, env)];
        p.data.forEach((v, i) => {
          if (Number.isFinite(v) && Math.abs(v) < 1e6) assert.ok(Math.abs(v - q.data[i]) <= 1e-9 + 1e-8 * Math.abs(v), `${src} element ${i}: ${v} as written, ${q.data[i]} in normal form`);
        });
      }),
      { numRuns: 300, seed: 20261202 },
    );
  }
});

test('a matrix product inside an element-wise one, or the other way round, keeps its parentheses, and reads back the same', () => {
  const decl = 'dim n, m\nA: matrix[n, m]\nc: vector[n]\ny, u, v: vector[m]\nw: vector[n]\n';
  const cases: [string, string][] = [
    ['(Aᵀ * c) ⊗ y', '(Aᵀ * c) ⊗ y'],
    ['Aᵀ * (c ⊗ w)', 'Aᵀ * (c ⊗ w)'],
    ['(u ⊗ v) * wᵀ', '(u ⊗ v) * wᵀ'],
    ['(Aᵀ * c) ⊘ y', '(Aᵀ * c) ⊘ y'],
    ['u ⊗ v ⊗ y', 'u ⊗ v ⊗ y'],
    ['2 * A * u', '2 * A * u'],
  ];
  for (const [written, printed] of cases) {
    const a = analyze(`${decl}f = ${written}\n`);
    const node = a.definition('f')!.node!;
    assert.equal(toText(node), printed, written);
    const again = analyze(`${decl}f = ${written}\ng = ${printed}\n`);
    assert.equal(again.definition('g')!.node, again.definition('f')!.node, `${printed} reads back as ${written}`);
  }
});
