// One target prepared for checking, and its verdict at one point: f itself (reference and compiled must
// agree), kinks and domain problems (which re-sample the point), the symbolic values of the claim and the
// engine's result, and their comparison with finite differences — the whole Jacobian (or Hessian) element by
// element, or in fast mode bilinear forms vᵀJu (vᵀHu) along random directions.

import type { Analysis } from '../../analyze.ts';
import { definitionNames, deriveResult, formatResult } from '../../diff/derivation.ts';
import { type DerivativeResult, type Variable, gradient, jvp, lowerDerivatives } from '../../diff/engine.ts';
import { type Node, topoOrder } from '../../ir.ts';
import { tangentKey } from '../../ops/leaves.ts';
import { opDef } from '../../ops/registry.ts';
import type { DerivativeForm } from '../../ops/structure.ts';
import type { Layout } from '../../shape.ts';
import { toText } from '../../print.ts';
import { elementCount, ensureCheckAffordable } from '../budget.ts';
import { type CompiledPlan, compile } from '../compile.ts';
import { conditionLimit, illConditioned } from '../conditioning.ts';
import { evaluateDerivative } from '../derivative.ts';
import { evaluateAll } from '../evaluate.ts';
import { type Comparison, allFinite, compare, fmt, kinkProfile, minOf, straddles, unitVector, withVar } from '../pointwise.ts';
import type { Rng } from '../random.ts';
import { type EvalEnv, EvalError } from '../tensor.ts';
import { type ColumnDifferences, linearDifferences } from '../linearDifferences.ts';
import { centralHessian, centralJacobian, directionalDerivative, directionalSecond, displacementsOf } from './finiteDifferences.ts';
import { CheckCancelled, type CheckTarget, type ResolvedOptions } from './types.ts';

/** Where the claim and the engine's result first disagree (canonical index). */
export interface Difference {
  index: number;
  claim: number;
  engine: number;
}

export type PointOutcome =
  | { kind: 'ok'; primary: Comparison; engine?: Comparison; differs?: Difference }
  | { kind: 'kink'; distance: number }
  | { kind: 'domain'; why: string };

/** The step, tolerances, random stream and sizes of one target's check. */
export interface Setup {
  x: Variable;
  form: DerivativeForm;
  step: number;
  atol: number;
  rtol: number;
  rng: Rng;
  dims: Map<string, number>;
  layout: Layout;
}

/** Everything about one target that stays the same from point to point. */
export interface Prepared extends Setup {
  a: Analysis;
  target: CheckTarget;
  o: ResolvedOptions;
  hessian: boolean;
  f: Node;
  result: DerivativeResult;
  /** The claim's formula with its derivative forms lowered; absent for a derivative form. */
  formula?: Node;
  engineText: string;
  /** Whether the engine's result is evaluated densely (always in full mode; in fast mode only beside a matrix claim). */
  denseEngine: boolean;
  kinkRoots: Node[];
  /** The formulas whose pieces (indicator and kink sides) must all be exercised. */
  pieceRoots: Node[];
  fPlan: CompiledPlan;
  /** Inverted matrices with a larger condition number make the point a domain problem (conditioning.ts). */
  maxCondition: number;
  xSize: number;
  /** Rows of the canonical derivative: f's elements (for a Hessian, x's). */
  fSize: number;
  needed: Set<string>;
  smooth: boolean;
  fSmooth: boolean;
  /** Fast mode: the engine's forward derivative df = J dx (for Hessians H dx). */
  jvpPlan?: CompiledPlan;
  /** Full mode, f = c·Σφ(X x, …): every column's central difference in one pass (linearDifferences.ts). */
  columns?: ColumnDifferences;
  names: ReturnType<typeof definitionNames>;
}

