// Gradient checks: every `check d(f)/d(x) = FORMULA` claim and every derivative form of a document, compared
// with central finite differences of f at random points, element by element, in float64, with PyTorch
// gradcheck's defaults (eps 1e-6, atol 1e-5, rtol 1e-3: an element passes when |analytic − numeric| ≤
// atol + rtol·|numeric|). Hessians use second differences with step 1e-4 and atol 1e-4, rtol 1e-3.
//
//  - Claims are checked as the user wrote them; the engine's own result is checked alongside, so a failing
//    claim can say where it departs from the engine (first differing element, and the engine's formula).
//  - Symbolic dimensions get random sizes 2–5 unless bound. Points are drawn from a seeded PRNG (mulberry32);
//    the seed is reported and reproduces the check. Square matrices get a diagonal shift (strictly diagonally
//    dominant: invertible, positive determinant) so that inverses are well conditioned.
//  - Kinks (max, min, relu, abs, sign, comparisons, norm at 0): a point whose distance to a kink (each
//    operator's `kinkDistance`) is below 10 steps is re-sampled; when a comparison fails anyway, the finite
//    difference is tested for straddling a kink (the kink argument changing side within ±step) and the point
//    is re-sampled. After `maxAttempts` the result is *inconclusive* with the reason — never a silent pass.
//  - Domain problems (NaN/Inf, log of a negative, a singular matrix) re-sample too, alternating signed values
//    in (−1, 1) with positive values in (0.5, 1.5).
//  - Fast (directional) mode, for large inputs: random unit vectors u (x-shaped) and v (f-shaped); compares
//    vᵀJu (the claim's J, or the engine's forward derivative) with vᵀ(f(x+εu) − f(x−εu))/2ε.
// Finite differences run on the compiled evaluator (checked against the reference evaluator at each point);
// symbolic values use the reference evaluator.

import { type Analysis, type ClaimInfo, type DerivativeInfo, derivativeOf } from '../analyze.ts';
import { definitionNames, deriveResult, formatResult } from '../diff/derivation.ts';
import { toText } from '../print.ts';
import { type Variable, gradient, jvp, lowerDerivatives } from '../diff/engine.ts';
import { type Node, topoOrder } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import { tangentKey } from '../ops/leaves.ts';
import type { DerivativeForm } from '../ops/structure.ts';
import type { Layout } from '../shape.ts';
import type { Range } from '../source.ts';
import { compile, type CompiledPlan } from './compile.ts';
import { evaluateDerivative } from './derivative.ts';
import { evaluateAll } from './evaluate.ts';
import { BudgetError, elementCount, formatCount, formatSizes, largestNode, resolveBudget, totalElements } from './budget.ts';
import { illConditioned } from './conditioning.ts';
import { Pieces, SEARCH_SCALES, searchPointsPerScale } from './pieces.ts';
import { type Comparison, allFinite, compare, fmt, kinkProfile, layoutIndex, minOf, sampleEnv, straddles, unitVector, withVar } from './pointwise.ts';
import { type Rng, createRng } from './random.ts';
import { type EvalEnv, EvalError } from './tensor.ts';

export const DEFAULT_TOLERANCES = {
  eps: 1e-6,
  atol: 1e-5,
  rtol: 1e-3,
  hessianStep: 1e-4,
  hessianAtol: 1e-4,
  hessianRtol: 1e-3,
} as const;

