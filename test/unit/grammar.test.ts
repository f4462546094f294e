// Tokenizes real mcalc and Markdown text with the TextMate grammars exactly as VS Code does
// (vscode-textmate + the oniguruma wasm; loading in helpers/textmate.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as vsctm from 'vscode-textmate';
import { ROOT, type Token, grammars, injectionContribution, loadGrammar, manifest, mcalcContribution, tokenScopes } from './helpers/textmate.ts';

const mcalcGrammar = loadGrammar(mcalcContribution.scopeName);

/** The tokens of a tokenized document, with lookups that fail loudly with the whole line's scopes. */
class Tokens {
  constructor(
    readonly source: string,
    readonly all: Token[],
  ) {}

  /** Tokens whose text is exactly `text`, optionally only on 0-based `line`. */
  named(text: string, line?: number): Token[] {
    return this.all.filter((t) => t.text === text && (line === undefined || t.line === line));
  }

  get(text: string, nth = 0, line?: number): Token {
    const found = this.named(text, line)[nth];
    assert.ok(found, `no token #${nth} with text ${JSON.stringify(text)}${line === undefined ? '' : ` on line ${line}`}\n${this.dump()}`);
    return found;
  }

  /** Asserts that the nth token with this exact text carries `scope` (a full scope name). */
  expect(text: string, scope: string, nth = 0, line?: number): Token {
    const tok = this.get(text, nth, line);
    assert.ok(
      tok.scopes.includes(scope),
      `token ${JSON.stringify(text)} (#${nth}, line ${tok.line}) lacks ${scope}; has: ${tok.scopes.join(' ')}`,
    );
    return tok;
  }

  /** Asserts that no token with this text carries a scope starting with `prefix`. */
  expectNone(text: string, prefix: string, line?: number): void {
    const toks = this.named(text, line);
    assert.ok(toks.length > 0, `no token with text ${JSON.stringify(text)}\n${this.dump()}`);
    for (const tok of toks) {
      const bad = tok.scopes.filter((s) => s.startsWith(prefix));
      assert.deepEqual(bad, [], `token ${JSON.stringify(text)} (line ${tok.line}) should have no ${prefix}* scope`);
    }
  }

  onLine(line: number): Token[] {
    return this.all.filter((t) => t.line === line);
  }

  dump(): string {
    return this.all.map((t) => `  ${t.line}: ${JSON.stringify(t.text)} ${t.scopes.join(' ')}`).join('\n');
  }
}

function tokenize(grammar: vsctm.IGrammar, source: string): Tokens {
  return new Tokens(source, tokenScopes(grammar, source));
}

async function mcalc(source: string): Promise<Tokens> {
  return tokenize(await mcalcGrammar, source);
}

const isMcalcScope = (s: string) => s.endsWith('.mcalc');

// The v1 example from the language description, verbatim.
const SAMPLE = `# the paper's neuron — comment to end of line
dim n, m                 # optional: dimension names can also first appear inside a type
b, y: scalar
w, x: vector[n]          # several names share one type; sizes may be literals: vector[3]
W: matrix[m, n]
z = w · x + b            # a definition: an intermediate variable, may use earlier names
a = max(0, z)
loss = (y - a)^2
g = d(loss)/d(w)         # a derivative form
check d(loss)/d(w) = -2*(y - a)*(z > 0)*xᵀ     # a claim to check
h = ∂(w·x)/∂w
H = hessian(loss, w)`;

test('comments run from # to the end of the line and swallow code-like text', async () => {
  const t = await mcalc(`# d(loss)/d(w) = 2·x  check dim
z = w · x   # trailing: a = max(0, z)
  # indented`);
  t.expect('#', 'punctuation.definition.comment.mcalc', 0, 0);
  t.expect('#', 'comment.line.number-sign.mcalc', 0, 0);
  const rest = t.expect(' d(loss)/d(w) = 2·x  check dim', 'comment.line.number-sign.mcalc');
  assert.equal(rest.scopes.length, 2, 'nothing inside a comment gets further scopes');
  t.expect('#', 'comment.line.number-sign.mcalc', 0, 1);
  const trailing = t.expect(' trailing: a = max(0, z)', 'comment.line.number-sign.mcalc');
  assert.ok(!trailing.scopes.includes('meta.definition.mcalc'), 'a trailing comment is outside the definition');
  t.expect('z', 'entity.name.variable.definition.mcalc', 0, 1);
  t.expect('#', 'punctuation.definition.comment.mcalc', 0, 2);
  t.expect(' indented', 'comment.line.number-sign.mcalc');
});

