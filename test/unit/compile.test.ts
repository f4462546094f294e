// The compiled evaluator: fused straight-line code over Float64Arrays, structured Jacobians never
// materialised, buffers reused, and names from the document never reaching the generated source.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/core/analyze.ts';
import { Builder } from '../../src/core/builder.ts';
import { differentiate, gradient, jvp } from '../../src/core/diff/engine.ts';
import type { Node } from '../../src/core/ir.ts';
import { compile, numberLiteral } from '../../src/core/numeric/compile.ts';
import { evaluate } from '../../src/core/numeric/evaluate.ts';
import { createRng } from '../../src/core/numeric/random.ts';
import { type EvalEnv, type Tensor, EvalError, shapeDims } from '../../src/core/numeric/tensor.ts';
import { tangentKey } from '../../src/core/ops/leaves.ts';
import { opDef } from '../../src/core/ops/registry.ts';
import { SCALAR, type Shape, matrixOf, vectorOf } from '../../src/core/shape.ts';

const NEURON = 'X: matrix[N, n]\nw: vector[n]\ny: vector[N]\nb: scalar\nz = X*w + b\na = max(0, z)\nloss = mean((y - a)^2)\n';

function randomEnv(dims: Map<string, number>, variables: readonly { name: string; shape: Shape }[], seed = 1): EvalEnv {
  const rng = createRng(seed, 'compile-test');
  const vars = new Map<string, Tensor>();
  for (const v of variables) {
    const [r, c] = shapeDims(v.shape, { dims });
    const data = Float64Array.from({ length: r * c }, () => rng.uniform(-1, 1));
    if (r === c && r > 1) for (let i = 0; i < r; i++) data[i * c + i] += r;
    vars.set(v.name, { rows: r, cols: c, data });
  }
  return { vars, dims };
}

function assertSame(got: Tensor, want: Tensor, what: string): void {
  assert.equal(got.data.length, want.data.length, `${what}: size`);
  for (let i = 0; i < want.data.length; i++) {
    assert.ok(Math.abs(got.data[i] - want.data[i]) <= 1e-12 * (1 + Math.abs(want.data[i])), `${what}[${i}]: ${got.data[i]} vs ${want.data[i]}`);
  }
}

/** Identifiers the generated code may contain: its own numbered slots and a fixed vocabulary, nothing else. */
const VOCABULARY = new Set(['use', 'strict', 'const', 'let', 'return', 'function', 'run', 'for', 'if', 'Math', 'H', 'B', 'C', 'X', 'I', 'i', 'j', 'k', 'o', 'u', 'fill', 'set', 'matmul', 'det', 'inv', 'fail', 'ref']);
const MATH = new Set(['sin', 'cos', 'tan', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'max', 'min', 'pow']);