export interface CheckOptions {
  /** Seed of the random sizes and points (default: a random seed, reported in the results). */
  seed?: number;
  /** Central-difference step (default 1e-6). */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Second-difference step for Hessians (default 1e-4), and their tolerances (1e-4, 1e-3). */
  hessianStep?: number;
  hessianAtol?: number;
  hessianRtol?: number;
  /** Directional mode (vᵀJu) instead of the full Jacobian. */
  fast?: boolean;
  /** Random points per form (default 3). */
  points?: number;
  /** Random direction pairs per point in fast mode (default 3). */
  directions?: number;
  /** Re-sampling attempts per point before giving up (default 20). */
  maxAttempts?: number;
  /** Sizes of symbolic dimensions; the others get random sizes 2–5. */
  dims?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Only forms of this definition (name, or the differentiated expression's text)… */
  of?: string;
  /** …and/or with respect to this variable. Without matching forms, d(of)/d(wrt) is checked anyway. */
  wrt?: string;
  /** Only the claims and derivative forms that start on these lines (0-based, analysis coordinates). */
  lines?: readonly number[];
  /** Kink margin in steps (default 10): points closer than margin·step to a kink are re-sampled. */
  kinkMargin?: number;
  /** Largest tensor a check may build (default 10⁷ elements); larger ones are reported, not attempted. */
  maxElements?: number;
  /** Polled between finite differences; returning true aborts with CheckCancelled. */
  shouldStop?: () => boolean;
  /** Called after each result (progress). */
  onResult?: (result: CheckResult, done: number, total: number) => void;
}

/** Bad options (unknown names, bad sizes): the CLI's exit code 2. */
export class CheckUsageError extends Error {}
export class CheckCancelled extends Error {}

export interface CheckTarget {
  kind: 'claim' | 'derivative';
  info: DerivativeInfo;
  claim?: ClaimInfo;
  range: Range;
  /** Built from --of/--wrt, not written in the document. */
  synthesized?: boolean;
}

export type CheckStatus = 'pass' | 'fail' | 'inconclusive' | 'error';

export interface WorstElement {
  /** 1-based position in the derivative as shown in the active layout (its dims; [] for a scalar). */
  index: number[];
  /** The claim's (or, for a derivative form, the engine's) value. */
  analytic: number;
  /** Central finite differences. */
  numeric: number;
}

export interface CheckResult {
  kind: 'claim' | 'derivative';
  /** The differentiated expression (source text) and the variable. */
  of: string;
  wrt: string;
  form: DerivativeForm;
  /** The derivative form as written, e.g. `d(loss)/d(w)`. */
  text: string;
  /** The claim's formula (source text). */
  formula?: string;
  layout: Layout;
  passed: boolean;
  status: CheckStatus;
  maxAbsErr: number;
  /** max |a − n| / max(|n|, atol). */
  maxRelErr: number;
  worst: WorstElement | null;
  seed: number;
  /** 1-based line in the analysed text. */
  line: number;
  range: Range;
  mode: 'full' | 'fast';
  /** Sizes used for the symbolic dimensions. */
  sizes: Record<string, number>;
  /** Points compared. */
  points: number;
  resampled: { kink: number; domain: number };
  tolerance: { step: number; atol: number; rtol: number };
  /** Why a result is inconclusive, what failed, and other remarks. */
  note?: string;
  /** For claims: the engine's result checked the same way, and where the claim departs from it. */
  engine?: {
    text: string;
    passed: boolean;
    maxAbsErr: number;
    maxRelErr: number;
    differs?: { index: number[]; claim: number; engine: number };
  };
}

export interface CheckReport {
  passed: boolean;
  seed: number;
  results: CheckResult[];
}

// ---- targets ----------------------------------------------------------------------------------------------

function matchesOf(a: Analysis, info: DerivativeInfo, of: string): boolean {
  if (info.ofText.trim() === of) return true;
  const def = a.definition(of);
  return !!def?.node && def.node === info.of;
}

/** The claims and derivative forms to check (claims' own derivative forms are checked as claims). */
export function checkTargets(a: Analysis, options: Pick<CheckOptions, 'of' | 'wrt'> = {}): CheckTarget[] {
  const { of, wrt } = options;
  if (wrt !== undefined && !a.variable(wrt)) {
    throw new CheckUsageError(`There is no variable named '${wrt}'${a.variables.length ? ` (variables: ${a.variables.map((v) => v.name).join(', ')})` : ''}.`);
  }
  const claimed = new Set<DerivativeInfo>();
  const targets: CheckTarget[] = [];
  for (const c of a.claims) {
    if (!c.derivative) continue;
    claimed.add(c.derivative);
    targets.push({ kind: 'claim', info: c.derivative, claim: c, range: c.range });
  }
  for (const d of a.derivatives) if (!claimed.has(d)) targets.push({ kind: 'derivative', info: d, range: d.range });
  targets.sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
  const selected = targets.filter((t) => (of === undefined || matchesOf(a, t.info, of)) && (wrt === undefined || t.info.wrt.name === wrt));
  if (selected.length || (of === undefined && wrt === undefined)) return selected;
  // Nothing written matches: check d(of)/d(wrt) itself.
  if (of !== undefined && !a.definition(of)) {
    const known = a.definitions.map((d) => d.name);
    throw new CheckUsageError(`There is no definition named '${of}' and no derivative of it${known.length ? ` (definitions: ${known.join(', ')})` : ''}.`);
  }
  const ofNames = of !== undefined ? [of] : a.definitions.filter((d) => d.node && !d.derivative && d.node.vars.has(wrt!)).map((d) => d.name);
  const out: CheckTarget[] = [];
  for (const name of ofNames) {
    const def = a.definition(name)!;
    const wrts = wrt !== undefined ? [wrt] : a.variables.filter((v) => def.node?.vars.has(v.name)).map((v) => v.name);
    for (const w of wrts) {
      const info = derivativeOf(a, name, w);
      if (typeof info === 'string') throw new CheckUsageError(info);
      out.push({ kind: 'derivative', info, range: info.range, synthesized: true });
    }
  }
  return out;
}

// ---- helpers ----------------------------------------------------------------------------------------------

interface Resolved {
  eps: number;
  atol: number;
  rtol: number;
  hessianStep: number;
  hessianAtol: number;
  hessianRtol: number;
  fast: boolean;
  points: number;
  directions: number;
  maxAttempts: number;
  kinkMargin: number;
  maxElements: number;
  dims: Map<string, number>;
  seed: number;
  shouldStop?: () => boolean;
}

function resolveOptions(a: Analysis, o: CheckOptions): Resolved {
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

// ---- one target ---------------------------------------------------------------------------------------------

/** A point to try: the variables' values and the magnitude they were drawn at. */
interface Candidate {
  env: EvalEnv;
  scale: number;
}

/** Points where the claim departs from the engine's result that get finite differences. */
const DISAGREEMENT_POINTS = 2;
/** Dense derivatives larger than this are not compared symbolically during the search. */
const SEARCH_MAX_ELEMENTS = 1e5;

type PointOutcome =
  | { kind: 'ok'; primary: Comparison; engine?: Comparison; differs?: { index: number; claim: number; engine: number } }
  | { kind: 'kink'; distance: number }
  | { kind: 'domain'; why: string };

/**
 * Refuses (BudgetError) a check whose tensors or finite differences would exceed the budget, before anything
 * is allocated: the dense derivative (full mode), every tensor of f, the claim and the engine's result, and
 * the element-by-element finite differences (2 evaluations of f per element of x; 4 per pair for Hessians).
 */
function ensureAffordable(what: string, hessian: boolean, o: Resolved, dims: ReadonlyMap<string, number>, x: Variable, f: Node, roots: readonly Node[]): void {
  const at = dims.size ? ` at ${formatSizes(dims)}` : '';
  const limit = `(the limit is ${formatCount(o.maxElements)} per tensor)`;
  const xSize = elementCount(x.shape, dims);
  const dense = hessian ? xSize * xSize : elementCount(f.shape, dims) * xSize;
  if (!o.fast && dense > o.maxElements) throw new BudgetError(`${what} has ${formatCount(dense)} elements${at} ${limit}: use --fast or a smaller --dim`);
  const big = largestNode(roots, dims);
  if (big && big.elements > o.maxElements) {
    const name = big.node.op === 'var' ? String(big.node.attr) : `a part of ${what}`;
    throw new BudgetError(`${name} has ${formatCount(big.elements)} elements${at} ${limit}: use a smaller --dim`);
  }
  if (o.fast) return;
  const evaluations = hessian ? 2 * xSize * (xSize + 1) : 2 * xSize;
  const work = evaluations * totalElements([f], dims);
  if (work > WORK_PER_TENSOR * o.maxElements) {
    throw new BudgetError(`checking ${what} element by element takes ${formatCount(evaluations)} evaluations of f (${formatCount(work)} element operations)${at}: use --fast or a smaller --dim`);
  }
}

/** Element operations the finite differences of one point may take, per element of the tensor budget. */
const WORK_PER_TENSOR = 100;

/** Checks one claim or derivative form. */
export function checkTarget(a: Analysis, target: CheckTarget, options: CheckOptions = {}): CheckResult {
  return runTarget(a, target, resolveOptions(a, options));
}

function runTarget(a: Analysis, target: CheckTarget, o: Resolved): CheckResult {
  const layout = a.layout;
  const info = target.info;
  const x: Variable = info.wrt;
  const form = info.form;
  const hessian = form === 'hessian';
  const step = hessian ? o.hessianStep : o.eps;
  const atol = hessian ? o.hessianAtol : o.atol;
  const rtol = hessian ? o.hessianRtol : o.rtol;
  const rng = createRng(o.seed, `gradcheck|${target.kind}|${info.text}|${target.range.start.line}:${target.range.start.character}`);
  const dims = new Map<string, number>();
  for (const d of a.dims) dims.set(d.name, o.dims.get(d.name) ?? 2 + rng.int(4));
  const base: CheckResult = {
    kind: target.kind,
    of: info.ofText,
    wrt: x.name,
    form,
    text: info.text,
    ...(target.claim ? { formula: target.claim.formulaText } : {}),
    layout,
    passed: false,
    status: 'inconclusive',
    maxAbsErr: 0,
    maxRelErr: 0,
    worst: null,
    seed: o.seed,
    line: target.range.start.line + 1,
    range: target.range,
    mode: o.fast ? 'fast' : 'full',
    sizes: Object.fromEntries(dims),
    points: 0,
    resampled: { kink: 0, domain: 0 },
    tolerance: { step, atol, rtol },
  };
  try {
    return checkPoints(a, target, o, base, { x, form, step, atol, rtol, rng, dims, layout });
  } catch (e) {
    if (e instanceof CheckCancelled) throw e;
    if (e instanceof BudgetError) return { ...base, status: 'inconclusive', note: e.message };
    return { ...base, status: 'error', note: `could not check: ${(e as Error).message}` };
  }
}

interface Setup {
  x: Variable;
  form: DerivativeForm;
  step: number;
  atol: number;
  rtol: number;
  rng: Rng;
  dims: Map<string, number>;
  layout: Layout;
}

function checkPoints(a: Analysis, target: CheckTarget, o: Resolved, base: CheckResult, s: Setup): CheckResult {
  const { x, form, step, atol, rtol, rng, dims, layout } = s;
  const b = a.builder;
  const info = target.info;
  const hessian = form === 'hessian';
  const { f, result } = deriveResult(a, info, layout);
  const formula = target.claim?.formula ? lowerDerivatives(b, target.claim.formula, layout, (n) => a.variable(n)) : undefined;
  let engineText: string;
  try {
    engineText = formatResult(a, info, f, result).text;
  } catch (e) {
    engineText = `(the result could not be printed: ${(e as Error).message})`;
  }
  // Fast mode never builds the engine's dense Jacobian (it may be huge): the engine is checked through its
  // forward derivative, and compared with a claim only when its result is a matrix like the claim's.
  const denseEngine = !o.fast || (!!formula && result.kind === 'matrix');
  const kinkRoots = [f, ...(formula ? [formula] : []), ...(result.kind === 'matrix' && !o.fast ? [result.value] : [])];
  const pieceRoots = [f, ...(formula ? [formula] : []), ...(result.kind === 'matrix' && denseEngine ? [result.value] : [])];
  ensureAffordable(info.text, hessian, o, dims, x, f, pieceRoots);
  const fPlan = compile([f], dims);
  const xSize = elementCount(x.shape, dims);
  const fSize = hessian ? xSize : elementCount(f.shape, dims);
  const needed = new Set<string>([...f.vars, ...(formula?.vars ?? []), x.name]);
  const kinky = (n: Node) => !!opDef(n.op).kinkDistance && n.vars.has(x.name);
  const smooth = !topoOrder(kinkRoots).some(kinky);
  const fSmooth = !topoOrder([f]).some(kinky);
  // Fast mode: the engine's forward derivative df = J dx (for Hessians, of the gradient: H dx), compiled once.
  let jvpPlan: CompiledPlan | undefined;
  if (o.fast) {
    const df = jvp(b, hessian ? gradient(b, f, x) : f, x.name, b.tangent(x.name, x.shape));
    jvpPlan = df ? compile([df], dims) : undefined;
  }
  const stop = () => {
    if (o.shouldStop?.()) throw new CheckCancelled('The check was cancelled.');
  };

  /** f at the environment's values, by the compiled plan (copied). */
  const fAt = (env: EvalEnv): Float64Array => Float64Array.from(fPlan.run(env.vars)[0].data);

  const names = definitionNames(a);
  /** The point's verdict; at a magnified point (scale > 1) a disagreement of the engine means rounding, not a bug. */
  const evaluatePoint = (env: EvalEnv, scale: number): PointOutcome => {
    const r = comparePoint(env);
    if (r.kind === 'ok' && scale > 1 && (r.engine ?? r.primary).failing.length) return { kind: 'domain', why: `finite differences are not reliable at values of size ${scale}` };
    return r;
  };

  const comparePoint = (env: EvalEnv): PointOutcome => {
    const xData = Float64Array.from(env.vars.get(x.name)!.data);
    const envX = withVar(env, x.name, xData);
    // f itself (reference and compiled must agree), then kinks.
    let center: Map<Node, Float64Array>;
    let f0: Float64Array;
    try {
      const refValues = evaluateAll([f], envX);
      const singular = illConditioned(refValues);
      if (singular) return { kind: 'domain', why: `${toText(singular.matrix, { names })} is singular or ill-conditioned (condition number ${fmt(singular.condition)})` };
      const ref = refValues.get(f)!.data;
      if (!allFinite(ref)) return { kind: 'domain', why: `${info.ofText} is not finite` };
      f0 = fAt(envX);
      for (let i = 0; i < ref.length; i++) {
        if (!(Math.abs(ref[i] - f0[i]) <= 1e-9 * (1 + Math.abs(ref[i])))) throw new Error(`internal: the compiled evaluator gives ${f0[i]} for ${info.ofText} where the reference gives ${ref[i]}`);
      }
      center = fSmooth ? new Map() : kinkProfile([f], envX, x.name);
    } catch (e) {
      if (e instanceof EvalError) return { kind: 'domain', why: e.message };
      throw e;
    }
    let extraKinks = Infinity;
    if (!smooth && kinkRoots.length > 1) {
      try {
        extraKinks = minOf(kinkProfile(kinkRoots.slice(1), envX, x.name));
      } catch (e) {
        if (e instanceof EvalError) return { kind: 'domain', why: e.message };
        throw e;
      }
    }
    const nearest = Math.min(minOf(center), extraKinks);
    if (nearest < o.kinkMargin * step) return { kind: 'kink', distance: nearest };

    /** Does f's finite difference along ±delta cross a kink? */
    const crossesKink = (delta: Float64Array): boolean => {
      if (fSmooth) return false;
      const p = Float64Array.from(xData, (v, i) => v + delta[i]);
      const m = Float64Array.from(xData, (v, i) => v - delta[i]);
      return straddles(center, kinkProfile([f], withVar(envX, x.name, p), x.name), kinkProfile([f], withVar(envX, x.name, m), x.name), 0.01 * atol * step);
    };

    // Symbolic values (canonical G[f][x]).
    let engineG: Float64Array | undefined;
    let claimG: Float64Array | undefined;
    try {
      if (denseEngine) engineG = evaluateDerivative(result, f, x, form, layout, envX).data;
      if (formula) claimG = evaluateDerivative({ kind: 'matrix', value: formula }, f, x, form, layout, envX).data;
    } catch (e) {
      if (e instanceof EvalError) return { kind: 'domain', why: e.message };
      throw e;
    }
    if ((engineG && !allFinite(engineG)) || (claimG && !allFinite(claimG))) return { kind: 'domain', why: 'the derivative is not finite' };

    const restore = () => xData.set(env.vars.get(x.name)!.data);
    if (!o.fast) {
      // Full Jacobian (or Hessian) by central differences.
      const fd = new Float64Array(fSize * xSize);
      if (!hessian) {
        for (let j = 0; j < xSize; j++) {
          stop();
          const x0 = xData[j];
          xData[j] = x0 + step;
          const fp = fAt(envX);
          xData[j] = x0 - step;
          const fm = fAt(envX);
          xData[j] = x0;
          if (!allFinite(fp) || !allFinite(fm)) return { kind: 'domain', why: `${info.ofText} is not finite near the point` };
          for (let i = 0; i < fSize; i++) fd[i * xSize + j] = (fp[i] - fm[i]) / (2 * step);
        }
      } else {
        const at = (i: number, si: number, j: number, sj: number) => {
          xData[i] += si * step;
          xData[j] += sj * step;
          const v = fAt(envX)[0];
          restore();
          return v;
        };
        for (let i = 0; i < xSize; i++) {
          stop();
          for (let j = i; j < xSize; j++) {
            const h = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * step * step);
            fd[i * xSize + j] = h;
            fd[j * xSize + i] = h;
          }
        }
        if (!allFinite(fd)) return { kind: 'domain', why: `${info.ofText} is not finite near the point` };
      }
      restore();
      const primary = compare(claimG ?? engineG!, fd, atol, rtol);
      if (primary.failing.length) {
        // A failing element whose finite difference straddles a kink is the point's fault, not the formula's.
        const deltas: Float64Array[] = [];
        for (const k of primary.failing.slice(0, 32)) {
          const j = k % xSize;
          if (!hessian) {
            const d = new Float64Array(xSize);
            d[j] = step;
            deltas.push(d);
          } else {
            const i = Math.floor(k / xSize);
            const sum = new Float64Array(xSize);
            const diff = new Float64Array(xSize);
            sum[i] += step;
            sum[j] += step;
            diff[i] += step;
            diff[j] -= step;
            deltas.push(sum, diff);
          }
        }
        if (deltas.some(crossesKink)) return { kind: 'kink', distance: nearest };
      }
      const out: PointOutcome = { kind: 'ok', primary };
      if (claimG) {
        out.engine = compare(engineG!, fd, atol, rtol);
        out.differs = firstDifference(claimG, engineG!);
      }
      return out;
    }

    // Fast mode: directional derivatives. Along a unit u each element moves by about step/√n, so the step
    // along u is step·√n: every element moves by about `step`, as in full mode, and the difference of f
    // stays well above f's rounding (at n = 200,000 a plain step would leave 1% of noise).
    const directionalStep = step * Math.sqrt(xSize);
    const analyticClaim: number[] = [];
    const analyticEngine: number[] = [];
    const numeric: number[] = [];
    const deltas: Float64Array[] = [];
    for (let k = 0; k < o.directions; k++) {
      stop();
      const u = unitVector(xSize, rng);
      const v = unitVector(fSize, rng);
      const bilinear = (G: Float64Array) => {
        let s = 0;
        for (let i = 0; i < fSize; i++) {
          let row = 0;
          for (let j = 0; j < xSize; j++) row += G[i * xSize + j] * u[j];
          s += v[i] * row;
        }
        return s;
      };
      let num: number;
      if (!hessian) {
        for (let j = 0; j < xSize; j++) xData[j] += directionalStep * u[j];
        const fp = fAt(envX);
        restore();
        for (let j = 0; j < xSize; j++) xData[j] -= directionalStep * u[j];
        const fm = fAt(envX);
        restore();
        if (!allFinite(fp) || !allFinite(fm)) return { kind: 'domain', why: `${info.ofText} is not finite near the point` };
        num = 0;
        for (let i = 0; i < fSize; i++) num += (v[i] * (fp[i] - fm[i])) / (2 * directionalStep);
        deltas.push(u.map((t) => t * directionalStep));
      } else {
        const at = (su: number, sv: number) => {
          for (let j = 0; j < xSize; j++) xData[j] += step * (su * u[j] + sv * v[j]);
          const r = fAt(envX)[0];
          restore();
          return r;
        };
        num = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * step * step);
        if (!Number.isFinite(num)) return { kind: 'domain', why: `${info.ofText} is not finite near the point` };
        deltas.push(Float64Array.from(u, (t, j) => step * (t + v[j])), Float64Array.from(u, (t, j) => step * (t - v[j])));
      }
      numeric.push(num);
      // The engine: vᵀ(J u) from its forward derivative (H u for Hessians), never a dense Jacobian.
      let eng = 0;
      if (jvpPlan) {
        const vars = new Map(envX.vars);
        vars.set(tangentKey(x.name), { rows: 1, cols: xSize, data: u });
        const df = jvpPlan.run(vars)[0].data;
        if (!allFinite(df)) return { kind: 'domain', why: 'the derivative is not finite' };
        for (let i = 0; i < fSize; i++) eng += v[i] * df[i];
      }
      analyticEngine.push(eng);
      if (claimG) analyticClaim.push(bilinear(claimG));
    }
    const arr = (xs: number[]) => Float64Array.from(xs);
    const primary = compare(arr(claimG ? analyticClaim : analyticEngine), arr(numeric), atol, rtol);
    if (primary.failing.length && deltas.some(crossesKink)) return { kind: 'kink', distance: nearest };
    const out: PointOutcome = { kind: 'ok', primary };
    if (claimG) {
      out.engine = compare(arr(analyticEngine), arr(numeric), atol, rtol);
      if (engineG) out.differs = firstDifference(claimG, engineG);
    }
    return out;
  };

