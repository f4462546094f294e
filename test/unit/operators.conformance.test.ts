// Operator conformance: every registered operator has every piece an operator needs, and the pieces agree.
// Each test iterates over ALL operators and fails naming the operator and what is missing or wrong:
//   - rules: a derivative rule with forward and reverse derivatives, a Python lowering (or why none), a batch
//     rule (or why none);
//   - derivatives agree with central differences in forward mode (J v) and reverse mode (wᵀ J);
//   - compiled plans equal the reference kernels bit for bit;
//   - the batch rewrite equals per-row evaluation;
//   - the LaTeX (of its expression and of its rule) renders in KaTeX with throwOnError;
//   - the grammar highlights its surface names; docs/language.md and docs/rules.md list it (and are up to date);
//   - the random-expression generator of the property tests produces it.
// The instances are the entry's own examples (docs/rules.md) plus a call of its surface function on each
// argument kind that its shape rule accepts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import katex from 'katex';
import { type Analysis, analyze } from '../../src/core/analyze.ts';
import { jvp, lowerDerivatives, vjp } from '../../src/core/diff/engine.ts';
import { EXAMPLE_PRELUDE } from '../../src/core/docs/rules.ts';
import { withFunctionTable, withGrammarNames } from '../../src/core/docs/generated.ts';
import { type Node, topoOrder } from '../../src/core/ir.ts';
import { compile } from '../../src/core/numeric/compile.ts';
import { kinkProfile, minOf } from '../../src/core/numeric/pointwise.ts';
import { checkDocument } from '../../src/core/numeric/gradcheck.ts';
import { mulberry32 } from '../../src/core/numeric/random.ts';
import { evaluate } from '../../src/core/numeric/evaluate.ts';
import { type EvalEnv, type Tensor, shapeDims } from '../../src/core/numeric/tensor.ts';
import { Unbatchable, batchRewriter } from '../../src/core/numeric/train/batch.ts';
import { tangentKey } from '../../src/core/ops/leaves.ts';
import { ALL_OPS, type OpName } from '../../src/core/ops/registry.ts';
import type { OpDef } from '../../src/core/ops/types.ts';
import { toLatex } from '../../src/core/print.ts';
import type { Shape } from '../../src/core/shape.ts';
import { PRELUDE, exprArb } from './helpers/randomExpr.ts';
import { loadGrammar, mcalcContribution, tokenScopes } from './helpers/textmate.ts';

const ROOT = join(__dirname, '../..');
const DIMS = new Map([['m', 2], ['n', 3]]);
/** Leaves have no arguments: nothing to differentiate, batch or generate; every instance exercises them. */
const isLeaf = (def: OpDef) => def.family === 'leaves';
/** Derivative forms are replaced by their results before anything is evaluated. */
const isForm = (def: OpDef) => def.op === 'deriv';

interface Instance {
  expr: string;
  wrt: string;
  a: Analysis;
  f: Node;
}

function analyzed(expr: string, wrt: string): Instance | undefined {
  const a = analyze(`${EXAMPLE_PRELUDE}__f = ${expr}\n`);
  const node = a.definition('__f')?.node;
  if (!node || a.diagnostics.some((d) => d.severity === 'error')) return undefined;
  return { expr, wrt, a, f: lowerDerivatives(a.builder, node, a.layout, (name) => a.variable(name)) };
}

/** Arguments of each kind in EXAMPLE_PRELUDE, and the variable to differentiate by. */
const ARGUMENTS = [
  { expr: 's', wrt: 's' },
  { expr: 'x', wrt: 'x' },
  { expr: 'X', wrt: 'X' },
];

/** The entry's examples, plus its surface function called on every argument kind its shape rule accepts. */
function instancesOf(def: OpDef): Instance[] {
  const out = (def.examples ?? []).map((e) => analyzed(e.expr, e.wrt)).filter((i) => i !== undefined);
  const f = def.syntax;
  if (f) {
    for (const first of ARGUMENTS) {
      const args = Array.from({ length: f.arity }, (_, k) => (k === 0 ? first.expr : ['t', 'y', 'B'][ARGUMENTS.indexOf(first)]));
      const i = analyzed(`${f.name}(${args.join(', ')})`, first.wrt);
      if (i) out.push(i);
    }
  }
  return out;
}

const INSTANCES = new Map<OpName, Instance[]>(ALL_OPS.map((def) => [def.op, isLeaf(def) || isForm(def) ? [] : instancesOf(def)]));

// ---- points --------------------------------------------------------------------------------------------------

function randomTensor(shape: Shape, dims: ReadonlyMap<string, number>, next: () => number, positive: boolean): Tensor {
  const [rows, cols] = shapeDims(shape, { dims });
  const data = Float64Array.from({ length: rows * cols }, () => {
    const v = (next() * 2 - 1) * 0.95;
    return positive ? Math.abs(v) + 0.05 : v;
  });
  return { rows, cols, data };
}