export function prepare(a: Analysis, target: CheckTarget, o: ResolvedOptions, s: Setup): Prepared {
  const b = a.builder;
  const info = target.info;
  const hessian = s.form === 'hessian';
  const { f, result } = deriveResult(a, info, s.layout);
  const formula = target.claim?.formula ? lowerDerivatives(b, target.claim.formula, s.layout, (n) => a.variable(n)) : undefined;
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
  ensureCheckAffordable(info.text, hessian, o, s.dims, s.x, f, pieceRoots);
  const xSize = elementCount(s.x.shape, s.dims);
  const kinky = (n: Node) => !!opDef(n.op).kinkDistance && n.vars.has(s.x.name);
  let jvpPlan: CompiledPlan | undefined;
  if (o.fast) {
    const df = jvp(b, hessian ? gradient(b, f, s.x) : f, s.x.name, b.tangent(s.x.name, s.x.shape));
    jvpPlan = df ? compile([df], s.dims) : undefined;
  }
  const columns = !hessian && !o.fast ? linearDifferences(b, f, s.x, s.dims) : null;
  return {
    ...s,
    a,
    target,
    o,
    hessian,
    f,
    result,
    ...(formula ? { formula } : {}),
    engineText,
    denseEngine,
    kinkRoots,
    pieceRoots,
    fPlan: compile([f], s.dims),
    maxCondition: conditionLimit(s.step, s.rtol, hessian ? 2 : 1),
    xSize,
    fSize: hessian ? xSize : elementCount(f.shape, s.dims),
    needed: new Set<string>([...f.vars, ...(formula?.vars ?? []), s.x.name]),
    smooth: !topoOrder(kinkRoots).some(kinky),
    fSmooth: !topoOrder([f]).some(kinky),
    ...(jvpPlan ? { jvpPlan } : {}),
    ...(columns ? { columns } : {}),
    names: definitionNames(a),
  };
}

/** Throws CheckCancelled when the caller asked to stop. */
export function pollStop(p: Prepared): void {
  if (p.o.shouldStop?.()) throw new CheckCancelled('The check was cancelled.');
}

/** f at the environment's values, by the compiled plan (copied: the plan reuses its buffers). */
function fAt(p: Prepared, env: EvalEnv): Float64Array {
  return Float64Array.from(p.fPlan.run(env.vars)[0].data);
}

/** Runs `body`, turning an evaluation error (log of a negative, …) into a domain outcome. */
function inDomain<T>(body: () => T): T | { kind: 'domain'; why: string } {
  try {
    return body();
  } catch (e) {
    if (e instanceof EvalError) return { kind: 'domain', why: e.message };
    throw e;
  }
}

const isDomain = (v: unknown): v is { kind: 'domain'; why: string } => typeof v === 'object' && v !== null && (v as { kind?: string }).kind === 'domain';

/** The point's verdict; at a magnified point (scale > 1) a disagreement of the engine means rounding, not a bug. */
export function evaluatePoint(p: Prepared, env: EvalEnv, scale: number): PointOutcome {
  const r = comparePoint(p, env);
  if (r.kind === 'ok' && scale > 1 && (r.engine ?? r.primary).failing.length) return { kind: 'domain', why: `finite differences are not reliable at values of size ${scale}` };
  return r;
}

/** What the comparisons at one point share: x's moving values and the kink profile of f at the centre. */
interface Centre {
  xData: Float64Array;
  envX: EvalEnv;
  /** f's kink profile at the centre. */
  kinks: Map<Node, Float64Array>;
  nearest: number;
  engineG?: Float64Array;
  claimG?: Float64Array;
}