  /** The first element (canonical order) where the claim and the engine's result disagree. */
  function firstDifference(claimG: Float64Array, engineG: Float64Array): { index: number; claim: number; engine: number } | undefined {
    for (let k = 0; k < claimG.length; k++) {
      if (!(Math.abs(claimG[k] - engineG[k]) <= atol + rtol * Math.abs(engineG[k]))) return { index: k, claim: claimG[k], engine: engineG[k] };
    }
    return undefined;
  }

  // ---- points --------------------------------------------------------------------------------------------
  // First `o.points` random points. Then, for a claim, points where the claim and the engine's result differ
  // (the finite differences decide which is right), and points that take every piece of f, the claim and the
  // engine's result to each side it can reach: a claim that forgot 1[z > 0], or added a 1[x > 3] that the
  // first points never met, must fail (or be reported not checked), never pass on the pieces it happens to get.
  const pieces = new Pieces(pieceRoots);
  const res: CheckResult = { ...base };
  let worstRatio = -1;
  let engineAgg: { passed: boolean; maxAbs: number; maxRel: number } | undefined;
  let differs: { index: number[]; claim: number; engine: number } | undefined;
  let failed = false;
  let fatal: string | undefined;
  let lastKink = Infinity;
  let lastDomain = '';

  const sidesAt = (env: EvalEnv): Map<Node, number> | undefined => {
    if (!pieces.nodes.length) return new Map();
    try {
      return pieces.sidesAt(evaluateAll(pieceRoots, env));
    } catch (e) {
      if (e instanceof EvalError) return undefined;
      throw e;
    }
  };
  const accept = (outcome: Extract<PointOutcome, { kind: 'ok' }>, env: EvalEnv) => {
    res.points++;
    const sides = sidesAt(env);
    if (sides) pieces.record(sides);
    const c = outcome.primary;
    res.maxAbsErr = Math.max(res.maxAbsErr, c.maxAbs);
    res.maxRelErr = Math.max(res.maxRelErr, c.maxRel);
    if (c.worstRatio > worstRatio) {
      worstRatio = c.worstRatio;
      res.worst = o.fast
        ? { index: [], analytic: c.analytic, numeric: c.numeric }
        : { index: canonicalToLayout(c.worstIndex), analytic: c.analytic, numeric: c.numeric };
    }
    if (c.failing.length) failed = true;
    if (outcome.engine) {
      const e = outcome.engine;
      engineAgg = {
        passed: (engineAgg?.passed ?? true) && e.failing.length === 0,
        maxAbs: Math.max(engineAgg?.maxAbs ?? 0, e.maxAbs),
        maxRel: Math.max(engineAgg?.maxRel ?? 0, e.maxRel),
      };
    }
    if (outcome.differs && !differs) differs = { index: canonicalToLayout(outcome.differs.index), claim: outcome.differs.claim, engine: outcome.differs.engine };
  };
  /** Tries candidates until one is a usable point (at most `maxAttempts`); false when none was. */
  const takePoint = (candidate: (attempt: number) => Candidate | undefined): boolean => {
    for (let attempt = 0; attempt < o.maxAttempts; attempt++) {
      stop();
      const c = candidate(attempt);
      if (!c) return false;
      const r = evaluatePoint(c.env, c.scale);
      if (r.kind === 'ok') {
        accept(r, c.env);
        return true;
      }
      if (r.kind === 'kink') {
        res.resampled = { ...res.resampled, kink: res.resampled.kink + 1 };
        lastKink = Math.min(lastKink, r.distance);
      } else {
        res.resampled = { ...res.resampled, domain: res.resampled.domain + 1 };
        lastDomain = r.why;
      }
    }
    return false;
  };

