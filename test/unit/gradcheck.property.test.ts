// Properties of the gradient check over random expressions (with relu, abs and max kinks):
//  - never a false failure: the engine's own derivative forms pass (or are reported as not checkable);
//  - never a silent pass: a claim that is the engine's result perturbed fails (or is reported as not checkable).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze, type ClaimInfo } from '../../src/core/analyze.ts';
import { deriveResult } from '../../src/core/diff/derivation.ts';
import { evaluate } from '../../src/core/numeric/evaluate.ts';
import { checkTarget, checkTargets, type CheckStatus } from '../../src/core/numeric/gradcheck.ts';
import type { Tensor } from '../../src/core/numeric/tensor.ts';
import { PRELUDE, exprArb, type Kind } from './helpers/randomExpr.ts';

const SEED = Number(process.env.MCALC_PROPERTY_SEED ?? 20261126);
const SCALE = Number(process.env.MCALC_PROPERTY_SCALE ?? 1);

const FORMS: Array<{ name: string; f: Kind; form: string; runs: number }> = [
  { name: 'd(f)/d(u), scalar f', f: 'scalar', form: 'd(f)/d(u)', runs: 120 },
  { name: 'd(f)/d(A), scalar f', f: 'scalar', form: 'd(f)/d(A)', runs: 60 },
  { name: 'd(f)/d(u), vector f', f: 'vector', form: 'd(f)/d(u)', runs: 80 },
  { name: 'hessian(f, u)', f: 'scalar', form: 'hessian(f, u)', runs: 40 },
  { name: 'd(f)/d(s), matrix f', f: 'matrix', form: 'd(f)/d(s)', runs: 40 },
];

/** Values of moderate size at a few points, so finite differences in float64 are meaningful at all. */
function tame(a: ReturnType<typeof analyze>, src: string): boolean {
  const f = a.definition('f')!.node!;
  for (let k = 0; k < 3; k++) {
    const vars = new Map<string, Tensor>();
    for (const v of a.variables) {
      const size = v.shape.kind === 'scalar' ? 1 : v.shape.kind === 'vector' ? 3 : v.shape.kind === 'matrix' && v.shape.m === 'm' ? 6 : 9;
      const rows = v.shape.kind === 'vector' ? 3 : v.shape.kind === 'matrix' ? size / 3 : 1;
      vars.set(v.name, { rows, cols: size / rows, data: Float64Array.from({ length: size }, (_, i) => Math.sin(7 * i + 3 * k + src.length) * 1.5) });
    }
    try {
      const value = evaluate(f, { vars, dims: new Map([['n', 3], ['m', 2]]) });
      if (!value.data.every((x) => Number.isFinite(x) && Math.abs(x) < 1e4)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

for (const s of FORMS) {
  test(`gradient check of the engine's ${s.name}: never a false failure (${s.runs * SCALE} random expressions with kinks)`, () => {
    const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, inconclusive: 0, error: 0 };
    let skipped = 0;
    fc.assert(
      fc.property(exprArb(s.f, 2, { kinks: true }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (src, seed) => {
        const a = analyze(`${PRELUDE}f = ${src}\nJ = ${s.form}\n`);
        assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), [], src);
        if (!tame(a, src)) {
          skipped++;
          return;
        }
        const [target] = checkTargets(a);
        const r = checkTarget(a, target, { seed });
        counts[r.status]++;
        assert.notEqual(r.status, 'fail', `f = ${src}: ${JSON.stringify(r)}`);
        assert.notEqual(r.status, 'error', `f = ${src}: ${r.note}`);
      }),
      { numRuns: s.runs * SCALE, seed: SEED, includeErrorInReport: true },
    );
    const checked = counts.pass + counts.inconclusive;
    assert.ok(counts.pass >= 0.9 * checked, `${JSON.stringify(counts)}: too many inconclusive`);
    assert.ok(checked >= 0.7 * s.runs * SCALE, `only ${checked} checked (${skipped} skipped)`);
    console.log(`  ${s.name}: ${JSON.stringify({ ...counts, skipped })}`);
  });
}

test(`gradient check of wrong claims (the engine's result scaled by 1.01, plus 0.01): never a silent pass (${100 * SCALE} cases)`, () => {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, inconclusive: 0, error: 0 };
  fc.assert(
    fc.property(
      fc.constantFrom(...FORMS.filter((f) => !f.form.startsWith('hessian'))).chain((form) => fc.tuple(fc.constant(form), exprArb(form.f, 2, { kinks: true }))),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      ([form, src], seed) => {
        const a = analyze(`${PRELUDE}f = ${src}\nJ = ${form.form}\n`);
        if (!tame(a, src)) return;
        const [target] = checkTargets(a);
        const { result } = deriveResult(a, target.info, a.layout);
        if (result.kind !== 'matrix') return;
        const b = a.builder;
        const wrong = b.add(b.mul(b.constant(1.01), result.value), b.constant(0.01));
        const claim: ClaimInfo = { range: target.range, keywordRange: target.range, derivative: target.info, formula: wrong, formulaText: '1.01 J + 0.01', formulaRange: target.range };
        const r = checkTarget(a, { kind: 'claim', info: target.info, claim, range: target.range }, { seed });
        counts[r.status]++;
        assert.notEqual(r.status, 'pass', `f = ${src}: a wrong claim passed: ${JSON.stringify(r)}`);
        if (r.status === 'fail') {
          assert.ok(r.engine?.differs, 'says where the claim departs from the engine');
          assert.ok(r.engine?.passed, `the engine itself passes: ${JSON.stringify(r.engine)}`);
        }
      },
    ),
    { numRuns: 100 * SCALE, seed: SEED, includeErrorInReport: true },
  );
  assert.ok(counts.fail >= 0.9 * (counts.fail + counts.inconclusive), JSON.stringify(counts));
  console.log(`  wrong claims: ${JSON.stringify(counts)}`);
});