test('keywords: dim and check start their statements; names that only begin with them are names', async () => {
  const t = await mcalc(`dim n, m, d_1
check a = b
dimension: scalar
checked = dim2 + check_1`);
  t.expect('dim', 'keyword.other.dim.mcalc', 0, 0);
  t.expect('dim', 'meta.dim.mcalc', 0, 0);
  t.expect('n', 'variable.other.constant.dimension.mcalc', 0, 0);
  t.expect('m', 'variable.other.constant.dimension.mcalc', 0, 0);
  t.expect('d_1', 'variable.other.constant.dimension.mcalc', 0, 0);
  t.expect(',', 'punctuation.separator.comma.mcalc', 0, 0);
  t.expect('check', 'keyword.control.check.mcalc', 0, 1);
  t.expect('check', 'meta.claim.mcalc', 0, 1);
  t.expect('dimension', 'variable.other.declaration.mcalc', 0, 2);
  t.expectNone('dimension', 'keyword.');
  t.expect('checked', 'entity.name.variable.definition.mcalc', 0, 3);
  t.expect('dim2', 'variable.other.mcalc', 0, 3);
  t.expect('check_1', 'variable.other.mcalc', 0, 3);
  t.expectNone('checked', 'keyword.');
});

test('declarations: names sharing a type; scalar, vector[n], vector[3], matrix[m, n]', async () => {
  const t = await mcalc(`b, y: scalar
w, x: vector[n]
v: vector[3]
W: matrix[m, n]
θ, w_1 : matrix[4, k]`);
  for (const name of ['b', 'y', 'w', 'x', 'v', 'W', 'θ', 'w_1']) {
    t.expect(name, 'variable.other.declaration.mcalc');
    t.expect(name, 'meta.declaration.mcalc');
  }
  t.expect(',', 'punctuation.separator.comma.mcalc', 0, 0);
  t.expect(':', 'punctuation.separator.type-annotation.mcalc', 0, 0);
  t.expect(':', 'punctuation.separator.type-annotation.mcalc', 0, 4);
  t.expect('scalar', 'storage.type.scalar.mcalc');
  t.expect('vector', 'storage.type.vector.mcalc', 0, 1);
  t.expect('vector', 'meta.type.mcalc', 0, 1);
  t.expect('matrix', 'storage.type.matrix.mcalc', 0, 3);
  t.expect('[', 'punctuation.section.dimensions.begin.mcalc', 0, 1);
  t.expect(']', 'punctuation.section.dimensions.end.mcalc', 0, 1);
  t.expect('n', 'variable.other.constant.dimension.mcalc', 0, 1);
  t.expect('3', 'constant.numeric.integer.mcalc', 0, 2);
  t.expect('3', 'meta.type.mcalc', 0, 2);
  t.expect('m', 'variable.other.constant.dimension.mcalc', 0, 3);
  t.expect('n', 'variable.other.constant.dimension.mcalc', 0, 3);
  t.expect(',', 'punctuation.separator.comma.mcalc', 0, 3);
  t.expect('4', 'constant.numeric.integer.mcalc', 0, 4);
  t.expect('k', 'variable.other.constant.dimension.mcalc', 0, 4);
});

test('numbers: integers, decimals and exponents; digits inside names stay names', async () => {
  const t = await mcalc(`r = 2 + 0.5 - 1e-3 * 2.5E+10 / .5 + 3e2 + w_1 + x2`);
  t.expect('2', 'constant.numeric.integer.mcalc');
  t.expect('0.5', 'constant.numeric.float.mcalc');
  t.expect('1e-3', 'constant.numeric.float.mcalc');
  t.expect('2.5E+10', 'constant.numeric.float.mcalc');
  t.expect('.5', 'constant.numeric.float.mcalc');
  t.expect('3e2', 'constant.numeric.float.mcalc');
  t.expect('w_1', 'variable.other.mcalc');
  t.expect('x2', 'variable.other.mcalc');
  assert.equal(t.named('1').length, 0, 'the 1 of w_1 is not a number token');
});

