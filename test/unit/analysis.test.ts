import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, derivativeOf, hoverAt, type Analysis } from '../../src/core/analyze.ts';
import { formatShape } from '../../src/core/shape.ts';
import { hoverMarkdown, outline } from '../../src/core/presentation.ts';

const PRELUDE = 'dim n, m\nb, y, s: scalar\nw, x: vector[n]\nv: vector[m]\nW: matrix[m, n]\nS: matrix[n, n]\n';

/** The one diagnostic of a line appended to the prelude, with its 1-based line and the text it covers. */
function diag(line: string) {
  const text = PRELUDE + line + '\n';
  const a = analyze(text);
  const errs = a.diagnostics.filter((d) => d.severity !== 'information');
  assert.equal(errs.length, 1, `expected one diagnostic for ${JSON.stringify(line)}, got ${JSON.stringify(a.diagnostics.map((d) => d.message))}`);
  const d = errs[0];
  const covered = a.lines.lineText(d.range.start.line).slice(d.range.start.character, d.range.end.character);
  return { ...d, line: d.range.start.line + 1, covered };
}

function shapeOf(a: Analysis, name: string): string {
  const def = a.definition(name);
  assert.ok(def?.shape, `no shape for ${name}`);
  return formatShape(def.shape);
}

test('every subexpression of the paper\'s neuron gets its shape', () => {
  const text = readFileSync(join(__dirname, '../../examples/neuron.mcalc'), 'utf8');
  const a = analyze(text);
  assert.deepEqual(a.diagnostics, []);
  assert.equal(shapeOf(a, 'z'), 'scalar');
  assert.equal(shapeOf(a, 'a'), 'scalar');
  const at = (snippet: string, k = 0) => {
    const h = hoverAt(a, text.indexOf(snippet) + k)!;
    return `${h.text} : ${h.shape ? formatShape(h.shape) : '-'}`;
  };
  assert.equal(at('w · x + b'), 'w : vector[n]');
  assert.equal(at('w · x + b', 2), 'w · x : scalar');
  assert.equal(at('w · x + b', 6), 'w · x + b : scalar');
  assert.equal(at('(y - a)^2', 1), 'y : scalar');
  assert.equal(at('(y - a)^2', 3), '(y - a) : scalar');
});

test('shapes of products, transposes, reductions and matrix functions', () => {
  const a = analyze(`${PRELUDE}
p = W * x
q = xᵀ
r = xᵀ * w
o = x * wᵀ
t = xᵀ * S
u = W * S * x + v
e = x ⊗ w + s
f = sum(x) + mean(W) + norm(W)
g = tr(S) * det(S)
h = inv(S) * diag(x) * diag(S)
k = [b, y, s]
l = k[2]
c = (x > 0)
`);
  assert.deepEqual(a.diagnostics, []);
  const expected: Record<string, string> = {
    p: 'vector[m]', q: 'row vector[n]', r: 'scalar', o: 'matrix[n, n]', t: 'row vector[n]', u: 'vector[m]', e: 'vector[n]',
    f: 'scalar', g: 'scalar', h: 'vector[n]', k: 'vector[3]', l: 'scalar', c: 'vector[n]',
  };
  for (const [name, shape] of Object.entries(expected)) assert.equal(shapeOf(a, name), shape, name);
});

test('Jacobian shapes in numerator (default) and denominator layout, per the paper', () => {
  const src = `${PRELUDE}X: matrix[p, q]
j1 = d(s)/d(b)
j2 = d(s)/d(w)
j3 = d(x)/d(s)
j4 = d(W*x)/d(x)
j5 = d(s)/d(X)
j6 = d(W*x)/d(W)
g1 = grad(s, X)
h1 = hessian(w·x, w)
`;
  const dims = (layout: 'numerator' | 'denominator') => {
    const a = analyze(src, { layout });
    assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
    return Object.fromEntries(a.derivatives.map((d) => [d.definition, d.shapes[layout].dims.join('×')]));
  };
  assert.deepEqual(dims('numerator'), { j1: '1×1', j2: '1×n', j3: 'm×1'.replace('m', 'n'), j4: 'm×n', j5: 'q×p', j6: 'm×m×n', g1: 'p×q', h1: 'n×n' });
  assert.deepEqual(dims('denominator'), { j1: '1×1', j2: 'n×1', j3: '1×n', j4: 'n×m', j5: 'p×q', j6: 'm×n×m', g1: 'p×q', h1: 'n×n' });
});

