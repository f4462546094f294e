// Gradient checks: every `check d(f)/d(x) = FORMULA` claim and every derivative form of a document, compared
// with central finite differences of f at random points, element by element, in float64, with PyTorch
// gradcheck's defaults (eps 1e-6, atol 1e-5, rtol 1e-3: an element passes when |analytic − numeric| ≤
// atol + rtol·|numeric|). Hessians use second differences with step 1e-4 and atol 1e-4, rtol 1e-3.
//
//  - Claims are checked as the user wrote them; the engine's own result is checked alongside, so a failing
//    claim can say where it departs from the engine (first differing element, and the engine's formula).
//  - Symbolic dimensions get random sizes unless bound: small, and apart from one another, from bound sizes and
//    from the document's whole numbers (check/sizes.ts: a claim must not pass because two sizes coincide).
//    Points are drawn from a seeded PRNG (mulberry32);
//    the seed is reported and reproduces the check. Square matrices are drawn both as they come and with a
//    diagonal shift (strictly diagonally dominant: invertible, positive determinant, inverses well conditioned):
//    a claim wrong only where the diagonal is negative, or off the diagonal of exp(A), must meet both.
//  - Kinks (max, min, relu, abs, sign, comparisons, norm at 0): a point whose distance to a kink (each
//    operator's `kinkDistance`) is below 10 steps is re-sampled; when a comparison fails anyway, the finite
//    difference is tested for straddling a kink (the kink argument changing side within ±step) and the point
//    is re-sampled. After `maxAttempts` the result is *inconclusive* with the reason — never a silent pass.
//    A kink argument stuck on its kink (the same value all around: `a > 0` where a = max(0, z), z < 0) cannot
//    change side and is no reason to re-sample (check/point.ts, nearestMovingKink).
//  - Domain problems (NaN/Inf, log of a negative, a singular matrix) re-sample too, alternating signed values
//    in (−1, 1) with positive values in (0.5, 1.5).
//  - Fast (directional) mode, for large inputs: random unit vectors u (x-shaped) and v (f-shaped); compares
//    vᵀJu (the claim's J, or the engine's forward derivative) with vᵀ(f(x+εu) − f(x−εu))/2ε.
// Finite differences run on the compiled evaluator (checked against the reference evaluator at each point);
// symbolic values use the reference evaluator.
//
// The stages live in check/: types (options, targets, results), options (defaults, validation), targets
// (which forms), sampling (which points), point (one point's comparison), finiteDifferences (the one
// implementation of central differences) and report (tally and verdict). This module runs them per target.

import type { Analysis } from '../analyze.ts';
import { BudgetError } from './budget.ts';
import { resolveOptions } from './check/options.ts';
import { prepare } from './check/point.ts';
import { Tally, emptyResult } from './check/report.ts';
import { checkAtPoints } from './check/sampling.ts';
import { checkSizes } from './check/sizes.ts';
import { checkTargets } from './check/targets.ts';
import { CheckCancelled, type CheckOptions, type CheckReport, type CheckResult, type CheckTarget, type ResolvedOptions } from './check/types.ts';
import { type Rng, createRng } from './random.ts';
import { fmt, layoutIndex } from './pointwise.ts';

export * from './check/types.ts';
export { checkTargets, fmt as formatNumber, layoutIndex };

/** Checks one claim or derivative form. */
export function checkTarget(a: Analysis, target: CheckTarget, options: CheckOptions = {}): CheckResult {
  return runTarget(a, target, resolveOptions(a, options));
}

function runTarget(a: Analysis, target: CheckTarget, o: ResolvedOptions): CheckResult {
  const info = target.info;
  const rng = createRng(o.seed, `gradcheck|${target.kind}|${info.text}|${target.range.start.line}:${target.range.start.character}`);
  const first = runAtSizes(a, target, o, rng, checkSizes(a, o.dims, o.avoidSizes, rng));
  // A claim can hold at one size only (a 3 × 3 identity such as Cayley–Hamilton's, 𝟏[n] / min(n, 5.5)): a pass
  // at the sizes drawn is confirmed at others, apart from those, and reports both runs' points and errors.
  if (first.status !== 'pass' || Object.keys(first.sizes).every((name) => o.dims.has(name))) return first;
  const second = runAtSizes(a, target, o, rng, checkSizes(a, o.dims, new Set([...o.avoidSizes, ...Object.values(first.sizes)]), rng));
  if (second.status !== 'pass') return second;
  return {
    ...first,
    points: first.points + second.points,
    maxAbsErr: Math.max(first.maxAbsErr, second.maxAbsErr),
    maxRelErr: Math.max(first.maxRelErr, second.maxRelErr),
    resampled: { kink: first.resampled.kink + second.resampled.kink, domain: first.resampled.domain + second.resampled.domain },
  };
}

/** Checks one target with the dimensions at `dims`. */
function runAtSizes(a: Analysis, target: CheckTarget, o: ResolvedOptions, rng: Rng, dims: Map<string, number>): CheckResult {
  const info = target.info;
  const hessian = info.form === 'hessian';
  const setup = {
    x: info.wrt,
    form: info.form,
    step: hessian ? o.hessianStep : o.eps,
    atol: hessian ? o.hessianAtol : o.atol,
    rtol: hessian ? o.hessianRtol : o.rtol,
    rng,
    dims,
    layout: a.layout,
  };
  const base = emptyResult({ ...setup, target, o });
  try {
    const p = prepare(a, target, o, setup);
    const tally = new Tally(p, base);
    return tally.verdict(checkAtPoints(p, tally));
  } catch (e) {
    if (e instanceof CheckCancelled) throw e;
    if (e instanceof BudgetError) return { ...base, status: 'inconclusive', note: e.message };
    return { ...base, status: 'error', note: `could not check: ${(e as Error).message}` };
  }
}

// ---- the document ---------------------------------------------------------------------------------------------

/** Checks every claim and derivative form (filtered by `of`/`wrt`). Throws CheckUsageError for bad options. */
export function checkDocument(a: Analysis, options: CheckOptions = {}): CheckReport {
  const o = resolveOptions(a, options);
  const lines = options.lines && new Set(options.lines);
  const targets = checkTargets(a, options).filter((t) => !lines || lines.has(t.range.start.line));
  const results: CheckResult[] = [];
  for (const t of targets) {
    const r = runTarget(a, t, o);
    results.push(r);
    options.onResult?.(r, results.length, targets.length);
  }
  return { passed: results.every((r) => r.passed), seed: o.seed, results };
}
