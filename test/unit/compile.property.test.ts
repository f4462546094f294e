// Property: the compiled evaluator computes exactly what the reference evaluator computes — for random
// expressions over scalars, vectors and matrices (also with derivative forms inside, transposed identities and
// zero factors), for the engine's derivatives of them (Jacobians in both layouts, gradients, Hessians,
// index-form slices), with loop fusion on and off, and over "long" data dimensions (N samples) where fusion,
// transposed products and reductions take their fast paths.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze } from '../../src/core/analyze.ts';
import { differentiate, gradient, lowerDerivatives } from '../../src/core/diff/engine.ts';
import type { Node } from '../../src/core/ir.ts';
import { compile } from '../../src/core/numeric/compile.ts';
import { evaluate } from '../../src/core/numeric/evaluate.ts';
import { createRng } from '../../src/core/numeric/random.ts';
import { type EvalEnv, type Tensor, EvalError, shapeDims } from '../../src/core/numeric/tensor.ts';
import { derivativeShape, type DerivativeForm } from '../../src/core/ops/structure.ts';
import { LAYOUTS, type Shape } from '../../src/core/shape.ts';
import { PRELUDE, exprArb, type Kind } from './helpers/randomExpr.ts';

const SEED = Number(process.env.MCALC_PROPERTY_SEED ?? 20261126);
const SCALE = Number(process.env.MCALC_PROPERTY_SCALE ?? 1);

interface Stats {
  cases: number;
  roots: number;
  elements: number;
  exact: number;
  nonFinite: number;
  throws: number;
}

function newStats(): Stats {
  return { cases: 0, roots: 0, elements: 0, exact: 0, nonFinite: 0, throws: 0 };
}

function randomEnv(seed: number, dims: Map<string, number>, variables: readonly { name: string; shape: Shape }[]): EvalEnv {
  const rng = createRng(seed, 'compile-property');
  const vars = new Map<string, Tensor>();
  for (const v of variables) {
    const [r, c] = shapeDims(v.shape, { dims });
    vars.set(v.name, { rows: r, cols: c, data: Float64Array.from({ length: r * c }, () => rng.uniform(-1.5, 1.5)) });
  }
  return { vars, dims };
}

/** Compiles the roots (fused and unfused) and compares every value with the reference evaluator. */
function compareWithReference(roots: Node[], env: EvalEnv, stats: Stats, what: string): void {
  let ref: Tensor[] | undefined;
  let refError: EvalError | undefined;
  try {
    ref = roots.map((r) => evaluate(r, env));
  } catch (e) {
    if (!(e instanceof EvalError)) throw e;
    refError = e;
  }
  for (const fuse of [true, false]) {
    const plan = compile(roots, env.dims, { fuse });
    let got: Tensor[];
    try {
      got = plan.evaluate(env.vars, env.indices);
    } catch (e) {
      if (refError && e instanceof EvalError) {
        stats.throws++;
        continue;
      }
      throw new Error(`${what}: compiled evaluation threw ${(e as Error).message}${refError ? '' : ' but the reference did not'}\n${plan.source}`);
    }
    if (refError) assert.fail(`${what}: the reference threw "${refError.message}" but the compiled plan did not`);
    roots.forEach((root, k) => {
      const r = ref![k];
      const c = got[k];
      assert.equal(c.rows * c.cols, r.rows * r.cols, `${what}: size of root ${k}`);
      if (!r.data.every(Number.isFinite)) {
        stats.nonFinite++;
        return;
      }
      stats.roots++;
      for (let i = 0; i < r.data.length; i++) {
        stats.elements++;
        if (Object.is(r.data[i] + 0, c.data[i] + 0)) {
          stats.exact++;
          continue;
        }
        if (!(Math.abs(r.data[i] - c.data[i]) <= 1e-12 * (1 + Math.abs(r.data[i])))) {
          assert.fail(`${what} (fuse ${fuse}), root ${k} (${root.op}) element ${i}: compiled ${c.data[i]} vs reference ${r.data[i]}\n${plan.source}`);
        }
      }
    });
  }
  stats.cases++;
}

// ---- scenario A: the shared random expressions, their derivatives ---------------------------------------------

function derivativesOf(a: ReturnType<typeof analyze>, f: Node, env: EvalEnv, rngSeed: number): { roots: Node[]; indices: Map<string, number> } {
  const roots: Node[] = [f];
  const rng = createRng(rngSeed, 'indices');
  const indices = new Map<string, number>();
  for (const name of ['s', 'u', 'A']) {
    const x = a.variable(name)!;
    for (const form of ['jacobian', 'grad', 'hessian'] as DerivativeForm[]) {
      for (const layout of LAYOUTS) {
        const expected = derivativeShape(form, f.shape, x.shape, layout);
        if (expected.error) continue;
        const r = differentiate(a.builder, f, x, form, layout, expected.shape);
        if (r.kind === 'matrix') roots.push(r.value);
        else {
          roots.push(r.slice);
          const [xr, xc] = shapeDims(x.shape, env);
          if (r.indices.length === 1) indices.set('j', 1 + rng.int(xr * xc));
          else indices.set('j', 1 + rng.int(xr)).set('k', 1 + rng.int(xc));
        }
      }
    }
  }
  return { roots, indices };
}