function comparePoint(p: Prepared, env: EvalEnv): PointOutcome {
  const xData = Float64Array.from(env.vars.get(p.x.name)!.data);
  const envX = withVar(env, p.x.name, xData);
  const kinks = inDomain(() => centreOf(p, envX));
  if (isDomain(kinks)) return kinks;
  const extraKinks = inDomain(() => (!p.smooth && p.kinkRoots.length > 1 ? minOf(kinkProfile(p.kinkRoots.slice(1), envX, p.x.name)) : Infinity));
  if (isDomain(extraKinks)) return extraKinks;
  const margin = p.o.kinkMargin * p.step;
  let nearest = Math.min(minOf(kinks), extraKinks);
  if (nearest < margin) {
    const moving = inDomain(() => nearestMovingKink(p, envX, xData, margin));
    if (isDomain(moving)) return moving;
    if ((nearest = moving) < margin) return { kind: 'kink', distance: nearest };
  }
  // Symbolic values (canonical G[f][x]).
  const symbolic = inDomain(() => ({
    engineG: p.denseEngine ? evaluateDerivative(p.result, p.f, p.x, p.form, p.layout, envX).data : undefined,
    claimG: p.formula ? evaluateDerivative({ kind: 'matrix', value: p.formula }, p.f, p.x, p.form, p.layout, envX).data : undefined,
  }));
  if (isDomain(symbolic)) return symbolic;
  const { engineG, claimG } = symbolic;
  if ((engineG && !allFinite(engineG)) || (claimG && !allFinite(claimG))) return { kind: 'domain', why: 'the derivative is not finite' };
  const c: Centre = { xData, envX, kinks, nearest, ...(engineG ? { engineG } : {}), ...(claimG ? { claimG } : {}) };
  return p.o.fast ? compareFast(p, c) : compareFull(p, c);
}

/**
 * The distance to the nearest kink that can move: a kink argument within `margin` of its kink at the centre
 * counts only if it changes along one of two random directions of x, `margin` long. One that keeps exactly its
 * value — the `a > 0` of a claim where a = max(0, z) and z < 0: a is 0 all around — cannot change side, so it
 * spoils no difference and the claim's value there is the one of the side it is on: no reason to re-sample
 * (re-sampling every such point left that side of the piece never reached).
 */
function nearestMovingKink(p: Prepared, envX: EvalEnv, xData: Float64Array, margin: number): number {
  const centre = kinkProfile(p.kinkRoots, envX, p.x.name);
  const around: Map<Node, Float64Array>[] = [];
  for (let k = 0; k < 2; k++) {
    const u = unitVector(xData.length, p.rng);
    for (const sign of [1, -1]) {
      const moved = Float64Array.from(xData, (v, i) => v + sign * margin * u[i]);
      around.push(kinkProfile(p.kinkRoots, withVar(envX, p.x.name, moved), p.x.name));
    }
  }
  let nearest = Infinity;
  for (const [node, d0] of centre) {
    for (let i = 0; i < d0.length; i++) {
      const stuck = d0[i] < margin && around.every((m) => m.get(node)![i] === d0[i]);
      if (!stuck) nearest = Math.min(nearest, d0[i]);
    }
  }
  return nearest;
}

/**
 * f at the centre, checked: no ill-conditioned inverse, finite, compiled equal to reference. Returns f's kink
 * profile (empty when f is smooth).
 */
function centreOf(p: Prepared, envX: EvalEnv): Map<Node, Float64Array> | { kind: 'domain'; why: string } {
  const refValues = evaluateAll([p.f], envX);
  const singular = illConditioned(refValues, p.maxCondition);
  if (singular) {
    const what = toText(singular.matrix, { names: p.names });
    return { kind: 'domain', why: `${what} is singular or ill-conditioned (condition number ${fmt(singular.condition)}; finite differences with step ${fmt(p.step)} need at most ${fmt(p.maxCondition)})` };
  }
  const ref = refValues.get(p.f)!.data;
  if (!allFinite(ref)) return { kind: 'domain', why: `${p.target.info.ofText} is not finite` };
  const f0 = fAt(p, envX);
  for (let i = 0; i < ref.length; i++) {
    if (!(Math.abs(ref[i] - f0[i]) <= 1e-9 * (1 + Math.abs(ref[i])))) throw new Error(`internal: the compiled evaluator gives ${f0[i]} for ${p.target.info.ofText} where the reference gives ${ref[i]}`);
  }
  return p.fSmooth ? new Map() : kinkProfile([p.f], envX, p.x.name);
}