test('hover on a derivative form lists both layouts and marks the active one', () => {
  const text = `${PRELUDE}g = d(s * w · x)/d(w)\n`;
  for (const layout of ['numerator', 'denominator'] as const) {
    const a = analyze(text, { layout });
    const h = hoverAt(a, text.indexOf('d(s'))!;
    const md = hoverMarkdown(h, layout);
    const active = layout === 'numerator' ? '1×n' : 'n×1';
    assert.ok(md.startsWith(`\`d(s * w · x)/d(w) : ${active}\``), md);
    assert.match(md, new RegExp(`${layout} layout: \`${active}\` \\*\\*\\(active\\)\\*\\*`));
    const other = layout === 'numerator' ? 'denominator layout: `n×1`' : 'numerator layout: `1×n`';
    assert.ok(md.includes(other) && !md.includes(`${other} **(active)**`), md);
  }
});

test('definitions may come in any order; names are resolved across the document', () => {
  const a = analyze('loss = (y - a)^2\na = max(0, z)\nz = w · x + b\nb, y: scalar\nw, x: vector[n]\n');
  assert.deepEqual(a.diagnostics, []);
  assert.equal(shapeOf(a, 'loss'), 'scalar');
});

test('diagnostics: names', () => {
  let d = diag('q = foo + 1');
  assert.equal(d.message, "Unknown name 'foo'.");
  assert.equal(d.covered, 'foo');
  d = diag('q = lss + 1\nlos = 2');
  assert.equal(d.hint, "Did you mean 'los'?");
  d = diag('w: scalar');
  assert.equal(d.code, 'duplicate-name');
  assert.match(d.message, /'w' is already declared on line 3/);
  d = diag('z = 1\nz = 2');
  assert.match(d.message, /'z' is already defined on line 7/);
  assert.equal(d.line, 8);
  d = diag('x = 2 * b');
  assert.match(d.message, /already declared as a variable/);
  d = diag('sum: scalar');
  assert.match(d.message, /'sum' is a built-in function/);
  d = diag('n: scalar');
  assert.match(d.message, /'n' is a dimension/);
  d = diag('q = sin');
  assert.match(d.message, /'sin' is a function: call it with arguments/);
  d = diag('q = w(2)');
  assert.match(d.message, /'w' is not a function/);
  assert.match(d.hint ?? '', /w \* \(…\)/);
});

test('diagnostics: functions and arguments', () => {
  let d = diag('q = sinn(x)');
  assert.equal(d.message, "Unknown function 'sinn'.");
  assert.equal(d.hint, "Did you mean 'sin'?");
  assert.equal(d.covered, 'sinn');
  d = diag('q = max(x)');
  assert.equal(d.message, 'max takes 2 arguments, but 1 was given.');
  assert.equal(d.covered, 'max(x)');
  d = diag('q = tr(W)');
  assert.equal(d.message, 'tr needs a square matrix, but matrix[m, n] has m rows and n columns.');
  d = diag('q = det(x)');
  assert.equal(d.message, 'det needs a square matrix, not vector[n].');
  d = diag('q = diag(b)');
  assert.match(d.message, /diag needs a vector or a square matrix, not scalar/);
});

test('diagnostics: shape and dimension mismatches name both shapes, with fix hints', () => {
  let d = diag('q = w * x');
  assert.ok(d.message.startsWith('Cannot multiply vector[n] by vector[n]'), d.message);
  assert.match(d.hint!, /⊗/);
  assert.match(d.hint!, /dot\(x, y\)/);
  assert.match(d.hint!, /xᵀ \* y/);
  assert.equal(d.covered, 'w * x');
  d = diag('q = x + v');
  assert.equal(d.message, 'Cannot add vector[n] and vector[m]: the sizes n and m differ.');
  d = diag('q = x + xᵀ');
  assert.match(d.message, /one is a column and the other a row/);
  d = diag('q = W * v');
  assert.equal(d.message, 'Cannot multiply matrix[m, n] by vector[m]: the left side has n columns but the right side has m rows.');
  assert.equal(d.hint, 'Did you mean to transpose the left side?');
  d = diag('q = x / w');
  assert.match(d.message, /`\/` divides by a scalar/);
  assert.match(d.hint!, /⊘/);
  d = diag('q = x ⊗ v');
  assert.match(d.message, /Cannot multiply element-wise vector\[n\] and vector\[m\]/);
  d = diag('q = x · v');
  assert.match(d.message, /same length, not vector\[n\] and vector\[m\]/);
  d = diag('q = x ^ w');
  assert.equal(d.message, 'Cannot raise vector[n] to the power vector[n] with `^`: one side must be a scalar.');
  assert.match(d.hint!, /x \.\^ y/);
  d = diag('q = [b, x]');
  assert.match(d.message, /must be scalars, but this one is vector\[n\]/);
  assert.equal(d.covered, 'x');
});