// Plain expressions, then (forms) with derivative forms inside — replaced by their results before compiling,
// as eval and check do — transposed identities (d(u)/d(u))ᵀ and zero factors.
const SCENARIOS_A = [
  { forms: false, runs: { scalar: 250, vector: 200, matrix: 120 }, depth: { scalar: 3, vector: 3, matrix: 2 }, title: 'all their derivatives' },
  { forms: true, runs: { scalar: 150, vector: 120, matrix: 80 }, depth: { scalar: 2, vector: 2, matrix: 2 }, title: 'derivative forms, (d(u)/d(u))ᵀ and zero factors inside, and their derivatives' },
];

for (const scenario of SCENARIOS_A) {
  for (const kind of ['scalar', 'vector', 'matrix'] as Kind[]) {
    const runs = scenario.runs[kind] * SCALE;
    test(`compiled = reference: random ${kind} expressions, ${scenario.title} (${runs} cases, fused and unfused)`, () => {
      const stats = newStats();
      fc.assert(
        fc.property(exprArb(kind, scenario.depth[kind], { kinks: true, forms: scenario.forms }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 4 }), (src, seed, n) => {
          const a = analyze(`${PRELUDE}f = ${src}\n`);
          assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), [], src);
          const f = lowerDerivatives(a.builder, a.definition('f')!.node!, 'numerator', (name) => a.variable(name));
          const env = randomEnv(seed, new Map([['n', n], ['m', 2]]), a.variables);
          const { roots, indices } = derivativesOf(a, f, env, seed);
          compareWithReference(roots, { ...env, indices }, stats, `f = ${src} (n = ${n})`);
        }),
        { numRuns: runs, seed: SEED, includeErrorInReport: true },
      );
      assert.equal(stats.cases, runs);
      assert.ok(stats.roots > runs, `only ${stats.roots} finite roots compared`);
      // Same operations in the same order: nearly every element is bit-for-bit equal.
      assert.ok(stats.exact >= 0.99 * stats.elements, `${stats.exact} of ${stats.elements} elements exactly equal`);
      console.log(`  ${kind}${scenario.forms ? ' with forms' : ''}: ${JSON.stringify(stats)}`);
    });
  }
}

// ---- scenario B: data-sized dimensions (N samples), fusion across lengths -------------------------------------

const PRELUDE_B = 'dim N, n\nX, Y: matrix[N, n]\ny, q: vector[N]\nw, v: vector[n]\ns: scalar\nW: matrix[n, n]\n';
type KindB = 'scalar' | 'long' | 'short' | 'data' | 'square';