/** Does f's finite difference along ±delta cross a kink? */
function crossesKink(p: Prepared, c: Centre, delta: Float64Array): boolean {
  if (p.fSmooth) return false;
  const plus = Float64Array.from(c.xData, (v, i) => v + delta[i]);
  const minus = Float64Array.from(c.xData, (v, i) => v - delta[i]);
  const profile = (data: Float64Array) => kinkProfile([p.f], withVar(c.envX, p.x.name, data), p.x.name);
  return straddles(c.kinks, profile(plus), profile(minus), 0.01 * p.atol * p.step);
}

const notFinite = (p: Prepared): PointOutcome => ({ kind: 'domain', why: `${p.target.info.ofText} is not finite near the point` });

/** The whole Jacobian (or Hessian) by central differences, element by element. */
function compareFull(p: Prepared, c: Centre): PointOutcome {
  const values = () => fAt(p, c.envX);
  const poll = () => pollStop(p);
  const fd = p.hessian ? centralHessian(c.xData, values, p.step, poll) : p.columns ? p.columns(c.envX, p.step, poll) : centralJacobian(c.xData, values, p.fSize, p.step, poll);
  if (!allFinite(fd)) return notFinite(p);
  const primary = c.claimG ? compare(c.claimG, fd, p.atol, p.rtol, c.engineG) : compare(c.engineG!, fd, p.atol, p.rtol);
  // A failing element whose finite difference straddles a kink is the point's fault, not the formula's.
  if (primary.failing.length) {
    const deltas = primary.failing.slice(0, 32).flatMap((k) => displacementsOf(k, p.xSize, p.step, p.hessian));
    if (deltas.some((d) => crossesKink(p, c, d))) return { kind: 'kink', distance: c.nearest };
  }
  const out: PointOutcome = { kind: 'ok', primary };
  if (c.claimG) {
    out.engine = compare(c.engineG!, fd, p.atol, p.rtol);
    const differs = firstDifference(p, c.claimG, c.engineG!);
    if (differs) out.differs = differs;
  }
  const engine = out.engine ?? primary;
  const unresolved = engine.failing.length ? roundingExplains(p, c, c.engineG!, fd, engine.failing) : undefined;
  return unresolved ? { kind: 'domain', why: unresolved } : out;
}

/** How many units in the last place of f's largest value an evaluation of f may be off by. */
const F_ROUNDING_ULPS = 64;

/**
 * Why finite differences cannot tell the engine's failing elements from rounding, if they cannot: each differs
 * from its difference by less than what rounding f moves a difference by — f's largest value times a few dozen
 * units in the last place, over the step (over its square for second differences). f of size 10¹² moves
 * differences with step 10⁻⁶ by about 0.2: the exact result (1 + A ⊗ A) .^ B of the linear f = ((1 + A ⊗ A) .^ B) * x
 * failed so, with "please report this". The point is then re-sampled, as one outside the domain: such a point
 * shows nothing either way.
 */
function roundingExplains(p: Prepared, c: Centre, engineG: Float64Array, fd: Float64Array, failing: readonly number[]): string | undefined {
  let size = 0;
  for (const v of fAt(p, c.envX)) size = Math.max(size, Math.abs(v));
  const rounding = (F_ROUNDING_ULPS * Number.EPSILON * size) / (p.hessian ? p.step * p.step : p.step);
  if (!failing.every((i) => Math.abs(engineG[i] - fd[i]) <= rounding)) return undefined;
  return `finite differences cannot resolve the derivative here: ${p.target.info.ofText} reaches ${fmt(size)}, and rounding it moves a difference by up to ${fmt(rounding)}`;
}

/** vᵀGu for a dense canonical G. */
function bilinear(G: Float64Array, v: Float64Array, u: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    let row = 0;
    for (let j = 0; j < u.length; j++) row += G[i * u.length + j] * u[j];
    s += v[i] * row;
  }
  return s;
}

