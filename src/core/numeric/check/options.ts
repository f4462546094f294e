// Check options: defaults filled in and every value validated, so a bad option is a usage error (the CLI's
// exit 2) before any work starts.

import type { Analysis } from '../../analyze.ts';
import { BudgetError, resolveBudget } from '../budget.ts';
import { sizesToAvoid } from './sizes.ts';
import { type CheckOptions, CheckUsageError, DEFAULT_TOLERANCES, type ResolvedOptions } from './types.ts';

export function resolveOptions(a: Analysis, o: CheckOptions): ResolvedOptions {
  const dims = new Map<string, number>(o.dims instanceof Map ? o.dims : Object.entries(o.dims ?? {}));
  for (const [name, v] of dims) {
    if (!a.dims.some((d) => d.name === name)) {
      throw new CheckUsageError(`There is no dimension named '${name}'${a.dims.length ? ` (dimensions: ${a.dims.map((d) => d.name).join(', ')})` : ''}.`);
    }
    if (!Number.isSafeInteger(v) || v < 1) throw new CheckUsageError(`The size of '${name}' must be a positive whole number, not ${v}.`);
  }
  const positive = (name: string, v: number | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    if (!(v > 0) || !Number.isFinite(v)) throw new CheckUsageError(`${name} must be a positive number, not ${v}.`);
    return v;
  };
  const count = (name: string, v: number | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    if (!Number.isSafeInteger(v) || v < 1) throw new CheckUsageError(`${name} must be a positive whole number, not ${v}.`);
    return v;
  };
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new CheckUsageError(`The seed must be a non-negative whole number, not ${o.seed}.`);
  return {
    eps: positive('eps', o.eps, DEFAULT_TOLERANCES.eps),
    atol: positive('atol', o.atol, DEFAULT_TOLERANCES.atol),
    rtol: positive('rtol', o.rtol, DEFAULT_TOLERANCES.rtol),
    hessianStep: positive('The Hessian step', o.hessianStep, DEFAULT_TOLERANCES.hessianStep),
    hessianAtol: positive('The Hessian atol', o.hessianAtol, DEFAULT_TOLERANCES.hessianAtol),
    hessianRtol: positive('The Hessian rtol', o.hessianRtol, DEFAULT_TOLERANCES.hessianRtol),
    fast: !!o.fast,
    points: count('points', o.points, 3),
    directions: count('directions', o.directions, 3),
    maxAttempts: count('maxAttempts', o.maxAttempts, 20),
    kinkMargin: positive('kinkMargin', o.kinkMargin, 10),
    maxElements: budgetOption(o.maxElements),
    dims,
    avoidSizes: sizesToAvoid(a, dims),
    seed,
    shouldStop: o.shouldStop,
  };
}

function budgetOption(max: number | undefined): number {
  try {
    return resolveBudget(max);
  } catch (e) {
    if (e instanceof BudgetError) throw new CheckUsageError(e.message);
    throw e;
  }
}
