// The building blocks of a gradient check at one point: random values for the variables, distances to
// kinks and whether a finite difference straddles one, the element-wise comparison with gradcheck's
// tolerances, and the position of an element in the active layout.

import type { Analysis } from '../analyze.ts';
import { type Node } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import type { DerivativeForm } from '../ops/structure.ts';
import { type Layout, type Shape, dimsOf } from '../shape.ts';
import { evaluateAll } from './evaluate.ts';
import type { Rng } from './random.ts';
import { type EvalEnv, type Tensor, resolveDim, shapeDims } from './tensor.ts';

/** How a point's values are drawn (see sampleEnv). */
export interface Draw {
  /** Signed values in (−scale, scale), or values of one sign in ±scale·(0.5, 1.5) (a whole vector below 0 at once). */
  values: 'signed' | 'positive' | 'negative';
  /** Square matrices shifted to be strictly diagonally dominant (invertible, well conditioned, det > 0). */
  dominant: boolean;
  /** Each variable's own magnitude: `scale` times 0.1, 1 or 10, drawn per variable (else all at `scale`). */
  spread?: boolean;
}

/** The magnitudes a spread draw multiplies a variable's scale by. */
const SPREAD = [0.1, 1, 10];

/**
 * Random values for the variables in `needed`: signed in (−scale, scale), or of one sign in scale·(0.5, 1.5); square
 * matrices diagonally dominant or not; all at one magnitude or each at its own. A check draws every kind:
 * dominant matrices keep inverses well conditioned, but their diagonal never changes sign and their exponential
 * is nearly diagonal; signed vectors are almost never below 0 everywhere at once; and terms of different
 * degree only balance where variables differ in size — a claim wrong only there must meet such points too.
 */
export function sampleEnv(a: Analysis, needed: ReadonlySet<string>, dims: ReadonlyMap<string, number>, rng: Rng, draw: Draw, scale = 1): EvalEnv {
  const vars = new Map<string, Tensor>();
  for (const v of a.variables) {
    if (!needed.has(v.name)) continue;
    const [r, c] = shapeDims(v.shape, { dims });
    const data = new Float64Array(r * c);
    const own = draw.spread ? scale * SPREAD[rng.int(SPREAD.length)] : scale;
    const signed = draw.values === 'signed';
    const sign = draw.values === 'negative' ? -1 : 1;
    for (let i = 0; i < data.length; i++) data[i] = signed ? own * rng.uniform(-1, 1) : sign * own * rng.uniform(0.5, 1.5);
    if (draw.dominant && v.shape.kind === 'matrix' && r === c && r > 1) for (let i = 0; i < r; i++) data[i * c + i] += sign * own * (signed ? 1 : 1.5) * r;
    vars.set(v.name, { rows: r, cols: c, data });
  }
  return { vars, dims };
}

/** The point (1 − t)·a + t·b, variable by variable (both drawn for the same variables and sizes). */
export function between(a: EvalEnv, b: EvalEnv, t: number): EvalEnv {
  const vars = new Map<string, Tensor>();
  for (const [name, x] of a.vars) {
    const y = b.vars.get(name)!.data;
    vars.set(name, { rows: x.rows, cols: x.cols, data: Float64Array.from(x.data, (v, i) => v + t * (y[i] - v)) });
  }
  return { vars, dims: a.dims };
}

export function allFinite(d: Float64Array): boolean {
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return false;
  return true;
}

export function unitVector(n: number, rng: Rng): Float64Array {
  const u = new Float64Array(n);
  let s = 0;
  while (s === 0) {
    let squares = 0;
    for (let i = 0; i < n; i++) {
      u[i] = rng.normal();
      squares += u[i] * u[i];
    }
    s = Math.sqrt(squares);
  }
  for (let i = 0; i < n; i++) u[i] /= s;
  return u;
}

/**
 * Per-element kink distances of every non-smooth node that depends on `x` (element-wise operators element by
 * element; a kink in a part that does not move with x cannot spoil a finite difference in x).
 */
export function kinkProfile(roots: readonly Node[], env: EvalEnv, x: string): Map<Node, Float64Array> {
  const values = evaluateAll(roots, env);
  const out = new Map<Node, Float64Array>();
  for (const [node, value] of values) {
    const def = opDef(node.op);
    if (!def.kinkDistance || !node.vars.has(x)) continue;
    const args = node.args.map((x) => values.get(x)!);
    const L = value.data.length;
    const elementwise = L > 1 && args.every((t) => t.data.length === L || t.data.length === 1);
    if (!elementwise) {
      out.set(node, Float64Array.of(def.kinkDistance(node, args)));
      continue;
    }
    const d = new Float64Array(L);
    const slices = args.map(() => ({ rows: 1, cols: 1, data: new Float64Array(1) }));
    for (let i = 0; i < L; i++) {
      args.forEach((t, k) => (slices[k].data[0] = t.data.length === 1 ? t.data[0] : t.data[i]));
      d[i] = def.kinkDistance(node, slices);
    }
    out.set(node, d);
  }
  return out;
}

export function minOf(profile: Map<Node, Float64Array>): number {
  let m = Infinity;
  for (const d of profile.values()) for (let i = 0; i < d.length; i++) m = Math.min(m, d[i]);
  return m;
}