test('definitions and names: the name left of = is a definition; Greek and _ names are single tokens', async () => {
  const t = await mcalc(`z = w · x + b
θ_2 = α*θ - η_lr*∇
  loss=y`);
  t.expect('z', 'entity.name.variable.definition.mcalc');
  t.expect('z', 'meta.definition.mcalc');
  t.expect('=', 'keyword.operator.assignment.mcalc', 0, 0);
  for (const name of ['w', 'x', 'b']) t.expect(name, 'variable.other.mcalc', 0, 0);
  t.expect('θ_2', 'entity.name.variable.definition.mcalc');
  t.expect('α', 'variable.other.mcalc');
  t.expect('θ', 'variable.other.mcalc');
  t.expect('η_lr', 'variable.other.mcalc');
  t.expect('loss', 'entity.name.variable.definition.mcalc', 0, 2);
  t.expect('y', 'variable.other.mcalc', 0, 2);
  // ∇ is not a letter of a name: it is left without an mcalc token scope.
  assert.deepEqual(t.get('∇').scopes, ['source.mcalc', 'meta.definition.mcalc']);
});

test('operators: + - * / ^, element-wise ⊗ .* ⊘ ./, dot ·, comparisons, commas', async () => {
  const t = await mcalc(`r = a + b - c * d / e ^ 2 + u ⊗ v + u .* v + u ⊘ v + u ./ v + 2.*v + u · v + u·v + min(a, b)
c = (a > b) + (a < b) + (a >= b) + (a <= b)`);
  for (const op of ['+', '-', '*', '/']) t.expect(op, 'keyword.operator.arithmetic.mcalc');
  t.expect('^', 'keyword.operator.arithmetic.power.mcalc');
  t.expect('⊗', 'keyword.operator.arithmetic.elementwise.mcalc');
  t.expect('.*', 'keyword.operator.arithmetic.elementwise.mcalc', 0);
  t.expect('.*', 'keyword.operator.arithmetic.elementwise.mcalc', 1); // 2.*v is 2 .* v, not the number 2.
  t.expect('⊘', 'keyword.operator.arithmetic.elementwise.mcalc');
  t.expect('./', 'keyword.operator.arithmetic.elementwise.mcalc');
  t.expect('·', 'keyword.operator.arithmetic.dot-product.mcalc', 0);
  t.expect('·', 'keyword.operator.arithmetic.dot-product.mcalc', 1);
  t.expect(',', 'punctuation.separator.comma.mcalc', 0, 0);
  t.expect('2', 'constant.numeric.integer.mcalc', 1, 0);
  for (const op of ['>', '<', '>=', '<=']) t.expect(op, 'keyword.operator.comparison.mcalc', 0, 1);
  t.expect('(', 'punctuation.section.parens.begin.mcalc', 0, 1);
  t.expect(')', 'punctuation.section.parens.end.mcalc', 0, 1);
});

test("transposes: postfix ', ᵀ and ^T; ^2 and ^Tx are powers", async () => {
  const t = await mcalc(`r = xᵀ + x' + x^T + (W·x)ᵀ + W ^ T + x^2 + x^Tx + [1, 2]ᵀ`);
  t.expect('x', 'variable.other.mcalc', 0); // xᵀ splits into x and ᵀ
  t.expect('ᵀ', 'keyword.operator.transpose.mcalc', 0);
  t.expect("'", 'keyword.operator.transpose.mcalc');
  t.expect('^T', 'keyword.operator.transpose.mcalc');
  t.expect('ᵀ', 'keyword.operator.transpose.mcalc', 1);
  t.expect('^ T', 'keyword.operator.transpose.mcalc');
  t.expect('^', 'keyword.operator.arithmetic.power.mcalc', 0);
  t.expect('2', 'constant.numeric.integer.mcalc', 0);
  t.expect('^', 'keyword.operator.arithmetic.power.mcalc', 1);
  t.expect('Tx', 'variable.other.mcalc');
  t.expect('ᵀ', 'keyword.operator.transpose.mcalc', 2);
  assert.equal(t.named('ᵀ').length, 3);
});

