// Gradients exported as Python: every operator has a lowering, modules compile for all three libraries, and the
// NumPy modules' self-checks pass for the examples and for random expressions — and fail for a wrong gradient.
// Python runs where python3 is installed (NumPy self-checks where NumPy is importable; PyTorch and JAX modules run
// for real where those are installed); otherwise the test says what it could not run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyze } from '../../src/core/analyze.ts';
import { BACKENDS, type Backend } from '../../src/core/export/backends.ts';
import { ExportError, exportGradient } from '../../src/core/export/python.ts';
import { PRELUDE, exprArb } from './helpers/randomExpr.ts';
import { runMcalc } from './helpers/cli.ts';

const EXAMPLES = join(__dirname, '../../examples');
const dir = mkdtempSync(join(tmpdir(), 'mcalc-export-'));

function python(args: string[], interpreter = 'python3') {
  return spawnSync(interpreter, args, { encoding: 'utf8', timeout: 120_000 });
}
const hasPython = python(['-c', 'print(1)']).status === 0;
/** A Python that can import the module (the one on PATH, or Debian's, where python3-torch installs). */
const interpreterWith = (m: string) => ['python3', '/usr/bin/python3'].find((p) => python(['-c', `import ${m}`], p).status === 0);
const interpreters: Record<Backend, string | undefined> = { numpy: interpreterWith('numpy'), pytorch: interpreterWith('torch'), jax: interpreterWith('jax') };
const available: Record<Backend, boolean> = { numpy: !!interpreters.numpy, pytorch: !!interpreters.pytorch, jax: !!interpreters.jax };

/** Runs the self-checks of the given module files in one Python process; returns each one's exit code and output. */
function selfChecks(files: string[], interpreter = interpreters.numpy): { code: number; out: string }[] {
  const runner = `import importlib.util, io, contextlib, json, sys
results = []
for path in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("m", path)
    m = importlib.util.module_from_spec(spec)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            spec.loader.exec_module(m)
            code = m._self_check()
        except Exception as e:
            print(f"{type(e).__name__}: {e}")
            code = 2
    results.append({"code": code, "out": out.getvalue()})
print(json.dumps(results))
`;
  const r = python(['-c', runner, ...files], interpreter);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function write(name: string, code: string): string {
  const p = join(dir, name);
  writeFileSync(p, code);
  return p;
}

/** The scalar definitions of the examples that depend on some variable. */
function exampleLosses(): { file: string; of: string; text: string }[] {
  const out: { file: string; of: string; text: string }[] = [];
  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith('.mcalc'))) {
    const text = readFileSync(join(EXAMPLES, file), 'utf8');
    const a = analyze(text);
    for (const d of a.definitions) if (d.node && !d.derivative && d.node.shape.kind === 'scalar' && d.node.vars.size) out.push({ file, of: d.name, text });
  }
  return out;
}