/**
 * Does the segment from x − δ to x + δ cross a kink? With d = |g| the distance of a kink argument g along the
 * segment: if g keeps its side, (d₊ + d₋)/2 = d₀ up to g's curvature and |d₊ − d₋|/2 is how far g moves; if it
 * crosses zero, (d₊ + d₋)/2 − d₀ is how far it overshoots the kink and |d₊ − d₋|/2 = d₀. So an element crosses
 * only when it is within twice its movement of the kink (d₀ ≤ 2·max(|d₊ − d₋|/2, (d₊ + d₋)/2 − d₀)) and
 * overshoots by more than `tolerance` (an overshoot below it moves the finite difference by less than the check's
 * tolerance). A curved argument far from its kink (x² − c, with x² far from c) has (d₊ + d₋)/2 − d₀ ≈ g″δ²/2 > 0
 * without crossing anything: it is not within twice its movement (before 2026-12-08 it counted, and a wrong
 * claim's failures at every such point were put down to kinks until a point where both sides were 0 passed it).
 */
export function straddles(center: Map<Node, Float64Array>, plus: Map<Node, Float64Array>, minus: Map<Node, Float64Array>, tolerance: number): boolean {
  for (const [node, d0] of center) {
    const dp = plus.get(node);
    const dm = minus.get(node);
    if (!dp || !dm) continue;
    for (let i = 0; i < d0.length; i++) {
      const overshoot = (dp[i] + dm[i]) / 2 - d0[i];
      const movement = Math.max(Math.abs(dp[i] - dm[i]) / 2, overshoot);
      if (d0[i] <= 2 * movement && overshoot > tolerance * (1 + d0[i])) return true;
    }
  }
  return false;
}

export function withVar(env: EvalEnv, name: string, data: Float64Array): EvalEnv {
  const vars = new Map(env.vars);
  const t = env.vars.get(name)!;
  vars.set(name, { rows: t.rows, cols: t.cols, data });
  return { ...env, vars };
}

/** 1-based index of canonical element (fi, xj) in the derivative's dims in `layout`. */
export function layoutIndex(form: DerivativeForm, f: Shape, x: Shape, layout: Layout, fi: number, xj: number, dims: ReadonlyMap<string, number>): number[] {
  const sizes = (s: Shape) => dimsOf(s).map((d) => resolveDim(d, { dims }));
  const unflatten = (k: number, ds: number[]) => (ds.length === 2 ? [Math.floor(k / ds[1]), k % ds[1]] : ds.length === 1 ? [k] : []);
  const xd = sizes(x);
  const xIdx = unflatten(xj, xd);
  let idx: number[];
  if (form === 'grad') idx = xIdx;
  else if (form === 'hessian') idx = [...unflatten(fi, xd), ...xIdx];
  else {
    const fd = sizes(f);
    const fIdx = unflatten(fi, fd);
    if (fd.length + xd.length > 2) idx = layout === 'numerator' ? [...fIdx, ...xIdx] : [...xIdx, ...fIdx];
    else {
      let num: number[];
      if (fd.length === 0) num = xd.length === 2 ? [xIdx[1], xIdx[0]] : [0, xIdx[0] ?? 0];
      else if (fd.length === 1) num = [fIdx[0], xIdx[0] ?? 0];
      else num = fIdx;
      idx = layout === 'numerator' ? num : [num[1], num[0]];
    }
  }
  return idx.map((k) => k + 1);
}

export interface Comparison {
  maxAbs: number;
  maxRel: number;
  /** Largest |a − n| / (atol + rtol |n|); > 1 fails. */
  worstRatio: number;
  worstIndex: number;
  analytic: number;
  numeric: number;
  failing: number[];
}

/**
 * Compares analytic values with finite differences: an element fails when |a − n| > atol + rtol·|n|.
 * With `reference` (mcalc's own, exact, result at the same point) a claim's element also fails when it is
 * farther from the finite difference than 10× the difference's own error (|reference − n|) plus rounding
 * (10⁻⁶ of the derivative's largest element, 10⁻⁴·atol): atol alone would pass any claim whose elements are all
 * below it — `grad(logsumexp(x), x) = 𝟎[n]` at n = 300,000, or `d(10⁻⁸·sin(s))/d(s) = 0`.
 */
export function compare(analytic: Float64Array, numeric: Float64Array, atol: number, rtol: number, reference?: Float64Array): Comparison {
  const c: Comparison = { maxAbs: 0, maxRel: 0, worstRatio: -1, worstIndex: 0, analytic: 0, numeric: 0, failing: [] };
  let scale = 0;
  if (reference) for (let i = 0; i < reference.length; i++) scale = Math.max(scale, Math.abs(reference[i]));
  const rounding = 1e-6 * scale + 1e-4 * atol;
  for (let i = 0; i < numeric.length; i++) {
    const a = analytic[i];
    const n = numeric[i];
    const err = Math.abs(a - n);
    const tol = atol + rtol * Math.abs(n);
    const tolerance = reference ? Math.min(tol, 10 * Math.abs(reference[i] - n) + rounding) : tol;
    const ratio = Number.isNaN(err) ? Infinity : err / tolerance;
    if (!(err <= c.maxAbs)) c.maxAbs = Number.isNaN(err) ? Infinity : err;
    // Relative to the larger of the two (not to the difference alone: a claimed 1 against 0 is 100% off, not 10⁵ atol).
    const rel = Number.isNaN(err) ? Infinity : err / Math.max(Math.abs(n), Math.abs(a), atol);
    if (rel > c.maxRel) c.maxRel = rel;
    if (ratio > c.worstRatio) {
      c.worstRatio = ratio;
      c.worstIndex = i;
      c.analytic = a;
      c.numeric = n;
    }
    if (ratio > 1) c.failing.push(i);
  }
  return c;
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(2);
}