/** The engine's vᵀ(J u) from its forward derivative (H u for Hessians), never a dense Jacobian. */
function engineDirectional(p: Prepared, c: Centre, u: Float64Array, v: Float64Array): number | undefined {
  if (!p.jvpPlan) return 0;
  const vars = new Map(c.envX.vars);
  vars.set(tangentKey(p.x.name), { rows: 1, cols: p.xSize, data: u });
  const df = p.jvpPlan.run(vars)[0].data;
  if (!allFinite(df)) return undefined;
  let s = 0;
  for (let i = 0; i < p.fSize; i++) s += v[i] * df[i];
  return s;
}

/**
 * Fast mode: directional derivatives. Along a unit u each element moves by about step/√n, so the step along u
 * is step·√n: every element moves by about `step`, as in full mode, and the difference of f stays well above
 * f's rounding (at n = 200,000 a plain step would leave 1% of noise).
 */
function compareFast(p: Prepared, c: Centre): PointOutcome {
  const values = () => fAt(p, c.envX);
  const directionalStep = p.step * Math.sqrt(p.xSize);
  const analyticClaim: number[] = [];
  const analyticEngine: number[] = [];
  const numeric: number[] = [];
  const deltas: Float64Array[] = [];
  for (let k = 0; k < p.o.directions; k++) {
    pollStop(p);
    const u = unitVector(p.xSize, p.rng);
    const v = unitVector(p.fSize, p.rng);
    const num = p.hessian ? directionalSecond(c.xData, values, u, v, p.step) : directionalDerivative(c.xData, values, u, v, directionalStep);
    if (!Number.isFinite(num)) return notFinite(p);
    if (p.hessian) deltas.push(Float64Array.from(u, (t, j) => p.step * (t + v[j])), Float64Array.from(u, (t, j) => p.step * (t - v[j])));
    else deltas.push(u.map((t) => t * directionalStep));
    numeric.push(num);
    const eng = engineDirectional(p, c, u, v);
    if (eng === undefined) return { kind: 'domain', why: 'the derivative is not finite' };
    analyticEngine.push(eng);
    if (c.claimG) analyticClaim.push(bilinear(c.claimG, v, u));
  }
  const arr = (xs: number[]) => Float64Array.from(xs);
  const primary = c.claimG ? compare(arr(analyticClaim), arr(numeric), p.atol, p.rtol, arr(analyticEngine)) : compare(arr(analyticEngine), arr(numeric), p.atol, p.rtol);
  if (primary.failing.length && deltas.some((d) => crossesKink(p, c, d))) return { kind: 'kink', distance: c.nearest };
  const out: PointOutcome = { kind: 'ok', primary };
  if (c.claimG) {
    out.engine = compare(arr(analyticEngine), arr(numeric), p.atol, p.rtol);
    const differs = c.engineG && firstDifference(p, c.claimG, c.engineG);
    if (differs) out.differs = differs;
  }
  return out;
}

/** The first element (canonical order) where the claim and the engine's result disagree. */
function firstDifference(p: Prepared, claimG: Float64Array, engineG: Float64Array): Difference | undefined {
  // Beyond rounding (as in `compare`): tolerances meant for finite differences would hide a claim whose
  // elements are all smaller than atol.
  let scale = 0;
  for (let k = 0; k < engineG.length; k++) scale = Math.max(scale, Math.abs(engineG[k]));
  const rounding = 1e-6 * scale + 1e-4 * p.atol;
  for (let k = 0; k < claimG.length; k++) {
    if (!(Math.abs(claimG[k] - engineG[k]) <= rounding)) return { index: k, claim: claimG[k], engine: engineG[k] };
  }
  return undefined;
}

/** Does the claim's value differ from the engine's result at this point (no finite differences)? */
export function symbolicDifference(p: Prepared, env: EvalEnv): boolean {
  try {
    const claimG = evaluateDerivative({ kind: 'matrix', value: p.formula! }, p.f, p.x, p.form, p.layout, env).data;
    const engineG = evaluateDerivative(p.result, p.f, p.x, p.form, p.layout, env).data;
    return allFinite(claimG) && allFinite(engineG) && firstDifference(p, claimG, engineG) !== undefined;
  } catch (e) {
    if (e instanceof EvalError) return false;
    throw e;
  }
}
