// The derivation record at any size: linear in the expression DAG, every name it uses defined, and results that
// print with their where-clause complete (in the record, the hover and the CLI).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, derivativeOf, hoverAt } from '../../src/core/analyze.ts';
import { derive, type Derivation } from '../../src/core/diff/derivation.ts';
import { allStepLines } from '../../src/core/diff/steps.ts';
import { hoverMarkdown } from '../../src/core/presentation.ts';
import { cachedResult } from '../../src/core/diff/derivation.ts';

function nest(depth: number): string {
  let e = 'x';
  for (let i = 0; i < depth; i++) e = `log(1 + sin(${e} + x^2)^2)`;
  return `x: scalar\ny = ${e}\n`;
}

function record(src: string, of = 'y', wrt = 'x', form: 'jacobian' | 'grad' | 'hessian' = 'jacobian'): Derivation {
  const a = analyze(src);
  const info = derivativeOf(a, of, wrt, form);
  assert.ok(typeof info !== 'string', String(info));
  return derive(a, info, 'numerator');
}

/** Names like u₁₂ or v₃ in a text. */
function namesIn(text: string): string[] {
  return text.match(/[uvpqrhgξ][₀-₉]+/gu) ?? [];
}

test('record size grows linearly with the depth of a nest, not quadratically', () => {
  const size = (depth: number) => JSON.stringify(record(nest(depth))).length;
  const s100 = size(100);
  const s400 = size(400);
  assert.ok(s400 / s100 < 4.6, `4× the depth gave ${(s400 / s100).toFixed(2)}× the record (${s100} → ${s400})`);
  assert.ok(s400 < 800_000, `depth 400: ${s400} characters`);
});

test('every line of a deep record is short: no line spells out what lies below it', () => {
  const d = record(nest(200));
  const lines = allStepLines(d);
  const longest = Math.max(...lines.map((l) => l.text.length));
  assert.ok(longest < 400, `longest line ${longest} characters`);
  assert.ok(d.result.main.text.length < 400, d.result.main.text);
  assert.ok(d.intermediates.length >= 1000);
});

test('every name the result uses is defined in its where-clause or is a name of the document', () => {
  for (const src of [nest(3), nest(60), 'dim n\nx: vector[n]\nW: matrix[n, n]\nh = tanh(W*tanh(W*tanh(W*x)))\nL = sum(h ⊗ h)\n']) {
    const of = src.includes('L =') ? 'L' : 'y';
    const d = record(src, of, 'x', src.includes('L =') ? 'grad' : 'jacobian');
    const defined = new Set(d.result.where.map((w) => w.name));
    const used = [d.result.main.text, ...d.result.where.map((w) => w.text)].flatMap(namesIn);
    for (const name of used) assert.ok(defined.has(name), `${name} is used but not defined in ${d.result.text.slice(0, 200)}`);
    // A where-clause entry is defined before it is used.
    const seen = new Set<string>();
    for (const w of d.result.where) {
      for (const name of namesIn(w.text)) assert.ok(seen.has(name), `${name} used in ${w.name} before its definition`);
      seen.add(w.name);
    }
  }
});

test('where-clause names of intermediates mean what step 1 says they mean', () => {
  const d = record(nest(20));
  const step1 = new Set(d.intermediates.map((i) => i.name));
  const fresh = d.result.where.filter((w) => !step1.has(w.name));
  // Names introduced for pieces of the derivative use another letter than the intermediates.
  for (const w of fresh) assert.ok(!w.name.startsWith('u'), `${w.name} clashes with step 1's u-names`);
});

test('a hover shows the result with every name defined, or points to the preview when it is too long', () => {
  for (const depth of [4, 400]) {
    const src = `${nest(depth)}g = d(y)/d(x)\n`;
    const a = analyze(src);
    const h = hoverAt(a, src.indexOf('d(y)/d(x)'))!;
    const result = cachedResult(a, h.derivative!, 'numerator')!;
    const md = hoverMarkdown(h, 'numerator', result);
    if (depth === 4) {
      const names = new Set(namesIn(md));
      for (const n of names) assert.ok(md.includes(`where ${n} = `), `hover uses ${n} without defining it`);
      assert.match(md, /`= /);
    } else {
      assert.doesNotMatch(md, /`= /, 'a result too long for a hover is not cut off mid-way');
      assert.match(md, /Show Derivation/);
    }
  }
});