test('functions: every built-in (σ too) is support.function; any other name( is entity.name.function', async () => {
  const groups: Record<string, string[]> = {
    'support.function.math.mcalc': ['sin', 'cos', 'tan', 'exp', 'log', 'ln', 'sqrt', 'abs', 'tanh'],
    'support.function.activation.mcalc': ['sigmoid', 'σ', 'relu'],
    'support.function.reduction.mcalc': ['max', 'min', 'sum', 'mean', 'norm'],
    'support.function.linear-algebra.mcalc': ['tr', 'det', 'inv', 'diag', 'dot'],
  };
  const calls = Object.values(groups)
    .flat()
    .map((f) => `${f}(x)`)
    .join(' + ');
  const t = await mcalc(`r = ${calls} + swish(z) + my_op_2 (z) + gelu(θ)
s = max + σ + sum`);
  for (const [scope, names] of Object.entries(groups)) {
    for (const name of names) {
      const tok = t.expect(name, scope, 0, 0);
      assert.ok(tok.scopes.includes('meta.function-call.mcalc'));
    }
  }
  t.expect('swish', 'entity.name.function.mcalc');
  t.expect('my_op_2', 'entity.name.function.mcalc');
  t.expect('gelu', 'entity.name.function.mcalc');
  t.expect('(', 'punctuation.section.arguments.begin.mcalc', 0, 0);
  t.expect(')', 'punctuation.section.arguments.end.mcalc', 0, 0);
  t.expect('θ', 'meta.function-call.mcalc');
  // Without a following "(", a built-in's name is just a name.
  for (const name of ['max', 'σ', 'sum']) t.expect(name, 'variable.other.mcalc', 0, 1);
  t.expectNone('max', 'support.function', 1);
});

test('derivative forms: d(f)/d(x), ∂f/∂x, ∂(expr)/∂x, grad, jacobian, hessian', async () => {
  const t = await mcalc(`g = d(loss)/d(w)
h = ∂f/∂x
k = ∂(w·x)/∂w
G = grad(f, x) + jacobian(f, x) + hessian(loss, w)
q = a / b + d_2(x) / dx`);
  t.expect('d', 'support.function.derivative.mcalc', 0, 0);
  t.expect('d', 'support.function.derivative.mcalc', 1, 0);
  t.expect('/', 'keyword.operator.derivative.mcalc', 0, 0);
  t.expect('loss', 'variable.other.mcalc', 0, 0);
  t.expect('loss', 'meta.function-call.mcalc', 0, 0);
  t.expect('w', 'variable.other.mcalc', 0, 0);
  t.expect('∂', 'support.function.derivative.mcalc', 0, 1);
  t.expect('∂', 'support.function.derivative.mcalc', 1, 1);
  t.expect('f', 'variable.other.mcalc', 0, 1);
  t.expect('x', 'variable.other.mcalc', 0, 1);
  t.expect('/', 'keyword.operator.derivative.mcalc', 0, 1);
  t.expect('∂', 'support.function.derivative.mcalc', 0, 2);
  t.expect('(', 'punctuation.section.parens.begin.mcalc', 0, 2);
  t.expect('·', 'meta.parens.mcalc', 0, 2);
  t.expect('/', 'keyword.operator.derivative.mcalc', 0, 2);
  t.expect('∂', 'support.function.derivative.mcalc', 1, 2);
  for (const f of ['grad', 'jacobian', 'hessian']) t.expect(f, 'support.function.derivative.mcalc', 0, 3);
  // Plain division, and names merely starting with d, are not derivatives.
  t.expect('/', 'keyword.operator.arithmetic.mcalc', 0, 4);
  t.expect('/', 'keyword.operator.arithmetic.mcalc', 1, 4);
  t.expect('d_2', 'entity.name.function.mcalc', 0, 4);
  t.expect('dx', 'variable.other.mcalc', 0, 4);
});