function exprB(kind: KindB, depth: number): fc.Arbitrary<string> {
  const leaves: Record<KindB, string[]> = { scalar: ['s', '2', '0.5'], long: ['y', 'q'], short: ['w', 'v'], data: ['X', 'Y'], square: ['W'] };
  const leaf = fc.constantFrom(...leaves[kind]);
  if (depth <= 0) return leaf;
  const S = () => exprB('scalar', depth - 1);
  const L = () => exprB('long', depth - 1);
  const V = () => exprB('short', depth - 1);
  const D = () => exprB('data', depth - 1);
  const Q = () => exprB('square', depth - 1);
  const fn = fc.constantFrom('exp', 'tanh', 'sigmoid', 'relu', 'abs', 'sin');
  const op = fc.constantFrom('+', '-', '⊗');
  switch (kind) {
    case 'scalar':
      return fc.oneof(
        { weight: 2, arbitrary: leaf },
        L().map((x) => `sum(${x})`),
        L().map((x) => `mean(${x})`),
        fc.tuple(L(), L()).map(([x, z]) => `(${x} · ${z})`),
        L().map((x) => `norm(${x})`),
        fc.tuple(L(), D(), V()).map(([x, M, z]) => `((${x})ᵀ * ${M} * ${z})`),
        fc.tuple(V(), V()).map(([x, z]) => `((${x})ᵀ * ${z})`),
        Q().map((M) => `tr(${M})`),
        V().map((x) => `(${x})[1]`),
        L().map((x) => `(${x})[2]`),
        fc.tuple(S(), fc.constantFrom('+', '-', '*'), S()).map(([x, o, z]) => `(${x} ${o} ${z})`),
        fc.tuple(fn, S()).map(([f, x]) => `${f}(${x})`),
      );
    case 'long':
      return fc.oneof(
        { weight: 2, arbitrary: leaf },
        fc.tuple(D(), V()).map(([M, x]) => `(${M} * ${x})`),
        fc.tuple(L(), op, L()).map(([x, o, z]) => `(${x} ${o} ${z})`),
        fc.tuple(fn, L()).map(([f, x]) => `${f}(${x})`),
        L().map((x) => `max(0, ${x})`),
        fc.tuple(L(), S()).map(([x, z]) => `(${x} + ${z})`),
        fc.tuple(S(), L()).map(([z, x]) => `(${z} * ${x})`),
        fc.tuple(V(), D()).map(([x, M]) => `((${x})ᵀ * (${M})ᵀ)ᵀ`),
        fc.tuple(L(), L()).map(([x, z]) => `(${x} ⊘ (1 + (${z})^2))`),
        fc.tuple(L(), L()).map(([x, z]) => `(${x} > ${z})`),
        L().map((x) => `(${x} - mean(${x}))`),
      );
    case 'short':
      return fc.oneof(
        { weight: 2, arbitrary: leaf },
        fc.tuple(D(), L()).map(([M, x]) => `((${M})ᵀ * ${x})`),
        fc.tuple(L(), D()).map(([x, M]) => `((${x})ᵀ * ${M})ᵀ`),
        fc.tuple(Q(), V()).map(([M, x]) => `(${M} * ${x})`),
        fc.tuple(Q(), V()).map(([M, x]) => `((${M})ᵀ * ${x})`),
        fc.tuple(V(), op, V()).map(([x, o, z]) => `(${x} ${o} ${z})`),
        fc.tuple(fn, V()).map(([f, x]) => `${f}(${x})`),
        Q().map((M) => `diag(${M})`),
        fc.tuple(V(), S()).map(([x, z]) => `(${x} * ${z})`),
      );
    case 'data':
      return fc.oneof(
        { weight: 2, arbitrary: leaf },
        fc.tuple(D(), op, D()).map(([x, o, z]) => `(${x} ${o} ${z})`),
        fc.tuple(S(), D()).map(([z, M]) => `(${z} * ${M})`),
        fc.tuple(fn, D()).map(([f, M]) => `${f}(${M})`),
        fc.tuple(L(), V()).map(([x, z]) => `(${x} * (${z})ᵀ)`),
        fc.tuple(D(), Q()).map(([M, P]) => `(${M} * ${P})`),
        fc.tuple(D(), Q()).map(([M, P]) => `(${M} * (${P})ᵀ)`),
        fc.tuple(L(), D()).map(([x, M]) => `(diag(${x}) * ${M})`),
        fc.tuple(D(), V()).map(([M, x]) => `(${M} * diag(${x}))`),
      );
    case 'square':
      return fc.oneof(
        { weight: 2, arbitrary: leaf },
        fc.tuple(Q(), Q()).map(([x, z]) => `(${x} * ${z})`),
        fc.tuple(D(), D()).map(([x, z]) => `((${x})ᵀ * ${z})`),
        Q().map((M) => `(${M})ᵀ`),
        fc.tuple(V(), V()).map(([x, z]) => `(${x} * (${z})ᵀ)`),
        V().map((x) => `diag(${x})`),
        fc.tuple(Q(), op, Q()).map(([x, o, z]) => `(${x} ${o} ${z})`),
        Q().map((M) => `inv(${M} * (${M})ᵀ + diag(v^2 + 1))`),
      );
  }
}

const KINDS_B: KindB[] = ['scalar', 'long', 'short', 'data', 'square'];

test(`compiled = reference over data-sized dimensions: fusion, Xᵀv, row·matrix, diag products (${500 * SCALE} cases, with gradients)`, () => {
  const stats = newStats();
  const loopsSeen = { fused: 0, total: 0 };
  fc.assert(
    fc.property(
      fc.constantFrom(...KINDS_B).chain((k) => fc.tuple(fc.constant(k), exprB(k, 3))),
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 1, max: 4 }),
      ([kind, src], seed, N, n) => {
        const a = analyze(`${PRELUDE_B}f = ${src}\n`);
        const errors = a.diagnostics.filter((d) => d.severity === 'error');
        fc.pre(errors.length === 0 || !errors.some((d) => d.code === 'index-out-of-range'));
        assert.deepEqual(errors, [], src);
        const f = a.definition('f')!.node!;
        const dims = new Map([['N', Math.max(N, 2)], ['n', n]]);
        const env = randomEnv(seed, dims, a.variables);
        const roots = [f];
        if (kind === 'scalar') for (const name of ['w', 'X', 's', 'y']) roots.push(gradient(a.builder, f, a.variable(name)!));
        compareWithReference(roots, env, stats, `f = ${src} (N = ${dims.get('N')}, n = ${n})`);
        const plan = compile(roots, dims);
        const unfused = compile(roots, dims, { fuse: false });
        loopsSeen.total++;
        if (plan.stats.loops < unfused.stats.loops) loopsSeen.fused++;
      },
    ),
    { numRuns: 500 * SCALE, seed: SEED, includeErrorInReport: true },
  );
  assert.ok(stats.cases >= 450 * SCALE, `${stats.cases} cases`);
  assert.ok(stats.exact >= 0.99 * stats.elements, `${stats.exact} of ${stats.elements} elements exactly equal`);
  // Fusion must actually happen on a good share of these expressions.
  assert.ok(loopsSeen.fused > loopsSeen.total / 4, `fusion reduced the loop count in only ${loopsSeen.fused} of ${loopsSeen.total} cases`);
  console.log(`  data-sized: ${JSON.stringify({ ...stats, ...loopsSeen })}`);
});
