// The paper's worked examples and Matrix Cookbook identities come out in their textbook form; the
// derivation record has the paper's four steps; every LaTeX string renders with KaTeX.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import katex from 'katex';
import { analyze, derivativeOf, type Analysis } from '../../src/core/analyze.ts';
import { derive, deriveResult, formatResult } from '../../src/core/diff/derivation.ts';
import { allStepLines, graphOf } from '../../src/core/diff/steps.ts';
import { dagSize } from '../../src/core/ir.ts';
import type { DerivativeForm } from '../../src/core/ops/structure.ts';
import type { Layout } from '../../src/core/shape.ts';
import { ALL_OPS } from '../../src/core/ops/registry.ts';

function result(src: string, of: string, wrt: string, form: DerivativeForm = 'jacobian', layout: Layout = 'numerator'): string {
  const a = analyze(src, { layout });
  // Claims written for the other layout are not this test's business.
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'claim-shape'), [], 'document analyses cleanly');
  const info = derivativeOf(a, of, wrt, form);
  assert.ok(typeof info !== 'string', String(info));
  const { f, result: r } = deriveResult(a, info, layout);
  return formatResult(a, info, f, r).text;
}

const NEURON = readFileSync(join(__dirname, '../../examples/neuron.mcalc'), 'utf8');

test('the neuron: gradient of the squared error w.r.t. w and b (Parr & Howard section 6)', () => {
  assert.equal(result(NEURON, 'loss', 'w'), '-2 * (y - a) * (z > 0) * xᵀ');
  assert.equal(result(NEURON, 'loss', 'w', 'jacobian', 'denominator'), '-2 * (y - a) * (z > 0) * x');
  assert.equal(result(NEURON, 'loss', 'w', 'grad'), '-2 * (y - a) * (z > 0) * x');
  assert.equal(result(NEURON, 'loss', 'b'), '-2 * (y - a) * (z > 0)');
  assert.equal(result(NEURON, 'z', 'w'), 'xᵀ');
});

test('the MSE over a batch: −2/N Xᵀ((y − a) ⊗ 1[z > 0]) without any N×N matrix', () => {
  const src = readFileSync(join(__dirname, '../../examples/neuron-batch.mcalc'), 'utf8');
  assert.equal(result(src, 'loss', 'w', 'grad'), '-2 / N * Xᵀ * ((y - a) ⊗ (z > 0))');
  assert.equal(result(src, 'loss', 'w'), '-2 / N * ((y - a) ⊗ (z > 0))ᵀ * X');
  assert.equal(result(src, 'loss', 'b'), '-2 * mean((y - a) ⊗ (z > 0))');
});

test('single-variable examples: sin(x²), ln(sin(x³)²), x + x² (section 4.5)', () => {
  assert.equal(result('x: scalar\ny1 = sin(x^2)\n', 'y1', 'x'), '2 * x * cos(x^2)');
  assert.equal(result('x: scalar\ny2 = ln(sin(x^3)^2)\n', 'y2', 'x'), '6 * x^2 * cos(x^3) / sin(x^3)');
  assert.equal(result('x: scalar\nu = x^2\ny3 = x + u\n', 'y3', 'x'), '1 + 2 * x');
  // Equal subexpressions are shared: the user's own name for x² is used in the result.
  assert.equal(result('x: scalar\nu = x^2\ny1 = sin(x^2)\n', 'y1', 'x'), '2 * x * cos(u)');
});

test('element-wise Jacobians are diagonal, scalar expansion gives 𝟏 and the vector itself (sections 4.2–4.4)', () => {
  const src = 'dim n\nz: scalar\nu, w: vector[n]\ne = w ⊗ u\nf = w + u\ns1 = w + z\ns2 = w * z\nr1 = sum(w)\nr2 = w · u\nh = sin(w)\n';
  assert.equal(result(src, 'e', 'w'), 'diag(u)');
  assert.equal(result(src, 'f', 'w'), '𝐈[n]');
  assert.equal(result(src, 's1', 'z'), '𝟏[n]');
  assert.equal(result(src, 's1', 'w'), '𝐈[n]');
  assert.equal(result(src, 's2', 'z'), 'w');
  assert.equal(result(src, 's2', 'w'), 'z * 𝐈[n]');
  assert.equal(result(src, 'r1', 'w'), '𝟏[n]ᵀ');
  assert.equal(result(src, 'r2', 'w'), 'uᵀ');
  assert.equal(result(src, 'h', 'w'), 'diag(cos(w))');
});

