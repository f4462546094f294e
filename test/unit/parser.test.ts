import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseExpression } from '../../src/core/parser.ts';
import { tokenize } from '../../src/core/lexer.ts';
import type { Expr } from '../../src/core/ast.ts';

/** Compact s-expression of an AST, for readable assertions. */
function sx(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return e.text;
    case 'name':
      return e.name;
    case 'vector':
      return `[${e.elements.map(sx).join(e.rows ? '; ' : ' ')}]`;
    case 'constant':
      return `(${e.constant}${e.index !== undefined ? ` ${e.index}` : ''} ${e.dims.map((d) => (d.kind === 'name' ? d.name : d.value)).join(' ')})`;
    case 'index':
      return `(index ${sx(e.target)} ${sx(e.index)})`;
    case 'transpose':
      return `(T ${sx(e.operand)})`;
    case 'neg':
      return `(neg ${sx(e.operand)})`;
    case 'binary':
      return `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case 'call':
      return `(${e.callee} ${e.args.map(sx).join(' ')})`;
    case 'derivative':
      return `(${e.form}/${e.syntax} ${sx(e.of)} ${e.wrt.name})`;
    case 'error':
      return '<error>';
  }
}

function expr(src: string): string {
  const r = parseExpression(src);
  assert.deepEqual(r.problems, [], `problems parsing ${src}`);
  return sx(r.expr!);
}

test('lexer folds Unicode and ASCII spellings of each operator into one kind', () => {
  const kinds = (s: string) => tokenize(s).filter((t) => t.kind !== 'eof').map((t) => t.kind);
  assert.deepEqual(kinds('a ⊗ b .* c'), ['name', 'hadamard', 'name', 'hadamard', 'name']);
  assert.deepEqual(kinds('a ⊘ b ./ c'), ['name', 'ediv', 'name', 'ediv', 'name']);
  assert.deepEqual(kinds("x' xᵀ x^T"), ['name', 'transpose', 'name', 'transpose', 'name', 'transpose']);
  assert.deepEqual(kinds('a · b ⋅ c − d'), ['name', 'dot', 'name', 'dot', 'name', '-', 'name']);
  assert.deepEqual(kinds('θ w_1 σ(z)'), ['name', 'name', 'name', '(', 'name', ')']);
  assert.deepEqual(kinds('1e-3 0.5 .5 2'), ['number', 'number', 'number', 'number']);
  // `x^Tau` is x to the power Tau, not a transpose.
  assert.deepEqual(kinds('x^Tau'), ['name', '^', 'name']);
  // `2.*x` is 2 times x element-wise, not the number `2.` times x.
  assert.deepEqual(kinds('2.*x'), ['number', 'hadamard', 'name']);
});


test('lexer: numbers of any length, values, and a range whose end no token crosses', () => {
  const tokens = (s: string, from?: number, to?: number) => tokenize(s, from, to).map((t) => [t.kind, t.text, t.start, t.end, t.value]);
  assert.deepEqual(tokens('1. 2.5e3 .5E-1 7e'), [
    ['number', '1.', 0, 2, 1],
    ['number', '2.5e3', 3, 8, 2500],
    ['number', '.5E-1', 9, 14, 0.05],
    ['number', '7', 15, 16, 7],
    ['name', 'e', 16, 17, undefined],
    ['eof', '', 17, 17, undefined],
  ]);
  const long = '1'.repeat(80);
  assert.deepEqual(tokens(long), [['number', long, 0, 80, Number(long)], ['eof', '', 80, 80, undefined]]);
  // Signature help tokenizes a line up to the cursor: `.*`, `>=`, `⁻¹` and `^T` that straddle it end before it.
  assert.deepEqual(tokens('a.*b >= c⁻¹ d^T', 0, 2).map((t) => t[0]), ['name', 'invalid', 'eof']);
  assert.deepEqual(tokens('a >= b', 0, 3).map((t) => t[0]), ['name', '>', 'eof']);
  assert.deepEqual(tokens('c⁻¹', 0, 2).map((t) => t[0]), ['name', 'invalid', 'eof']);
  assert.deepEqual(tokens('d^T', 0, 2).map((t) => t[0]), ['name', '^', 'eof']);
  assert.deepEqual(tokens('α·β 𝐈 𝐞₂ 𝐞_j 𝟏 ⁻ᵀ $').map((t) => [t[0], t[1]]), [
    ['name', 'α'], ['dot', '·'], ['name', 'β'], ['glyph', '𝐈'], ['glyph', '𝐞₂'], ['glyph', '𝐞_j'], ['glyph', '𝟏'], ['inverseTranspose', '⁻ᵀ'], ['invalid', '$'], ['eof', ''],
  ]);
});
test('precedence: comparison < additive < multiplicative < unary minus < power < postfix', () => {
  assert.equal(expr('w · x + b'), '(+ (dot w x) b)');
  assert.equal(expr('-x^2'), '(neg (^ x 2))');
  assert.equal(expr('x^-1'), '(^ x (neg 1))');
  assert.equal(expr('a + b * c'), '(+ a (* b c))');
  assert.equal(expr('a - b - c'), '(- (- a b) c)');
  assert.equal(expr('a^b^c'), '(^ a (^ b c))');
  assert.equal(expr('z > 0'), '(> z 0)');
  assert.equal(expr('-2*(y - a)*(z > 0)*xᵀ'), '(* (* (* (neg 2) (- y a)) (> z 0)) (T x))');
  assert.equal(expr('W*x + b'), '(+ (* W x) b)');
});

test('transposes: postfix forms, on powers (x^2ᵀ is (x^2)ᵀ) and inside brackets in exponents', () => {
  assert.equal(expr("x'"), '(T x)');
  assert.equal(expr('xᵀ * y'), '(* (T x) y)');
  assert.equal(expr('x^T * A * x'), '(* (* (T x) A) x)');
  assert.equal(expr('x^2ᵀ'), '(T (^ x 2))');
  assert.equal(expr('(A*B)ᵀ'), '(T (* A B))');
  assert.equal(expr('2^(xᵀ * y)'), '(^ 2 (* (T x) y))');
});

test('calls, vector literals and elements', () => {
  assert.equal(expr('max(0, z)'), '(max 0 z)');
  assert.equal(expr('[1, 2, x]'), '[1 2 x]');
  assert.equal(expr('x[2] + w[1]'), '(+ (index x 2) (index w 1))');
  assert.equal(expr('sum(exp(x))'), '(sum (exp x))');
});

test('derivative forms: d(f)/d(x), ∂f/∂x, ∂(expr)/∂x, grad, jacobian, hessian', () => {
  assert.equal(expr('d(loss)/d(w)'), '(jacobian/d loss w)');
  assert.equal(expr('∂loss/∂w'), '(jacobian/partial loss w)');
  assert.equal(expr('∂(w·x)/∂w'), '(jacobian/partial (dot w x) w)');
  assert.equal(expr('grad(loss, w)'), '(grad/call loss w)');
  assert.equal(expr('jacobian(f, x)'), '(jacobian/call f x)');
  assert.equal(expr('hessian(f, x)'), '(hessian/call f x)');
  assert.equal(expr('2 * d(f)/d(x)'), '(* 2 (jacobian/d f x))');
});

test('statements: dim, declarations sharing a type, definitions, claims, comments', () => {
  const r = parse('# comment\ndim n, m\nb, y: scalar   # trailing\nw: vector[n]\nW: matrix[m, 3]\nz = w · x\ncheck d(z)/d(w) = xᵀ\n');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(
    r.statements.map((s) => s.kind),
    ['dim', 'declare', 'declare', 'declare', 'define', 'claim'],
  );
  const decl = r.statements[1];
  assert.ok(decl.kind === 'declare');
  assert.deepEqual(decl.names.map((n) => n.name), ['b', 'y']);
  const mat = r.statements[3];
  assert.ok(mat.kind === 'declare' && mat.type.kind === 'matrix');
  assert.deepEqual([mat.type.rows, mat.type.cols].map((d) => (d.kind === 'name' ? d.name : d.value)), ['m', 3]);
});

test('recovery: a bad line is reported and every other line still parses', () => {
  const src = 'x: vector[n]\ny = x +\nz = sin(x)\nw = (x\nq: matrix[n]\nr = x ⊗ x\n';
  const r = parse(src);
  assert.deepEqual(r.statements.map((s) => (s.kind === 'define' ? s.name.name : s.kind)), ['declare', 'z', 'r']);
  assert.equal(r.problems.length, 3);
  const lines = r.problems.map((p) => src.slice(0, p.span.start).split('\n').length);
  assert.deepEqual(lines, [2, 4, 5]);
  assert.match(r.problems[0].message, /ends too early/);
  assert.match(r.problems[1].message, /Expected `\)`/);
  assert.match(r.problems[2].message, /`,` and the number of columns/);
});

test('problems name what was expected and give hints', () => {
  const msg = (src: string) => parse(src).problems[0];
  assert.match(msg('2 x').message, /Expected a declaration, a definition/);
  assert.match(msg('y = 2 x').hint ?? '', /implicit multiplication/);
  assert.match(msg('y = d(f)').message, /must be followed by \/d\(x\)/);
  assert.match(msg('y = d(f)/d(x + 1)').message, /only differentiate with respect to a declared variable/);
  assert.match(msg('y = grad(f)').message, /takes 2 arguments/);
  assert.match(msg('y = grad(f, 2*x)').message, /must be the name of a declared variable/);
  assert.match(msg('x: vector').hint ?? '', /vector\[n\]/);
  assert.match(msg('x: vector[0]').message, /positive integer/);
  assert.match(msg('y = a > b > c').message, /cannot be chained/);
  assert.match(msg('y = 3 $ 4').message, /Unexpected character '\$'/);
  assert.match(msg('check d(f)/d(x)').message, /Expected `=` in the claim/);
});

test('very deep nesting is parsed (depth 1000) and absurd nesting is reported, not a crash', () => {
  let e = 'x';
  for (let i = 0; i < 1000; i++) e = `log(1 + sin(${e})^2)`;
  const r = parse(`x: scalar\ny = ${e}\n`);
  assert.deepEqual(r.problems, []);
  const deep = '('.repeat(60_000) + 'x' + ')'.repeat(60_000);
  const r2 = parse(`y = ${deep}\nz = 1\n`);
  assert.equal(r2.problems.length, 1);
  assert.match(r2.problems[0].message, /nested too deeply/);
  assert.equal(r2.statements.length, 1);
});