test('diagnostics: indices', () => {
  const three = 'k: vector[3]\n';
  let d = diag(`${three}q = k[4]`);
  assert.equal(d.message, 'Index 4 is out of range for vector[3] (indices run from 1 to 3).');
  assert.equal(d.covered, '4');
  d = diag('q = x[0]');
  assert.match(d.message, /whole number from 1 up/);
  d = diag('q = W[1]');
  assert.match(d.message, /Only vectors can be indexed/);
});

test('diagnostics: cycles, derivative forms and tensors', () => {
  let d = diag('p = q + 1\nq = p * 2');
  assert.equal(d.code, 'cycle');
  assert.match(d.message, /p → q → p|q → p → q/);
  d = diag('z = w · x\ng = d(b)/d(z)');
  assert.match(d.message, /'z' is a definition, not a variable/);
  assert.match(d.hint!, /w, x|x, w/);
  d = diag('g = d(b)/d(zz)');
  assert.equal(d.message, "Unknown variable 'zz'.");
  d = diag('g = grad(x, w)');
  assert.match(d.message, /grad\(f, x\) needs a scalar f, but f is vector\[n\]/);
  assert.match(d.hint!, /jacobian/);
  d = diag('g = hessian(b, W)');
  assert.match(d.message, /x to be a scalar or a vector/);
  d = diag('g = 2 * d(W*x)/d(W)');
  assert.match(d.message, /third-order tensor \(m×m×n\)/);
  const a = analyze(`${PRELUDE}g = d(b)/d(w)\n`);
  assert.equal(a.diagnostics.length, 1);
  assert.equal(a.diagnostics[0].severity, 'information');
  assert.match(a.diagnostics[0].message, /does not depend on w, so this derivative is zero/);
});

test('claims: shapes compared in the active layout, with the hint from the issue', () => {
  const claim = 'z = w · x + b\na = max(0, z)\nloss = (y - a)^2\ncheck d(loss)/d(w) = -2*(y - a)*(z > 0)*x';
  const d = diag(claim);
  assert.equal(d.message, 'The claim is vector[n] but d(loss)/d(w) is row vector[n] (1×n) in numerator layout.');
  assert.equal(d.hint, 'Transpose it, or use the denominator layout, or grad(loss, w).');
  // A gradient's shape is the same in both layouts: the message names no layout.
  const g = diag(claim.replace('check d(loss)/d(w) = -2*(y - a)*(z > 0)*x', 'check grad(loss, w) = -2*(y - a)*(z > 0)*xᵀ'));
  assert.equal(g.message, 'The claim is row vector[n] (1×n) but grad(loss, w) is vector[n].');
  assert.equal(d.covered, '-2*(y - a)*(z > 0)*x');
  const ok = analyze(`${PRELUDE}${claim}ᵀ\n`);
  assert.deepEqual(ok.diagnostics, []);
  const den = analyze(`${PRELUDE}${claim}\n`, { layout: 'denominator' });
  assert.deepEqual(den.diagnostics, []);
  assert.deepEqual(analyze(`${PRELUDE}${claim.replace('d(loss)/d(w)', 'grad(loss, w)')}\n`).diagnostics, []);
  const notDerivative = diag('check b = y');
  assert.match(notDerivative.message, /left side must be a derivative/);
});

test('outline lists dims, variables, definitions and claims in document order', () => {
  const a = analyze('dim n\nw: vector[n]\nz = w · w\ncheck d(z)/d(w) = 2*wᵀ\n');
  assert.deepEqual(
    outline(a).map((i) => `${i.kind}:${i.name}:${i.detail}`),
    ['dimension:n:dimension', 'variable:w:vector[n]', 'definition:z:scalar', 'claim:check d(z)/d(w):2*wᵀ'],
  );
});

test('derivativeOf builds a derivative for the CLI or explains why not', () => {
  const a = analyze(`${PRELUDE}loss = (y - w · x)^2\n`);
  const info = derivativeOf(a, 'loss', 'w');
  assert.ok(typeof info !== 'string');
  assert.deepEqual(info.shapes.numerator.dims, [1, 'n']);
  assert.equal(derivativeOf(a, 'los', 'w'), "There is no definition named 'los'; did you mean 'loss'?");
  assert.match(derivativeOf(a, 'gain', 'w') as string, /no definition named 'gain' \(definitions: loss\)\./);
  assert.match(derivativeOf(a, 'w', 'w') as string, /'w' is a variable, not a definition/);
  assert.match(derivativeOf(a, 'loss', 'q') as string, /no variable named 'q'/);
});