const finite = (t: Tensor) => t.data.every((v) => Number.isFinite(v) && Math.abs(v) < 1e6);

/**
 * A point inside every operator's domain and away from kinks: values in (−0.95, 0.95), every other attempt
 * positive (log, sqrt, logdet); undefined when 60 attempts find none.
 */
function pointFor(i: Instance, seed: number): EvalEnv | undefined {
  const next = mulberry32(seed);
  for (let attempt = 0; attempt < 60; attempt++) {
    const vars = new Map<string, Tensor>();
    for (const v of i.a.variables) vars.set(v.name, randomTensor(v.shape, DIMS, next, attempt % 2 === 1));
    const env: EvalEnv = { vars, dims: DIMS };
    if (finite(evaluate(i.f, env)) && i.a.variables.every((v) => minOf(kinkProfile([i.f], env, v.name)) > 1e-3)) return env;
  }
  return undefined;
}

function withValue(env: EvalEnv, name: string, t: Tensor): EvalEnv {
  return { ...env, vars: new Map([...env.vars, [name, t]]) };
}

function dotData(p: Float64Array, q: Float64Array): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i] * q[i];
  return s;
}

const close = (got: number, want: number, atol = 1e-5, rtol = 1e-3) => Math.abs(got - want) <= atol + rtol * Math.abs(want);

/** Problems of one operator, as `op: what`; a test fails listing them all. */
function report(problems: string[]): void {
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
}

// ---- rules and hooks -----------------------------------------------------------------------------------------

test('every operator has its rules: derivative (forward and reverse), compiled and Python lowerings, batch rule, instances', () => {
  const problems: string[] = [];
  for (const def of ALL_OPS) {
    if (!def.python) problems.push(`${def.op}: no Python lowering (python) and no reason it is never exported`);
    if (!def.lowerJs && !def.emitElement) problems.push(`${def.op}: no compiled lowering (lowerJs or emitElement): compiled plans would call its reference kernel`);
    if (isLeaf(def)) continue;
    if (!def.batch) problems.push(`${def.op}: no batch rule (batch) and no reason it has no batch form`);
    if (isForm(def)) continue;
    if (!def.rule || !def.jvp || !def.vjp) problems.push(`${def.op}: needs a derivative rule (rule), a forward (jvp) and a reverse (vjp) derivative`);
    if (!INSTANCES.get(def.op)!.length) problems.push(`${def.op}: no instance to check (examples in its entry, or a surface function)`);
    if (def.kinkDistance && !def.kinkNote) problems.push(`${def.op}: has kinks (kinkDistance) but no note saying where (kinkNote), for derivations`);
  }
  report(problems);
});

// ---- derivatives ---------------------------------------------------------------------------------------------

/** Forward and reverse derivatives of one instance against central differences along a random direction. */
function derivativeProblems(op: string, i: Instance, seed: number): string[] {
  const env = pointFor(i, seed);
  if (!env) return [`${op}: no point inside the domain and away from kinks for ${i.expr}`];
  const b = i.a.builder;
  const x = i.a.variable(i.wrt)!;
  const next = mulberry32(seed + 1);
  const v = randomTensor(x.shape, DIMS, next, false);
  const w = randomTensor(i.f.shape, DIMS, next, false);
  const eps = 1e-6;
  const x0 = env.vars.get(i.wrt)!;
  const shifted = (sign: number) => ({ ...x0, data: x0.data.map((xi, k) => xi + sign * eps * v.data[k]) });
  const fp = evaluate(i.f, withValue(env, i.wrt, shifted(1))).data;
  const fm = evaluate(i.f, withValue(env, i.wrt, shifted(-1))).data;
  const fd = fp.map((p, k) => (p - fm[k]) / (2 * eps));

  const problems: string[] = [];
  const tangent = jvp(b, i.f, i.wrt, b.tangent(i.wrt, x.shape));
  const jv = tangent ? evaluate(tangent, withValue(env, tangentKey(i.wrt), v)).data : new Float64Array(fd.length);
  const worst = jv.findIndex((got, k) => !close(got, fd[k]));
  if (worst >= 0) problems.push(`${op}: forward derivative of ${i.expr} w.r.t. ${i.wrt}: element ${worst} is ${jv[worst]}, central differences give ${fd[worst]}`);

  const cotangent = vjp(b, i.f, i.wrt, b.variable('__w', i.f.shape));
  const wJ = cotangent ? evaluate(cotangent, withValue(env, '__w', w)).data : new Float64Array(v.data.length);
  const [got, want] = [dotData(wJ, v.data), dotData(w.data, fd)];
  if (!close(got, want)) problems.push(`${op}: reverse derivative of ${i.expr} w.r.t. ${i.wrt}: wᵀJv is ${got}, central differences give ${want}`);
  return problems;
}