  for (let p = 0; p < o.points && !failed; p++) {
    if (!takePoint((attempt) => ({ env: sampleEnv(a, needed, dims, rng, attempt % 2 === 1), scale: 1 }))) {
      const kinks = res.resampled.kink;
      const domains = res.resampled.domain;
      fatal =
        kinks >= domains
          ? `could not find a point away from kinks in ${o.maxAttempts} attempts (closest ${fmt(lastKink)}; margin ${fmt(o.kinkMargin * step)})`
          : `could not find a point where ${info.ofText} and its derivative are defined in ${o.maxAttempts} attempts (${lastDomain})`;
      break;
    }
  }

  // ---- the search: candidates at growing magnitudes, judged by cheap symbolic evaluation only
  const compareSymbolic = !!formula && denseEngine && fSize * xSize <= SEARCH_MAX_ELEMENTS;
  let searched = 0;
  if (!failed && !fatal && (compareSymbolic || pieces.missing().length)) {
    const disagreeing: Candidate[] = [];
    const covering: Array<Candidate & { sides: Map<Node, number> }> = [];
    // Each candidate evaluates f, the claim and the result (three times for the symbolic comparison).
    const perScale = searchPointsPerScale((compareSymbolic ? 3 : 1) * totalElements(pieceRoots, dims));
    for (let k = 0; k < SEARCH_SCALES.length * perScale; k++) {
      stop();
      const scale = SEARCH_SCALES[Math.floor(k / perScale)];
      const env = sampleEnv(a, needed, dims, rng, k % 2 === 1, scale);
      const sides = sidesAt(env);
      if (!sides) continue;
      covering.push({ env, scale, sides });
      if (compareSymbolic && symbolicDifference(env)) disagreeing.push({ env, scale });
    }
    searched = covering.length;
    // Points where the claim departs from the engine's result: finite differences say which one is right.
    let next = 0;
    for (let tries = 0; tries < DISAGREEMENT_POINTS && next < disagreeing.length && !failed; tries++) takePoint(() => disagreeing[next++]);
    // Points that take a piece to a side not seen yet.
    while (!failed && pieces.missing().length) {
      const useful = covering.filter((c) => pieces.wouldCover(c.sides));
      if (!useful.length) break;
      let i = 0;
      const took = takePoint(() => useful[i++]);
      for (const c of useful.slice(0, i)) covering.splice(covering.indexOf(c), 1);
      if (!took && i >= useful.length) break;
    }
  }