test('claims: check lhs = rhs, with the claim = distinct from a definition =', async () => {
  const t = await mcalc(`check d(loss)/d(w) = -2*(y - a)*(z > 0)*xᵀ     # a claim to check
check σ(z) >= 0
z = w · x`);
  t.expect('check', 'keyword.control.check.mcalc', 0, 0);
  t.expect('=', 'keyword.operator.comparison.claim.mcalc', 0, 0);
  t.expect('=', 'meta.claim.mcalc', 0, 0);
  t.expect('d', 'support.function.derivative.mcalc', 0, 0);
  t.expect('/', 'keyword.operator.derivative.mcalc', 0, 0);
  t.expect('-', 'keyword.operator.arithmetic.mcalc', 0, 0);
  t.expect('2', 'constant.numeric.integer.mcalc', 0, 0);
  t.expect('>', 'keyword.operator.comparison.mcalc', 0, 0);
  t.expect('ᵀ', 'keyword.operator.transpose.mcalc', 0, 0);
  t.expect('ᵀ', 'meta.claim.mcalc', 0, 0);
  const comment = t.expect(' a claim to check', 'comment.line.number-sign.mcalc');
  assert.ok(!comment.scopes.includes('meta.claim.mcalc'));
  t.expect('σ', 'support.function.activation.mcalc', 0, 1);
  t.expect('>=', 'keyword.operator.comparison.mcalc', 0, 1);
  t.expectNone('=', 'keyword.operator.comparison.claim', 2);
  t.expect('=', 'keyword.operator.assignment.mcalc', 0, 2);
});

test('vector literals [e1, e2, …] and element access x[i]', async () => {
  const t = await mcalc(`v = [1, 2.5, x[i], W[0], tr(W)]
e = x[i] + (W·x)[2]`);
  t.expect('[', 'punctuation.section.vector.begin.mcalc', 0, 0);
  t.expect('[', 'meta.vector-literal.mcalc', 0, 0);
  t.expect('1', 'meta.vector-literal.mcalc', 0, 0);
  t.expect('2.5', 'constant.numeric.float.mcalc', 0, 0);
  t.expect(',', 'punctuation.separator.comma.mcalc', 0, 0);
  t.expect('[', 'punctuation.section.index.begin.mcalc', 1, 0);
  t.expect('i', 'meta.index.mcalc', 0, 0);
  t.expect('i', 'variable.other.mcalc', 0, 0);
  t.expect(']', 'punctuation.section.index.end.mcalc', 0, 0);
  t.expect('0', 'constant.numeric.integer.mcalc', 0, 0);
  t.expect('0', 'meta.index.mcalc', 0, 0);
  t.expect('tr', 'support.function.linear-algebra.mcalc', 0, 0);
  const lastBracket = t.named(']', 0).at(-1);
  assert.ok(lastBracket?.scopes.includes('punctuation.section.vector.end.mcalc'), 'the literal closes with its own ]');
  t.expect('[', 'punctuation.section.index.begin.mcalc', 0, 1);
  t.expect('[', 'punctuation.section.index.begin.mcalc', 1, 1); // after a closing )
  t.expect('2', 'meta.index.mcalc', 0, 1);
});

test("the spec's sample program: every non-blank token gets an mcalc scope; an open ( does not leak", async () => {
  const t = await mcalc(SAMPLE);
  for (const tok of t.all) {
    if (tok.text.trim() === '') continue;
    const own = tok.scopes.filter((s) => isMcalcScope(s) && s !== 'source.mcalc' && !s.startsWith('meta.'));
    assert.ok(own.length > 0, `token ${JSON.stringify(tok.text)} on line ${tok.line} has only ${tok.scopes.join(' ')}`);
    assert.ok(!tok.scopes.some((s) => s.startsWith('invalid')), `token ${JSON.stringify(tok.text)} is invalid`);
  }
  t.expect('H', 'entity.name.variable.definition.mcalc');
  t.expect('hessian', 'support.function.derivative.mcalc');
  // The apostrophe in the first comment is not a transpose.
  assert.ok(!t.all.some((tok) => tok.line === 0 && tok.scopes.includes('keyword.operator.transpose.mcalc')));

  // While typing: an unclosed call ends with its line, so the next line is still a declaration.
  const typing = await mcalc(`a = max(0, z
b: scalar
v = [1, 2
c = 3`);
  typing.expect('b', 'variable.other.declaration.mcalc', 0, 1);
  typing.expect('scalar', 'storage.type.scalar.mcalc', 0, 1);
  for (const tok of typing.onLine(1)) assert.ok(!tok.scopes.includes('meta.function-call.mcalc'));
  typing.expect('c', 'entity.name.variable.definition.mcalc', 0, 3);
  for (const tok of typing.onLine(3)) assert.ok(!tok.scopes.includes('meta.vector-literal.mcalc'));
});