test('the vector chain rule example: f(g(x)) with g = [x², 3x] (section 4.5.3)', () => {
  // Intermediate variables stay named, as in the paper's derivation (g₁ = x², g₂ = 3x).
  const src = 'x: scalar\ng = [x^2, 3*x]\nf = [log(g[1]), sin(g[2])]\n';
  assert.equal(result(src, 'f', 'x'), '[2 * x / g[1], 3 * cos(g[2])]');
  assert.equal(result('x: scalar\nf = [log(x^2), sin(3*x)]\n', 'f', 'x'), '[2 / x, 3 * cos(3 * x)]');
});

test('Matrix Cookbook identities in their textbook form', () => {
  const src = readFileSync(join(__dirname, '../../examples/cookbook.mcalc'), 'utf8');
  assert.equal(result(src, 'quadratic', 'x', 'grad'), '(B + Bᵀ) * x');
  assert.equal(result(src, 'linear', 'x', 'grad'), 'a');
  assert.equal(result(src, 'bilinear', 'X', 'grad'), 'a * bᵀ');
  assert.equal(result(src, 'trace', 'X', 'grad'), 'Aᵀ * Bᵀ');
  assert.equal(result(src, 'trace', 'X'), 'B * A');
  assert.equal(result(src, 'log_det', 'X', 'grad'), 'X⁻ᵀ');
  assert.equal(result(src, 'inverse', 'X', 'grad'), '-X⁻ᵀ * a * bᵀ * X⁻ᵀ');
  assert.equal(result(src, 'quadratic', 'x', 'hessian'), 'B + Bᵀ');
  const sym = 'dim n\nx: vector[n]\nA: matrix[n, n]\nq = A*x + Aᵀ*x\n';
  assert.equal(result(sym, 'q', 'x'), 'A + Aᵀ');
});

test('third-order tensors are shown in index form, never refused', () => {
  const src = 'dim m, n\nx: vector[n]\nb: vector[m]\nW: matrix[m, n]\nlayer = W*x + b\n';
  assert.equal(result(src, 'layer', 'W'), '∂layer/∂W_jk = x[k] * 𝐞_j[m]   (for each j, k)');
  assert.equal(result(src, 'layer', 'x'), 'W');
  assert.equal(result(src, 'layer', 'b'), '𝐈[m]');
});

test('the derivation record follows the paper\'s four steps and names the chain rule', () => {
  const a = analyze(NEURON);
  const info = derivativeOf(a, 'loss', 'w');
  assert.ok(typeof info !== 'string');
  const d = derive(a, info, 'numerator');
  assert.equal(d.rule, 'vector chain rule');
  assert.deepEqual(d.intermediates.map((i) => `${i.name} = ${i.text}`), ['u₁ = w · x', 'z = u₁ + b', 'a = max(0, z)', 'u₂ = y - a', 'loss = u₂^2']);
  assert.deepEqual(
    d.partials.map((p) => `∂${p.of}/∂${p.wrt} = ${p.text} [${p.shape}; ${p.rule}]`),
    [
      '∂u₁/∂w = xᵀ [1×n; dot product rule]',
      '∂z/∂u₁ = 1 [1×1; sum rule]',
      '∂a/∂z = (z > 0) [1×1; max rule (piecewise)]',
      '∂u₂/∂a = -1 [1×1; difference rule]',
      '∂loss/∂u₂ = 2 * u₂ [1×1; power rule]',
    ],
  );
  const steps = allStepLines(d);
  assert.deepEqual([...new Set(steps.map((s) => s.step))], [1, 2, 3, 4]);
  assert.ok(steps.some((s) => s.step === 3 && s.text === 'so ∂loss/∂w = ∂loss/∂u₂ · ∂u₂/∂a · ∂a/∂z · ∂z/∂u₁ · ∂u₁/∂w'));
  assert.ok(steps.some((s) => s.step === 3 && s.text === '∂a/∂w = ∂a/∂z · ∂z/∂w = (z > 0) * xᵀ'), 'accumulated values are shown when short');
  assert.ok(steps.some((s) => s.step === 4 && s.kind === 'prose' && s.text.includes('max is not differentiable where its arguments tie; the subgradient 0 is used there.')), 'the kink of max is explained');
  assert.equal(d.result.text, '-2 * (y - a) * (z > 0) * xᵀ');
  const label = (k: number) => `∂${d.partials[k].of}/∂${d.partials[k].wrt}`;
  assert.deepEqual(d.order.forward.map(label), ['∂u₁/∂w', '∂z/∂u₁', '∂a/∂z', '∂u₂/∂a', '∂loss/∂u₂']);
  assert.deepEqual(d.order.backward, [...d.order.forward].reverse());
  const graph = graphOf(d);
  assert.equal(graph.nodes.find((n) => n.kind === 'output')?.id, 'loss');
  assert.deepEqual(graph.nodes.filter((n) => n.kind === 'parameter').map((n) => n.label), ['x', 'b', '0', 'y', '2']);
  assert.ok(graph.edges.some(([from, to]) => from === 'w' && to === 'u₁'));
  assert.equal(graph.edges.length, 10);
});