  /** Does the claim's value differ from the engine's result at this point (no finite differences)? */
  function symbolicDifference(env: EvalEnv): boolean {
    try {
      const claimG = evaluateDerivative({ kind: 'matrix', value: formula! }, f, x, form, layout, env).data;
      const engineG = evaluateDerivative(result, f, x, form, layout, env).data;
      return allFinite(claimG) && allFinite(engineG) && firstDifference(claimG, engineG) !== undefined;
    } catch (e) {
      if (e instanceof EvalError) return false;
      throw e;
    }
  }

  function canonicalToLayout(k: number): number[] {
    return layoutIndex(form, f.shape, x.shape, layout, Math.floor(k / xSize), k % xSize, dims);
  }

  if (target.claim) {
    res.engine = {
      text: engineText,
      passed: engineAgg?.passed ?? false,
      maxAbsErr: engineAgg?.maxAbs ?? 0,
      maxRelErr: engineAgg?.maxRel ?? 0,
      ...(differs ? { differs } : {}),
    };
  }
  const missing = pieces.missing();
  if (!failed && !fatal && missing.length) {
    const conditions = [...new Set(missing.map((n) => pieces.missingCondition(n, names)))];
    const shown = conditions.slice(0, 3).join(', ') + (conditions.length > 3 ? ` and ${conditions.length - 3} more` : '');
    const plural = conditions.length > 1;
    const hint = a.dims.length ? ': try other sizes with --dim' : '';
    fatal = `the piece${plural ? 's' : ''} ${shown} ${plural ? 'were' : 'was'} never reached (${res.points} points checked, ${searched} more tried with values up to ±${SEARCH_SCALES[SEARCH_SCALES.length - 1]})${hint}`;
  }
  if (fatal && !failed) {
    res.status = 'inconclusive';
    res.passed = false;
    res.note = fatal;
    return res;
  }
  res.status = failed ? 'fail' : 'pass';
  res.passed = !failed;
  if (failed) {
    const notes: string[] = [];
    if (target.claim) {
      if (differs) {
        notes.push(`the claim differs from mcalc's result at [${differs.index.join(', ')}]: claimed ${fmt(differs.claim)}, mcalc ${fmt(differs.engine)}`);
      }
      notes.push(`mcalc's result: ${engineText}`);
      if (engineAgg && !engineAgg.passed) notes.push(`mcalc's own result disagrees with finite differences too (max abs err ${fmt(engineAgg.maxAbs)}): please report this`);
    } else {
      notes.push(`the symbolic derivative disagrees with finite differences: please report this (result: ${engineText})`);
    }
    res.note = notes.join('; ');
  } else if (res.resampled.kink + res.resampled.domain > 0) {
    res.note = `re-sampled ${res.resampled.kink ? `${res.resampled.kink}× near a kink` : ''}${res.resampled.kink && res.resampled.domain ? ', ' : ''}${res.resampled.domain ? `${res.resampled.domain}× outside the domain` : ''}`;
  }
  return res;
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

export { fmt as formatNumber, layoutIndex };