test('language-configuration.json agrees with the grammar: words, comment and brackets', async () => {
  const languageContribution = manifest.contributes.languages.find((l) => l.id === 'mcalc');
  assert.ok(languageContribution?.configuration, 'package.json names a language configuration');
  const config = JSON.parse(readFileSync(path.join(ROOT, languageContribution.configuration), 'utf8')) as {
    comments: { lineComment: string };
    brackets: [string, string][];
    autoClosingPairs: { open: string; close: string }[];
    surroundingPairs: [string, string][];
    wordPattern: string;
  };
  const t = await mcalc(`${SAMPLE}
θ_1, w_2: vector[3]
r = σ(θ_1 · w_2)' + 0.5e-3 + v[1]`);

  // Every name or number token is exactly one word; operator tokens hold no word at all.
  const words = (text: string) => text.match(new RegExp(config.wordPattern, 'g')) ?? [];
  const wordScopes = [
    'variable.other.mcalc',
    'variable.other.declaration.mcalc',
    'variable.other.constant.dimension.mcalc',
    'entity.name.variable.definition.mcalc',
    'entity.name.function.mcalc',
    'support.function.activation.mcalc',
    'constant.numeric.integer.mcalc',
    'constant.numeric.float.mcalc',
  ];
  let checked = 0;
  for (const tok of t.all) {
    if (tok.scopes.some((s) => wordScopes.includes(s))) {
      assert.deepEqual(words(tok.text), [tok.text], `wordPattern should select ${JSON.stringify(tok.text)} whole`);
      checked++;
    } else if (tok.scopes.some((s) => s.startsWith('keyword.operator.') || s.startsWith('punctuation.'))) {
      assert.deepEqual(words(tok.text), [], `operator ${JSON.stringify(tok.text)} is not part of a word`);
    }
  }
  assert.ok(checked > 40, `checked ${checked} word tokens`);
  t.expect('θ_1', 'variable.other.declaration.mcalc');
  t.expect('σ', 'support.function.activation.mcalc');

  // The comment toggle inserts exactly what the grammar scopes as a comment start.
  t.expect(config.comments.lineComment, 'punctuation.definition.comment.mcalc');
  // Every configured bracket pair is a pair of begin/end punctuation tokens in the grammar.
  for (const [open, close] of config.brackets) {
    const opens = t.named(open).filter((tok) => tok.scopes.some((s) => s.startsWith('punctuation.') && s.includes('.begin.')));
    const closes = t.named(close).filter((tok) => tok.scopes.some((s) => s.startsWith('punctuation.') && s.includes('.end.')));
    assert.ok(opens.length > 0 && opens.length === closes.length, `balanced ${open}${close} punctuation tokens`);
  }
  // ' is the transpose operator, so it must never be auto-closed like a quote.
  t.expect("'", 'keyword.operator.transpose.mcalc');
  assert.ok(!config.autoClosingPairs.some((p) => p.open === "'"));
  assert.deepEqual(config.surroundingPairs, config.brackets);
});

// ---------------------------------------------------------------------------------------------
// Markdown: the injection grammar, applied to a stand-in text.html.markdown via getInjections.