test('the chain rule is chosen by the dataflow: single-variable, total-derivative, vector', () => {
  const rule = (src: string, of: string, wrt: string) => {
    const a = analyze(src);
    const info = derivativeOf(a, of, wrt);
    assert.ok(typeof info !== 'string');
    return derive(a, info, 'numerator').rule;
  };
  assert.equal(rule('x: scalar\ny = sin(x^2)\n', 'y', 'x'), 'single-variable chain rule');
  assert.equal(rule('x: scalar\nu = x^2\ny = x + u\n', 'y', 'x'), 'single-variable total-derivative chain rule');
  assert.equal(rule('dim n\nx: vector[n]\ny = sum(sin(x))\n', 'y', 'x'), 'vector chain rule');
  assert.equal(rule('dim n\nx: scalar\nv: vector[n]\ny = sum(x * v)\n', 'y', 'x'), 'vector chain rule');
});

test('no expression swell: a depth-1,000 nest differentiates to at most 4× its size', () => {
  let e = 'x';
  for (let i = 0; i < 1000; i++) e = `log(1 + sin(${e} + x^2)^2)`;
  const a = analyze(`x: scalar\ny = ${e}\n`);
  assert.deepEqual(a.diagnostics, []);
  const info = derivativeOf(a, 'y', 'x');
  assert.ok(typeof info !== 'string');
  const { f, result: r } = deriveResult(a, info, 'numerator');
  assert.ok(r.kind === 'matrix');
  const ratio = dagSize(r.value) / dagSize(f);
  assert.ok(ratio <= 4, `result is ${ratio.toFixed(2)}× the input`);
  // Printing names the shared parts instead of expanding them (which would be exponential).
  assert.ok(formatResult(a, info, f, r).text.length < 400_000);
});

function renders(latex: string, where: string): void {
  try {
    katex.renderToString(latex, { throwOnError: true, strict: 'error' });
  } catch (e) {
    assert.fail(`KaTeX cannot render ${where}: ${latex}\n${(e as Error).message}`);
  }
}

test('every LaTeX string the engine emits renders with KaTeX (throwOnError)', () => {
  const dir = join(__dirname, '../../examples');
  let count = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.mcalc'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const layout of ['numerator', 'denominator'] as const) {
      const a: Analysis = analyze(text, { layout });
      for (const info of a.derivatives) {
        const d = derive(a, info, layout);
        renders(d.result.latex, `${file} ${info.text} result`);
        const steps = allStepLines(d).filter((s) => s.kind === 'formula');
        for (const s of steps) renders(s.latex, `${file} ${info.text} step ${s.step}`);
        for (const p of d.partials) renders(p.latex, `${file} ${info.text} partial`);
        for (const i of d.intermediates) renders(i.latex, `${file} ${info.text} intermediate`);
        count += 1 + steps.length;
      }
    }
  }
  for (const def of ALL_OPS) if (def.rule) renders(def.rule.latex, `rule of ${def.op}`);
  assert.ok(count > 100, `rendered ${count} strings`);
});