test('diagnostic ranges are precise on the right line', () => {
  const text = 'dim n\nw, x: vector[n]\n\nz = w * x   # oops\n';
  const a = analyze(text);
  assert.equal(a.diagnostics.length, 1);
  assert.deepEqual(a.diagnostics[0].range, { start: { line: 3, character: 4 }, end: { line: 3, character: 9 } });
});

test('a derivative hover also shows its symbolic result, cached per layout', async () => {
  const { cachedResult } = await import('../../src/core/diff/derivation.ts');
  const text = readFileSync(join(__dirname, '../../examples/neuron.mcalc'), 'utf8');
  const a = analyze(text);
  const h = hoverAt(a, text.indexOf('d(loss)/d(w)'))!;
  const result = cachedResult(a, h.derivative!, 'numerator');
  assert.equal(result?.text, '-2 * (y - a) * (z > 0) * xᵀ');
  assert.equal(cachedResult(a, h.derivative!, 'numerator'), result, 'second call hits the cache');
  assert.match(hoverMarkdown(h, 'numerator', result!), /\n\n`= -2 \* \(y - a\) \* \(z > 0\) \* xᵀ`$/);
});

test('quick fixes: suggested names, the operator alternatives for vector * vector, transposes for claims', () => {
  const text = `${PRELUDE}q = w * x\nr = sinn(w)\nt = w + xᵀ\nloss = sum(w)\ncheck d(loss)/d(w) = w + x\n`;
  const a = analyze(text);
  const fixes = (code: string, messageStart: string) => {
    const d = a.diagnostics.find((x) => x.code === code && x.message.startsWith(messageStart));
    assert.ok(d, `${code}: ${messageStart}`);
    return (d.fixes ?? []).map((f) => `${f.title} → ${f.edits.map((e) => `${a.lines.lineText(e.range.start.line).slice(e.range.start.character, e.range.end.character)}=>${e.newText}`).join(', ')}`);
  };
  assert.deepEqual(fixes('shape-mismatch', 'Cannot multiply vector[n]'), [
    'Use the element-wise product ⊗ → *=>⊗',
    'Use the dot product · → *=>·',
    'Transpose the left side (xᵀ * y) → w=>wᵀ',
  ]);
  assert.deepEqual(fixes('unknown-function', "Unknown function 'sinn'"), ["Change to 'sin' → sinn=>sin"]);
  assert.deepEqual(fixes('shape-mismatch', 'Cannot add vector[n] and row vector[n]'), ['Transpose the right side → xᵀ=>x']);
  assert.deepEqual(fixes('claim-shape', 'The claim is vector[n]'), ['Transpose the claimed formula → w + x=>(w + x)ᵀ', 'Claim grad(loss, w) instead → d(loss)/d(w)=>grad(loss, w)']);
});

test('an unknown name given as a size asks for a dimension, and declaring it as one works at once', () => {
  const a = analyze('f = ones(p, q)\n');
  const hints = a.diagnostics.filter((d) => d.code === 'unknown-name').map((d) => d.hint);
  assert.deepEqual(hints, ['Sizes are dimensions: declare it with `dim p` (or give a number, e.g. ones(3)).', 'Sizes are dimensions: declare it with `dim q` (or give a number, e.g. ones(3)).']);
  const fixed = analyze('dim p, q\nf = ones(p, q)\n');
  assert.deepEqual(fixed.diagnostics, []);
  assert.equal(shapeOf(fixed, 'f'), 'matrix[p, q]');
  // Elsewhere an unknown name keeps its usual hint.
  assert.match(analyze('f = 2 * p\n').diagnostics[0].hint ?? '', /Declare it \(`p: scalar`\)/);
});

test('hints for mistakes learners make: a Python power, an unknown function, a vector beside a matrix', () => {
  const a = analyze('dim n, m\nx: vector[n]\nW: matrix[m, n]\np = x ** 2\nq = foo(x)\nr = cos(W * x) ⊗ W\nt = x ⊗ W\n');
  const hints = Object.fromEntries(a.diagnostics.map((d) => [d.range.start.line, d.hint]));
  assert.equal(hints[3], 'Powers are written x^2 (and x .^ y element by element).');
  assert.match(hints[4]!, /built-in functions are listed in docs\/language\.md/);
  assert.equal(hints[5], 'To scale each row of the matrix by an element of the vector, write diag(v) * M.');
  assert.equal(hints[6], 'To scale each column of the matrix by an element of the vector, write M * diag(v).');
});