function assertOnlyGeneratedNames(source: string): void {
  assert.ok(/^[\x20-\x7e\n]*$/.test(source), 'the generated source is plain ASCII');
  assert.ok(!/["'`\\]/.test(source.replace("'use strict';", '')), 'the generated source contains no string literals or escapes');
  for (const m of source.matchAll(/[A-Za-z_$][\w$]*/g)) {
    const id = m[0];
    if (VOCABULARY.has(id) || MATH.has(id) || /^[xbcstrJ]\d+$/.test(id) || /^a[0-3]$/.test(id) || /^e\d+$/.test(id)) continue;
    assert.fail(`unexpected identifier '${id}' in generated source:\n${source}`);
  }
}

test("the neuron's gradient runs as ONE fused pass over the rows, with no N-sized buffer at all", () => {
  const a = analyze(NEURON);
  const loss = a.definition('loss')!.node!;
  const gw = gradient(a.builder, loss, a.variable('w')!);
  const gb = gradient(a.builder, loss, a.variable('b')!);
  const dims = new Map([['N', 50], ['n', 4]]);
  const plan = compile([loss, gw, gb], dims);
  const env = randomEnv(dims, a.variables);
  const [l, w, b] = plan.run(env.vars);
  assertSame(l, evaluate(loss, env), 'loss');
  assertSame(w, evaluate(gw, env), 'grad w');
  assertSame(b, evaluate(gb, env), 'grad b');
  assert.equal((plan.source.match(/i < 50;/g) ?? []).length, 1, `one loop over the 50 rows:\n${plan.source}`);
  assert.ok(plan.stats.largestBuffer <= 4, `largest buffer ${plan.stats.largestBuffer}: z, a, y − a stay in registers`);
  assertOnlyGeneratedNames(plan.source);
});

test('no N×N matrix for an N-sample batch: Jacobians through diag, transposes and reductions stay structured', () => {
  const src = `${NEURON}J1 = d(loss)/d(w)\nJ2 = d(a)/d(w)\nJ3 = d(z)/d(b)\nJ4 = d(a)/d(b)\nG = grad(loss, X)\n`;
  for (const layout of ['numerator', 'denominator'] as const) {
    const a = analyze(src, { layout });
    assert.deepEqual(a.diagnostics, []);
    const N = 400;
    const dims = new Map([['N', N], ['n', 3]]);
    const env = randomEnv(dims, a.variables);
    for (const name of ['J1', 'J2', 'J3', 'J4', 'G']) {
      const info = a.definition(name)!.derivative!;
      const r = differentiate(a.builder, info.of, info.wrt, info.form, layout, info.shapes[layout].shape);
      assert.equal(r.kind, 'matrix');
      if (r.kind !== 'matrix') continue;
      const plan = compile([r.value], dims);
      assert.ok(plan.stats.largestBuffer < N * N, `${name} (${layout}): largest buffer ${plan.stats.largestBuffer}`);
      assertSame(plan.run(env.vars)[0], evaluate(r.value, env), `${name} (${layout})`);
    }
  }
});

test('Xᵀv reads X row by row, I is never built, diag(d)·M scales rows', () => {
  const b = new Builder();
  const N = 300;
  const n = 3;
  const dims = new Map([['N', N], ['n', n]]);
  const X = b.variable('X', matrixOf('N', 'n'));
  const v = b.variable('v', vectorOf('N'));
  const x = b.variable('x', vectorOf('n'));
  const d = b.variable('d', vectorOf('N'));
  const env = randomEnv(dims, [{ name: 'X', shape: X.shape }, { name: 'v', shape: v.shape }, { name: 'x', shape: x.shape }, { name: 'd', shape: d.shape }]);
  const cases: Array<[string, Node, number]> = [
    ['Xᵀv', b.raw('matmul', [b.raw('transpose', [X]), v]), n],
    ['vᵀX', b.raw('matmul', [b.raw('transpose', [v]), X]), n],
    ['(Xᵀ)ᵀx', b.raw('matmul', [b.raw('transpose', [b.raw('transpose', [X])]), x]), N],
    ['xᵀXᵀ', b.raw('matmul', [b.raw('transpose', [x]), b.raw('transpose', [X])]), N],
    ['I·x', b.raw('matmul', [b.identity('n'), x]), n],
    ['(2I + xxᵀ)x', b.raw('matmul', [b.raw('add', [b.raw('mul', [b.constant(2), b.identity('n')]), b.raw('matmul', [x, b.raw('transpose', [x])])]), x]), n * n],
    ['diag(d)·X', b.raw('matmul', [b.raw('diag', [d]), X]), N * n],
    ['diag(d)·v', b.raw('matmul', [b.raw('diag', [d]), v]), N],
    ['sum(diag(d)·X·x)', b.raw('sum', [b.raw('matmul', [b.raw('matmul', [b.raw('diag', [d]), X]), x])]), N * n],
  ];
  for (const [name, node, largest] of cases) {
    const plan = compile([node], dims);
    assert.ok(plan.stats.largestBuffer <= largest, `${name}: largest buffer ${plan.stats.largestBuffer} > ${largest}\n${plan.source}`);
    assertSame(plan.run(env.vars)[0], evaluate(node, env), name);
  }
});

test('element-wise chains of the same length fuse into one loop; fusion off gives the same numbers', () => {
  const a = analyze('dim n\nx, y: vector[n]\nf = sigmoid(exp(x) ⊗ y + 2) - tanh(x)^2 ⊘ (1 + y^2)\ng = sum(f) + norm(f)\n');
  const f = a.definition('f')!.node!;
  const g = a.definition('g')!.node!;
  const dims = new Map([['n', 20]]);
  const env = randomEnv(dims, a.variables);
  const fused = compile([f, g], dims);
  const unfused = compile([f, g], dims, { fuse: false });
  assert.equal(fused.stats.loops, 1, fused.source);
  assert.ok(unfused.stats.loops > 5);
  const [f1, g1] = fused.evaluate(env.vars);
  const [f2, g2] = unfused.evaluate(env.vars);
  assertSame(f1, evaluate(f, env), 'f');
  assertSame(g1, evaluate(g, env), 'g');
  assert.deepEqual([f1.data, g1.data], [f2.data, g2.data]);
});

test('buffers are allocated once and reused; evaluate() copies', () => {
  const a = analyze('dim n\nx: vector[n]\nf = 2 * x\n');
  const f = a.definition('f')!.node!;
  const plan = compile([f], new Map([['n', 3]]));
  const r1 = plan.run(new Map([['x', Float64Array.of(1, 2, 3)]]));
  const data = r1[0].data;
  const r2 = plan.run(new Map([['x', Float64Array.of(4, 5, 6)]]));
  assert.equal(r2[0].data, data, 'the same buffer');
  assert.deepEqual([...r1[0].data], [8, 10, 12], 'overwritten by the next run');
  const c = plan.evaluate(new Map([['x', Float64Array.of(1, 1, 1)]]));
  plan.run(new Map([['x', Float64Array.of(0, 0, 0)]]));
  assert.deepEqual([...c[0].data], [2, 2, 2]);
  assert.deepEqual([...plan.runSlots([Float64Array.of(1, 2, 3)])[0].data], [2, 4, 6]);
});

test('vector literals, elements, index-form slices (e_j), forward derivatives with a direction', () => {
  const a = analyze('dim n\nx: vector[n]\ns: scalar\nA: matrix[n, n]\nv = [s, 2*s, s^2]\nt = v[2] + x[1]\nf = [sum(x), x · x, s * x[2]]\nT = d(A * x)/d(A)\n');
  assert.deepEqual(a.diagnostics, []);
  const dims = new Map([['n', 3]]);
  const env = randomEnv(dims, a.variables);
  for (const name of ['v', 't', 'f']) {
    const node = a.definition(name)!.node!;
    assertSame(compile([node], dims).run(env.vars)[0], evaluate(node, env), name);
  }
  // The Jacobian of a vector literal stacks rows (vec of rows).
  const f = a.definition('f')!.node!;
  const J = differentiate(a.builder, f, a.variable('x')!, 'jacobian', 'numerator', matrixOf(3, 'n'));
  assert.equal(J.kind, 'matrix');
  if (J.kind === 'matrix') assertSame(compile([J.value], dims).run(env.vars)[0], evaluate(J.value, env), 'J');
  // Index form: slices with e_j e_kᵀ.
  const T = a.definition('T')!.derivative!;
  const r = differentiate(a.builder, T.of, T.wrt, 'jacobian', 'numerator');
  assert.equal(r.kind, 'index');
  if (r.kind === 'index') {
    const plan = compile([r.slice], dims);
    assert.deepEqual([...plan.indexNames].sort(), ['j', 'k']);
    for (const [j, k] of [[1, 1], [2, 3], [3, 2]]) {
      const indices = new Map([['j', j], ['k', k]]);
      assertSame(plan.run(env.vars, indices)[0], evaluate(r.slice, { ...env, indices }), `slice ${j},${k}`);
    }
    assert.throws(() => plan.run(env.vars), /No value for the index [jk]/);
  }
  // jvp with a tangent (direction) input.
  const x = a.variable('x')!;
  const df = jvp(a.builder, f, 'x', a.builder.tangent('x', x.shape))!;
  const dir = { rows: 3, cols: 1, data: Float64Array.of(0.3, -1, 2) };
  const vars = new Map([...env.vars, [tangentKey('x'), dir]]);
  assertSame(compile([df], dims).run(vars)[0], evaluate(df, { ...env, vars }), 'df');
});

test('errors: missing values, wrong sizes, singular matrices, unknown sizes, unlowered derivative forms', () => {
  const a = analyze('dim n\nx: vector[n]\nA: matrix[n, n]\nf = inv(A) * x\nh = d(x · x)/d(x)\n');
  const f = a.definition('f')!.node!;
  const dims = new Map([['n', 2]]);
  const plan = compile([f], dims);
  assert.throws(() => plan.run(new Map([['x', Float64Array.of(1, 2)]])), (e: Error) => e instanceof EvalError && /No value for 'A'/.test(e.message));
  assert.throws(() => plan.run(new Map([['x', Float64Array.of(1, 2, 3)], ['A', Float64Array.of(1, 0, 0, 1)]])), (e: Error) => e instanceof EvalError && /'x' has 3 elements/.test(e.message));
  const singular = new Map<string, Float64Array>([['x', Float64Array.of(1, 2)], ['A', Float64Array.of(1, 2, 2, 4)]]);
  assert.throws(() => plan.run(singular), (e: Error) => e instanceof EvalError && /singular/.test(e.message));
  assert.throws(() => evaluate(f, { vars: new Map([...singular].map(([k, v]) => [k, { rows: 2, cols: v.length / 2, data: v }])), dims }), /singular/);
  assert.throws(() => compile([f], new Map()), (e: Error) => e instanceof EvalError && /dimension 'n'/.test(e.message));
  assert.throws(() => compile([f], new Map([['n', 0]])), /positive integer/);
  const h = a.definition('h')!.node!;
  assert.equal(h.op, 'deriv');
  assert.throws(() => compile([h], dims), /lowerDerivatives/);
});

test('hostile names in a document: JS keywords, prototype names, names of generated slots, Unicode', () => {
  // Dimension `__proto__`; vectors named like JS built-ins and like the generated slots; Unicode matrices.
  const vectors = ['constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'process', 'require', 'eval', 'globalThis', 'Function', 'x0', 'b0'];
  const scalars = ['s5', 't7', 'J0', 'H', 'B', 'C', 'X'];
  const matrices = ['I', 'θ₁', 'Δx', '变量', 'ünïcödé'];
  let src = 'dim __proto__\n';
  src += `${vectors.join(', ')}: vector[__proto__]\n`;
  src += `${scalars.join(', ')}: scalar\n`;
  src += `${matrices.join(', ')}: matrix[__proto__, __proto__]\n`;
  src += `loss = sum(max(0, I * constructor + s5)) + prototype · toString * t7 + norm(hasOwnProperty ⊗ valueOf) / (1 + J0^2) + tr(θ₁ * Δx * 变量) + H * B * C * X + sum(${vectors.slice(5).join(' + ')}) + sum(ünïcödé * x0)\n`;
  const a = analyze(src);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), [], src);
  const loss = a.definition('loss')!.node!;
  const dims = new Map([['__proto__', 3]]);
  const env = randomEnv(dims, a.variables, 7);
  const roots = [loss, ...a.variables.map((v) => gradient(a.builder, loss, v))];
  const plan = compile(roots, dims);
  assertOnlyGeneratedNames(plan.source);
  const got = plan.run(env.vars);
  roots.forEach((root, k) => assertSame(got[k], evaluate(root, env), `root ${k}`));
});

test('hostile attributes built directly: variable, dimension and index names that look like code never reach the source', () => {
  const exit = process.exit;
  process.exit = (() => {
    throw new Error('generated code tried to exit');
  }) as typeof process.exit;
  try {
    const b = new Builder();
    const evil = ["a'); process.exit(1); ('", 'x"]; process.exit(1); //', '${process.exit(1)}', '`+process.exit(1)+`', '\\u0027); process.exit(1)//', 'constructor', '__proto__', '\n}); process.exit(1); (function(){\n'];
    const dimName = "n]; process.exit(1); [";
    const vars = evil.map((name) => b.variable(name, vectorOf(dimName)));
    const s = b.variable("s'); throw 1; //", SCALAR);
    const M = b.variable('M */ process.exit(1) /*', matrixOf(dimName, dimName));
    const j = b.unit("j') || process.exit(1) || ('", dimName);
    let acc: Node = b.raw('mul', [s, b.raw('matmul', [M, j])]);
    for (const v of vars) acc = b.raw('add', [acc, b.raw('relu', [v])]);
    const root = b.raw('add', [b.raw('sum', [acc]), b.raw('index', [vars[0]], "k'); process.exit(1); ('")]);
    const dims = new Map([[dimName, 3]]);
    const plan = compile([root, acc], dims);
    assertOnlyGeneratedNames(plan.source);
    for (const name of [...evil, dimName]) assert.ok(!plan.source.includes(name), `'${name}' is in the source`);
    assert.deepEqual(plan.indexNames.slice().sort(), ["j') || process.exit(1) || ('", "k'); process.exit(1); ('"].sort());
    const env = randomEnv(dims, [...vars, s, M].map((v) => ({ name: String(v.attr), shape: v.shape })), 3);
    const indices = new Map([["j') || process.exit(1) || ('", 2], ["k'); process.exit(1); ('", 3]]);
    const got = plan.run(env.vars, indices);
    assertSame(got[0], evaluate(root, { ...env, indices }), 'root');
    assertSame(got[1], evaluate(acc, { ...env, indices }), 'acc');
    // Attributes that should be numbers are checked, never pasted.
    const fake = b.graph.intern('const', [], SCALAR, '1); process.exit(1); (' as unknown as number);
    assert.throws(() => compile([fake], dims), /expected a number/);
    const fakeIndex = b.graph.intern('index', [vars[0]], SCALAR, 1.5);
    assert.throws(() => compile([fakeIndex], dims).run(env.vars), /out of range/);
    assert.throws(() => numberLiteral({ toString: () => 'process.exit(1)' }), /expected a number/);
    assert.equal(numberLiteral(-0), '(-0)');
    assert.equal(numberLiteral(1e-300), '(1e-300)');
    assert.equal(numberLiteral(NaN), '(0 / 0)');
  } finally {
    process.exit = exit;
  }
});

test('operators without a compiled template still compile, through their reference kernel', () => {
  const a = analyze('dim n\nx: vector[n]\ns: scalar\nf = sum(sin(x) ⊗ x) + sin(s)\n');
  const f = a.definition('f')!.node!;
  const dims = new Map([['n', 4]]);
  const env = randomEnv(dims, a.variables);
  const def = opDef('sin');
  const saved = def.emitElement;
  delete (def as { emitElement?: unknown }).emitElement;
  try {
    const plan = compile([f], dims);
    assert.match(plan.source, /H\.ref\(0, \[x\d+\]\)/);
    assert.match(plan.source, /H\.ref\(1, \[s\d+\]\)\[0\]/);
    assertSame(plan.run(env.vars)[0], evaluate(f, env), 'f');
  } finally {
    def.emitElement = saved;
  }
});