const MARKDOWN = [
  /* 0 */ '# Neuron check',
  /* 1 */ 'The product `z = w · x` and check d(loss)/d(w) = 0 stay prose.',
  /* 2 */ '```mcalc {.numberLines title="neuron"}',
  /* 3 */ 'check d(loss)/d(w) = xᵀ',
  /* 4 */ '# a comment, not a heading',
  /* 5 */ 'w: vector[n]',
  /* 6 */ '```',
  /* 7 */ 'After the fence: dim n and max(0, z)',
  /* 8 */ '~~~MCALC',
  /* 9 */ 'z = w·x',
  /* 10 */ '~~~',
  /* 11 */ '  ```mcalc',
  /* 12 */ '  a = max(0, z)',
  /* 13 */ '  ```',
  /* 14 */ '```python',
  /* 15 */ 'x = max(1) # c',
  /* 16 */ '```',
  /* 17 */ '```mcalcx',
  /* 18 */ 'z = 1',
  /* 19 */ '```',
].join('\n');

test('markdown: a ```mcalc fence gets mcalc tokens inside and only inside', async () => {
  // The manifest's files carry the scope names the manifest declares.
  for (const g of grammars) {
    const raw = JSON.parse(readFileSync(path.join(ROOT, g.path), 'utf8')) as { scopeName: string };
    assert.equal(raw.scopeName, g.scopeName, `${g.path} declares scopeName ${g.scopeName}`);
  }
  const embedded = Object.entries(injectionContribution.embeddedLanguages ?? {});
  assert.deepEqual(embedded, [['meta.embedded.block.mcalc', 'mcalc']]);
  const [embeddedScope] = embedded[0]!;

  const t = tokenize(await loadGrammar('text.html.markdown'), MARKDOWN);

  // The opening fence line: Markdown punctuation, language and attributes.
  t.expect('```', 'punctuation.definition.markdown', 0, 2);
  t.expect('mcalc', 'fenced_code.block.language.markdown', 0, 2);
  t.expect(' {.numberLines title="neuron"}', 'fenced_code.block.language.attributes.markdown', 0, 2);

  // Inside: the mcalc grammar, under the embedded-language scope VS Code maps to `mcalc`.
  const inside = [
    ['check', 'keyword.control.check.mcalc', 3],
    ['d', 'support.function.derivative.mcalc', 3],
    ['/', 'keyword.operator.derivative.mcalc', 3],
    ['=', 'keyword.operator.comparison.claim.mcalc', 3],
    ['ᵀ', 'keyword.operator.transpose.mcalc', 3],
    ['#', 'punctuation.definition.comment.mcalc', 4],
    [' a comment, not a heading', 'comment.line.number-sign.mcalc', 4],
    ['w', 'variable.other.declaration.mcalc', 5],
    ['vector', 'storage.type.vector.mcalc', 5],
    ['n', 'variable.other.constant.dimension.mcalc', 5],
  ] as const;
  for (const [text, scope, line] of inside) {
    const tok = t.expect(text, scope, 0, line);
    assert.ok(tok.scopes.includes(embeddedScope), `${JSON.stringify(text)} is inside ${embeddedScope}`);
    assert.ok(tok.scopes.includes('markup.fenced_code.block.markdown'));
    assert.ok(!tok.scopes.includes('markup.heading.markdown'));
  }

  // Outside: the heading, prose and inline code mentioning mcalc syntax, the fences themselves.
  for (const line of [0, 1, 2, 6, 7]) {
    for (const tok of t.onLine(line)) {
      assert.deepEqual(tok.scopes.filter(isMcalcScope), [], `line ${line} ${JSON.stringify(tok.text)} has no mcalc scope`);
      assert.ok(!tok.scopes.includes(embeddedScope));
    }
  }
  t.expect('#', 'punctuation.definition.heading.markdown', 0, 0);
  t.expect('z = w · x', 'markup.inline.raw.string.markdown', 0, 1);
  t.expect('```', 'punctuation.definition.markdown', 0, 6);
  t.expect('After the fence: dim n and max(0, z)', 'meta.paragraph.markdown', 0, 7);
});