test('derivatives agree with central differences in forward and reverse mode', () => {
  const problems: string[] = [];
  for (const [op, instances] of INSTANCES) instances.forEach((i, k) => problems.push(...derivativeProblems(op, i, 1000 + k)));
  report(problems);
});

// ---- compiled = reference --------------------------------------------------------------------------------------

const sameBits = (p: Float64Array, q: Float64Array) => p.length === q.length && p.every((x, k) => Object.is(x, q[k]));

test('compiled plans equal the reference kernels bit for bit (values, J v and wᵀ J); every operator is compiled', () => {
  const problems: string[] = [];
  const compiled = new Set<string>();
  for (const [op, instances] of INSTANCES) {
    instances.forEach((i, k) => {
      const env = pointFor(i, 2000 + k);
      if (!env) return;
      const b = i.a.builder;
      const x = i.a.variable(i.wrt)!;
      const next = mulberry32(k);
      const full = withValue(withValue(env, tangentKey(i.wrt), randomTensor(x.shape, DIMS, next, false)), '__w', randomTensor(i.f.shape, DIMS, next, false));
      const roots = [i.f, jvp(b, i.f, i.wrt, b.tangent(i.wrt, x.shape)), vjp(b, i.f, i.wrt, b.variable('__w', i.f.shape))].filter((r) => r !== null);
      const got = compile(roots, DIMS).evaluate(full.vars);
      roots.forEach((r, j) => {
        if (!sameBits(got[j].data, evaluate(r, full).data)) problems.push(`${op}: compiled ${['value', 'J v', 'wᵀ J'][j]} of ${i.expr} differs from the reference kernels`);
      });
      for (const n of topoOrder(roots)) compiled.add(n.op);
    });
  }
  for (const def of ALL_OPS) if (!isForm(def) && !compiled.has(def.op)) problems.push(`${def.op}: no compiled plan of any instance contains it`);
  report(problems);
});

// ---- batch rewrite ---------------------------------------------------------------------------------------------

/** Batch version of an instance with its vector and scalar variables as data, against row-by-row evaluation. */
function batchProblem(op: string, i: Instance, seed: number): string | 'unbatchable' | undefined {
  const data = new Map(i.a.variables.filter((v) => v.shape.kind !== 'matrix' && i.f.vars.has(v.name)).map((v) => [v.name, v.shape]));
  if (!data.size) return 'unbatchable';
  let batched: Node;
  try {
    batched = batchRewriter(i.a.builder, data, 'N').get(i.f);
  } catch (e) {
    if (e instanceof Unbatchable) return 'unbatchable';
    throw e;
  }
  const rows = 4;
  const envs = Array.from({ length: rows }, (_, r) => pointFor(i, seed + r)).filter((e) => e !== undefined);
  if (envs.length < rows) return `${op}: no points for the batch check of ${i.expr}`;
  const dims = new Map([...DIMS, ['N', rows]]);
  const vars = new Map(envs[0].vars);
  for (const name of data.keys()) {
    const perRow = envs.map((e) => e.vars.get(name)!);
    vars.set(name, { rows, cols: perRow[0].data.length, data: Float64Array.from(perRow.flatMap((t) => [...t.data])) });
  }
  const params = [...envs[0].vars].filter(([name]) => !data.has(name));
  const all = evaluate(batched, { vars, dims }).data;
  const width = all.length / rows;
  for (let r = 0; r < rows; r++) {
    const want = evaluate(i.f, { vars: new Map([...envs[r].vars, ...params]), dims: DIMS }).data;
    for (let k = 0; k < width; k++) {
      if (!close(all[r * width + k], want[k], 1e-12, 1e-12)) return `${op}: batched ${i.expr} row ${r} element ${k} is ${all[r * width + k]}, per-row ${want[k]}`;
    }
  }
  return undefined;
}

test('the batch rewrite equals per-row evaluation, for every operator with a batch rule', () => {
  const problems: string[] = [];
  for (const def of ALL_OPS) {
    if (isLeaf(def) || typeof def.batch !== 'function' && def.batch !== 'elementwise') continue;
    const results = INSTANCES.get(def.op)!.map((i, k) => batchProblem(def.op, i, 3000 + 10 * k));
    const failures = results.filter((r) => r !== undefined && r !== 'unbatchable');
    problems.push(...(failures as string[]));
    if (!results.some((r) => r === undefined)) problems.push(`${def.op}: its batch rule applies to none of its instances (${INSTANCES.get(def.op)!.map((i) => i.expr).join(', ')})`);
  }
  report(problems);
});

