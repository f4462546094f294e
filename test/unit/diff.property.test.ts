// Property: for random well-shaped expressions over scalars, vectors and matrices, every derivative the
// engine produces (Jacobians in both layouts, gradients, Hessians, index-form tensors) agrees with central
// finite differences at random points away from kinks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze } from '../../src/core/analyze.ts';
import { differentiate } from '../../src/core/diff/engine.ts';
import { derivativeShape, type DerivativeForm } from '../../src/core/ops/structure.ts';
import { evaluateDerivative } from '../../src/core/numeric/derivative.ts';
import { finiteDifferenceHessian, finiteDifferenceJacobian } from '../../src/core/numeric/check/finiteDifferences.ts';
import { kinkProfile, minOf } from '../../src/core/numeric/pointwise.ts';
import { evaluate } from '../../src/core/numeric/evaluate.ts';
import { shapeDims, type EvalEnv, type Tensor } from '../../src/core/numeric/tensor.ts';
import { LAYOUTS } from '../../src/core/shape.ts';
import { PRELUDE, VARIABLES, exprArb, type Kind } from './helpers/randomExpr.ts';

/** Reproducible by default; MCALC_PROPERTY_SEED / MCALC_PROPERTY_SCALE explore further. */
const SEED = Number(process.env.MCALC_PROPERTY_SEED ?? 20261126);
const RUNS_SCALE = Number(process.env.MCALC_PROPERTY_SCALE ?? 1);

const WRT: Record<Kind, string> = { scalar: 's', vector: 'u', matrix: 'A' };

function randomEnv(seed: number, n: number, m: number, variables: { name: string; shape: import('../../src/core/shape.ts').Shape }[]): EvalEnv {
  let state = seed >>> 0 || 1;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const dims = new Map([['n', n], ['m', m]]);
  const vars = new Map<string, Tensor>();
  for (const v of variables) {
    const [r, c] = shapeDims(v.shape, { dims });
    vars.set(v.name, { rows: r, cols: c, data: Float64Array.from({ length: r * c }, () => (next() * 2 - 1) * 1.2) });
  }
  return { vars, dims };
}

interface Stats {
  checked: number;
  skipped: number;
}

function checkCase(source: string, wrtKind: Kind, form: DerivativeForm, seed: number, n: number, stats: Stats): void {
  const a = analyze(`${PRELUDE}f = ${source}\n`);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), [], `analysis of ${source}`);
  const f = a.definition('f')!.node!;
  const x = a.variable(WRT[wrtKind])!;
  const env = randomEnv(seed, n, 2, a.variables);
  const value = evaluate(f, env);
  if (!value.data.every((v) => Number.isFinite(v) && Math.abs(v) < 1e6) || minOf(kinkProfile([f], env, x.name)) < 1e-3) {
    stats.skipped++;
    return;
  }
  for (const layout of LAYOUTS) {
    const expected = derivativeShape(form, f.shape, x.shape, layout);
    if (expected.error) return;
    const result = differentiate(a.builder, f, x, form, layout, expected.shape);
    const sym = evaluateDerivative(result, f, x, form, layout, env);
    const hessian = form === 'hessian';
    const fd = hessian ? finiteDifferenceHessian(f, x, env, 1e-4) : finiteDifferenceJacobian(f, x, env, 1e-6);
    const [atol, rtol] = hessian ? [1e-4, 1e-3] : [1e-5, 1e-3];
    for (let i = 0; i < sym.data.length; i++) {
      const err = Math.abs(sym.data[i] - fd.data[i]);
      if (!(err <= atol + rtol * Math.abs(fd.data[i]))) {
        assert.fail(`${form} of f = ${source} w.r.t. ${x.name} (${layout}, n=${n}): element ${i} symbolic ${sym.data[i]} vs finite difference ${fd.data[i]}`);
      }
    }
  }
  stats.checked++;
}

const scenarios: Array<{ name: string; f: Kind; x: Kind; form: DerivativeForm; runs: number; depth: number }> = [
  { name: 'gradients of scalars w.r.t. vectors', f: 'scalar', x: 'vector', form: 'jacobian', runs: 700, depth: 3 },
  { name: 'gradients of scalars w.r.t. matrices', f: 'scalar', x: 'matrix', form: 'jacobian', runs: 400, depth: 3 },
  { name: 'derivatives of scalars w.r.t. scalars', f: 'scalar', x: 'scalar', form: 'jacobian', runs: 300, depth: 3 },
  { name: 'grad(f, x) of scalars w.r.t. vectors', f: 'scalar', x: 'vector', form: 'grad', runs: 200, depth: 3 },
  { name: 'Jacobians of vectors w.r.t. vectors', f: 'vector', x: 'vector', form: 'jacobian', runs: 500, depth: 3 },
  { name: 'Jacobians of vectors w.r.t. scalars', f: 'vector', x: 'scalar', form: 'jacobian', runs: 200, depth: 3 },
  { name: 'third-order tensors: vectors w.r.t. matrices', f: 'vector', x: 'matrix', form: 'jacobian', runs: 150, depth: 2 },
  { name: 'matrices w.r.t. scalars and vectors', f: 'matrix', x: 'vector', form: 'jacobian', runs: 150, depth: 2 },
  { name: 'Hessians w.r.t. vectors', f: 'scalar', x: 'vector', form: 'hessian', runs: 200, depth: 2 },
  { name: 'Hessians w.r.t. scalars', f: 'scalar', x: 'scalar', form: 'hessian', runs: 150, depth: 2 },
];

for (const s of scenarios) {
  test(`symbolic = finite differences: ${s.name} (${s.runs} random expressions, both layouts)`, () => {
    const stats: Stats = { checked: 0, skipped: 0 };
    fc.assert(
      fc.property(exprArb(s.f, s.depth, { kinks: true }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 4 }), (src, seed, n) => {
        checkCase(src, s.x, s.form, seed, n, stats);
      }),
      { numRuns: s.runs * RUNS_SCALE, seed: SEED },
    );
    // Skips (kinks, overflow) must stay rare, or the property would be vacuous.
    assert.ok(stats.checked >= s.runs * RUNS_SCALE * 0.8, `only ${stats.checked} of ${s.runs * RUNS_SCALE} cases were checked`);
  });
}

test('the variables used by the generator are the ones the prelude declares', () => {
  const a = analyze(PRELUDE);
  assert.deepEqual(a.diagnostics, []);
  for (const names of Object.values(VARIABLES)) for (const name of names) assert.ok(a.variable(name), name);
});