test('markdown: ~~~ and indented fences and any case of the tag; not other languages nor mcalcx', async () => {
  const t = tokenize(await loadGrammar('text.html.markdown'), MARKDOWN);
  t.expect('~~~', 'punctuation.definition.markdown', 0, 8);
  t.expect('MCALC', 'fenced_code.block.language.markdown', 0, 8);
  t.expect('z', 'entity.name.variable.definition.mcalc', 0, 9);
  t.expect('·', 'keyword.operator.arithmetic.dot-product.mcalc', 0, 9);
  t.expect('z', 'meta.embedded.block.mcalc', 0, 9);
  t.expect('~~~', 'punctuation.definition.markdown', 0, 10);
  t.expect('mcalc', 'fenced_code.block.language.markdown', 0, 11);
  t.expect('a', 'entity.name.variable.definition.mcalc', 0, 12);
  t.expect('max', 'support.function.reduction.mcalc', 0, 12);
  t.expect('```', 'punctuation.definition.markdown', 0, 13);
  // Other fences keep the base grammar's plain raw block.
  for (const line of [14, 15, 16, 17, 18, 19]) {
    for (const tok of t.onLine(line)) {
      assert.deepEqual(tok.scopes.filter(isMcalcScope), [], `line ${line} ${JSON.stringify(tok.text)} has no mcalc scope`);
    }
  }
  t.expect('x = max(1) # c', 'markup.raw.block.markdown', 0, 15);
  t.expect('z = 1', 'markup.raw.block.markdown', 0, 18);
  t.expect('mcalcx', 'fenced_code.block.language', 0, 17);
});

test('markdown: without the registry injecting the grammar, the same fence is a plain raw block', async () => {
  const t = tokenize(await loadGrammar('text.html.markdown', false), MARKDOWN);
  t.expect('check d(loss)/d(w) = xᵀ', 'markup.raw.block.markdown', 0, 3);
  t.expect('z = w·x', 'markup.raw.block.markdown', 0, 9);
  assert.deepEqual(
    t.all.filter((tok) => tok.scopes.some(isMcalcScope)).map((tok) => tok.text),
    [],
    'no mcalc scopes anywhere without the injection',
  );
});

test('pasted results: where-clauses, names with subscript digits, sized constants, X⁻¹ and rows of a literal', async () => {
  const t = await mcalc(`check d(loss)/d(w) = u₁ * xᵀ + 𝟏[n]ᵀ * 𝐈[n] + 𝐞₂[n]ᵀ   where u₂ = X⁻¹; u₁ = sum(u₂ * [aᵀ; bᵀ]ᵀ) + 𝟎[m, n]
h = A⁻ᵀ * v₁₂`);
  t.expect('where', 'keyword.other.where.mcalc', 0, 0);
  t.expect('u₂', 'entity.name.variable.definition.local.mcalc', 0, 0);
  t.expect('u₁', 'entity.name.variable.definition.local.mcalc', 1, 0);
  t.expect('u₁', 'variable.other.mcalc', 0, 0);
  t.expect(';', 'punctuation.separator.where.mcalc', 0, 0);
  t.expect(';', 'punctuation.separator.rows.mcalc', 1, 0);
  for (const glyph of ['𝟏', '𝐈', '𝐞₂', '𝟎']) t.expect(glyph, 'constant.language.mcalc', 0, 0);
  t.expect('n', 'variable.other.constant.dimension.mcalc', 0, 0);
  t.expect('⁻¹', 'keyword.operator.inverse.mcalc', 0, 0);
  t.expect('⁻ᵀ', 'keyword.operator.inverse.mcalc', 0, 1);
  t.expect('v₁₂', 'variable.other.mcalc', 0, 1);
  t.expect('=', 'keyword.operator.comparison.claim.mcalc', 0, 0);
});

test('the layout directive: keyword and its word highlighted; `layout` as a name stays a name', async () => {
  const t = await mcalc(`layout denominator   # pinned
layout = 2`);
  t.expect('layout', 'keyword.other.layout.mcalc', 0, 0);
  t.expect('denominator', 'constant.language.layout.mcalc', 0, 0);
  t.expect(' pinned', 'comment.line.number-sign.mcalc', 0, 0);
  t.expect('layout', 'entity.name.variable.definition.mcalc', 0, 1);
  t.expectNone('layout', 'keyword.', 1);
});