test('the examples export for NumPy, PyTorch and JAX; the modules compile; NumPy self-checks pass', (t) => {
  const losses = exampleLosses();
  assert.ok(losses.length >= 6, `${losses.length} scalar definitions in the examples`);
  const files: Record<Backend, string[]> = { numpy: [], pytorch: [], jax: [] };
  for (const { file, of, text } of losses) {
    for (const backend of BACKENDS) {
      const code = exportGradient(analyze(text), { of, backend, source: file });
      assert.match(code, /^def value_and_grad\(\*, /m);
      assert.match(code, /^def _self_check/m);
      files[backend].push(write(`${file.replace(/\W/g, '_')}_${of}_${backend}.py`, code));
    }
  }
  if (!hasPython) {
    t.diagnostic('python3 is not installed: the exported modules were generated but not compiled or run');
    return;
  }
  const all = Object.values(files).flat();
  const compiled = python(['-m', 'py_compile', ...all]);
  assert.equal(compiled.status, 0, compiled.stderr);
  for (const backend of BACKENDS) {
    if (!available[backend]) {
      t.diagnostic(`${backend} is not importable here: its ${files[backend].length} modules were compiled, not run`);
      continue;
    }
    const results = selfChecks(files[backend], interpreters[backend]);
    results.forEach((r, i) => assert.equal(r.code, 0, `${files[backend][i]}:\n${r.out}`));
    t.diagnostic(`${backend}: ${results.length} self-checks passed`);
  }
});

test('a wrong gradient fails the self-check (it is not vacuous)', (t) => {
  if (!available.numpy) return void t.diagnostic('NumPy is not importable here: skipped running the mutated module');
  const text = readFileSync(join(EXAMPLES, 'neuron.mcalc'), 'utf8');
  const code = exportGradient(analyze(text), { of: 'loss', wrt: ['w', 'b'], backend: 'numpy', source: 'neuron.mcalc' });
  const mutated = code.replace(/return (\w+), \{"w": _asarray\((\w+)\)/, 'return $1, {"w": _asarray(1.01 * $2)');
  assert.notEqual(mutated, code, 'the mutation applies');
  const [right, wrong] = selfChecks([write('right.py', code), write('wrong.py', mutated)]);
  assert.equal(right.code, 0, right.out);
  assert.equal(wrong.code, 1, wrong.out);
  assert.match(wrong.out, /mismatch: d\/dw/);
  // A mask that is always on is right at positive inputs only: the signed point notices it.
  const masked = code.replace(/_ind\((\w+) > 0\.0\)/, '_ind($1 > -1e9)');
  assert.notEqual(masked, code, 'the mask is there to break');
  const [mask] = selfChecks([write('mask.py', masked)]);
  assert.equal(mask.code, 1, mask.out);
  assert.match(mask.out, /mismatch: d\/dw\[\d+\] at signed inputs/);
  assert.match(right.out, /gradient elements at 2 points/);
});

test('a module whose library is missing stops with one sentence naming it, not a traceback', (t) => {
  if (!hasPython) return void t.diagnostic('python3 is not installed: skipped');
  const text = readFileSync(join(EXAMPLES, 'neuron.mcalc'), 'utf8');
  for (const backend of BACKENDS) {
    const code = exportGradient(analyze(text), { of: 'loss', backend, source: 'neuron.mcalc' });
    const needs = code.match(/^for _package in \((.*)\):$/m);
    assert.ok(needs, `${backend}: the module checks its packages first`);
    assert.match(needs[1], backend === 'numpy' ? /^"numpy",$/ : new RegExp(`^"numpy", "${backend === 'pytorch' ? 'torch' : 'jax'}",$`));
    // A package surely missing stands in for the library (which may or may not be installed here).
    const file = write(`missing_${backend}.py`, code.replace(needs[0], 'for _package in ("mcalc_missing_package",):'));
    const run = python([file]);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr.trim(), /^This module needs mcalc_missing_package \(pip install mcalc_missing_package\), which is not installed for \S+\.$/);
    const imported = python(['-c', `import importlib.util as u; s = u.spec_from_file_location("m", ${JSON.stringify(file)}); s.loader.exec_module(u.module_from_spec(s))`]);
    assert.match(imported.stderr, /ImportError: This module needs mcalc_missing_package/);
  }
});

test('random scalar functions export to NumPy modules whose gradients agree with central differences', (t) => {
  const sources = fc.sample(exprArb('scalar', 3), { numRuns: 40, seed: 11 });
  const files = sources.map((e, i) => {
    const a = analyze(`${PRELUDE}f = ${e}\n`);
    assert.equal(a.diagnostics.filter((d) => d.severity === 'error').length, 0, e);
    const f = a.definition('f')!.node!;
    if (f.vars.size === 0) return undefined;
    return write(`random_${i}.py`, exportGradient(a, { of: 'f', backend: 'numpy', source: `random ${i}` }));
  });
  const real = files.filter((f): f is string => !!f);
  if (!available.numpy) return void t.diagnostic('NumPy is not importable here: random modules generated, not run');
  const results = selfChecks(real);
  results.forEach((r, i) => assert.equal(r.code, 0, `${readFileSync(real[i], 'utf8').split('\n').slice(0, 8).join('\n')}\n${r.out}`));
  t.diagnostic(`${results.length} random modules passed their self-checks`);
});

test('names that are Python keywords or not identifiers become valid parameters', (t) => {
  const a = analyze('lambda, θ: scalar\nw_1: vector[3]\nloss = lambda * θ + sum(w_1 ⊗ w_1)\n');
  const code = exportGradient(a, { of: 'loss', backend: 'numpy', source: 'names.mcalc' });
  assert.match(code, /^def value_and_grad\(\*, lambda_, θ, w_1\):/m);
  if (!available.numpy) return void t.diagnostic('NumPy is not importable here');
  const [r] = selfChecks([write('names.py', code)]);
  assert.equal(r.code, 0, r.out);
});

test('export refuses what it cannot write, in plain words', () => {
  const a = analyze('dim n\nx: vector[n]\nW: matrix[n, n]\nh = W * x\n');
  assert.throws(() => exportGradient(a, { of: 'h', backend: 'numpy', source: 'h' }), (e: Error) => e instanceof ExportError && /vector\[n\]: export writes the gradient of a scalar/.test(e.message));
  assert.throws(() => exportGradient(a, { of: 'nope', backend: 'numpy', source: 'h' }), /no definition named 'nope'/);
  const b = analyze('dim n\nx: vector[n]\nloss = sum(x)\n');
  assert.throws(() => exportGradient(b, { of: 'loss', wrt: ['y'], backend: 'numpy', source: 'h' }), /There is no variable named 'y'/);
});

test('the command line\'s mistakes exit 2 and name what was meant, the same in derive and export; the document\'s exit 1', async () => {
  const file = join(dir, 'names.mcalc');
  writeFileSync(file, 'dim n\nw, x: vector[n]\nb, y: scalar\nz1 = w · x + b\nloss = (y - z1)^2\np = w ⊗ x\n');
  const run = async (...args: string[]) => {
    const r = await runMcalc(...args);
    return [r.code, r.err.trim()];
  };
  const definitionNotVariable = /^mcalc: 'z1' is a definition, not a variable: derivatives are taken with respect to declared variables \(variables: w, x, b, y\)\./;
  const [deriveCode, deriveErr] = await run('derive', file, '--of', 'loss', '--wrt', 'z1');
  const [exportCode, exportErr] = await run('export', file, '--of', 'loss', '--wrt', 'z1');
  assert.deepEqual([deriveCode, exportCode], [2, 2]);
  assert.match(deriveErr as string, definitionNotVariable);
  assert.match(exportErr as string, definitionNotVariable);
  for (const command of ['derive', 'export']) {
    assert.deepEqual(await run(command, file, '--of', 'los', '--wrt', 'w'), [2, "mcalc: There is no definition named 'los'; did you mean 'loss'?"]);
  }
  assert.deepEqual(await run('export', file, '--of', 'p'), [2, "mcalc: 'p' is vector[n]: export writes the gradient of a scalar function (a loss). Export a scalar such as sum(p) or a loss built from it."]);
  assert.deepEqual((await run('derive', file, '--of', 'p', '--wrt', 'w', '--form', 'grad'))[0], 2);
  assert.deepEqual((await run('export', join(dir, 'missing.mcalc'), '--of', 'loss'))[0], 2);
  writeFileSync(file, 'dim n\nw: vector[n]\nloss = sum(w) + q\n');
  assert.deepEqual((await run('export', file, '--of', 'loss'))[0], 1);
});

test('mcalc export: prints or writes the module, never overwrites without --force', async () => {
  const neuron = join(EXAMPLES, 'neuron.mcalc');
  const printed = await runMcalc('export', neuron, '--of', 'loss', '--wrt', 'w,b', '--to', 'pytorch');
  assert.equal(printed.code, 0, printed.err);
  assert.match(printed.out, /^import torch$/m);
  assert.match(printed.out, /^GRADIENT_OF = \("w", "b"\)$/m);
  const out = join(dir, 'cli.py');
  const first = await runMcalc('export', neuron, '--of', 'loss', '--to', 'jax', '--out', out);
  assert.equal(first.code, 0, first.err);
  assert.match(readFileSync(out, 'utf8'), /import jax\.numpy as xp/);
  const again = await runMcalc('export', neuron, '--of', 'loss', '--out', out);
  assert.equal(again.code, 2);
  assert.match(again.err, /exists: choose another --out, or add --force/);
  assert.equal((await runMcalc('export', neuron, '--of', 'loss', '--out', out, '--force')).code, 0);
  const bad = await runMcalc('export', neuron, '--of', 'loss', '--to', 'tensorflow');
  assert.equal(bad.code, 2);
});