// ---- printing, grammar, docs, generator --------------------------------------------------------------------------

function katexProblem(latex: string): string | undefined {
  try {
    katex.renderToString(latex, { throwOnError: true, strict: 'error' });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

test('every operator’s LaTeX (its expressions and its rule) renders in KaTeX with throwOnError', () => {
  const problems: string[] = [];
  for (const def of ALL_OPS) {
    for (const i of INSTANCES.get(def.op)!) {
      const latex = toLatex(i.a.definition('__f')!.node!);
      const error = katexProblem(latex);
      if (error) problems.push(`${def.op}: KaTeX cannot render ${latex}: ${error}`);
    }
    const ruleError = def.rule && katexProblem(def.rule.latex);
    if (ruleError) problems.push(`${def.op}: KaTeX cannot render its rule ${def.rule!.latex}: ${ruleError}`);
  }
  report(problems);
});

test('the grammar highlights every surface name (and alias) as support.function', async () => {
  const grammar = await loadGrammar(mcalcContribution.scopeName);
  const problems: string[] = [];
  for (const def of ALL_OPS) {
    const f = def.syntax;
    if (!f) continue;
    for (const name of [f.name, ...(f.aliases ?? [])]) {
      const token = tokenScopes(grammar, `y = ${name}(x)`).find((t) => t.text === name);
      const want = `support.function.${f.highlight}.mcalc`;
      if (!token?.scopes.includes(want)) problems.push(`${def.op}: the grammar gives ${name} ${token?.scopes.join(' ') ?? 'no token'}, not ${want}`);
    }
  }
  report(problems);
});

test('docs/language.md and docs/rules.md list every operator, and the generated parts are up to date (`npm run docs`)', () => {
  const language = readFileSync(join(ROOT, 'docs/language.md'), 'utf8');
  // docs/rules.md being up to date is docs.test.ts's.
  const rules = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
  const grammar = readFileSync(join(ROOT, 'syntaxes/mcalc.tmLanguage.json'), 'utf8');
  const problems: string[] = [];
  if (language !== withFunctionTable(language)) problems.push('docs/language.md: its function table is out of date');
  if (grammar !== withGrammarNames(grammar)) problems.push('syntaxes/mcalc.tmLanguage.json: its built-in names are out of date');
  for (const def of ALL_OPS) {
    if (isLeaf(def) || isForm(def)) continue;
    if (!rules.includes(`### \`${def.op}\``)) problems.push(`${def.op}: not in docs/rules.md`);
    for (const name of def.syntax ? [def.syntax.name, ...(def.syntax.aliases ?? [])] : []) {
      if (!language.includes(`\`${name}`)) problems.push(`${def.op}: ${name} is not in docs/language.md`);
    }
  }
  report(problems);
});

test('the property tests’ random-expression generator produces every operator', () => {
  const seen = new Set<string>();
  for (const kind of ['scalar', 'vector', 'matrix'] as const) {
    for (const expr of fc.sample(exprArb(kind, 3, { kinks: true, forms: true }), { numRuns: 1500, seed: 20261202 })) {
      const node = analyze(`${PRELUDE}f = ${expr}\n`).definition('f')?.node;
      if (node) for (const n of topoOrder([node])) seen.add(n.op);
    }
  }
  report(ALL_OPS.filter((def) => !isLeaf(def) && !seen.has(def.op)).map((def) => `${def.op}: never generated by exprArb (test/unit/helpers/randomExpr.ts)`));
});

test('outside an operator’s domain a check reports "not checked", never a verdict', () => {
  const problems: string[] = [];
  const candidates = [-3, -1.5, -1, -0.5, 0, 0.5, 1.5, 3];
  const checked: string[] = [];
  for (const def of ALL_OPS) {
    const f = def.syntax;
    if (!def.domain || !f || f.arity !== 1) continue;
    // A constant outside with a margin, so that a small wobble with x stays outside.
    const c = candidates.find((v) => [v - 0.01, v, v + 0.01].every((u) => !def.domain!.contains(u)));
    if (c === undefined) continue;
    checked.push(def.op);
    const arg = `${c} + 0.001 * sin(x)`;
    const report = checkDocument(analyze(`x: scalar\ncheck d(${f.name}(${arg}))/d(x) = 0\ng = d(${f.name}(${arg}))/d(x)\n`), { seed: 1, maxAttempts: 4 });
    for (const r of report.results) if (r.status !== 'inconclusive') problems.push(`${def.op}: ${r.text} outside the domain (${def.domain.text}) gave ${r.status}`);
  }
  assert.ok(checked.includes('log'), `operators checked outside their domain: ${checked.join(', ')}`);
  report(problems);
});
