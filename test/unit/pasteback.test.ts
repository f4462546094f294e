// What mcalc prints, the language reads: constants with their sizes (𝟎[m, n], 𝟏[n], 𝐈[n], 𝐞₂[n]), X⁻¹ and
// X⁻ᵀ, matrix literals by rows, and a claim's where-clause; and the editor's edits that paste a result into
// the document as a claim.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, hoverAt, type Analysis } from '../../src/core/analyze.ts';
import { claimAt, insertResultAsClaim, replaceWithResult } from '../../src/core/claimEdits.ts';
import { checkDocument } from '../../src/core/numeric/gradcheck.ts';
import { tokenize } from '../../src/core/lexer.ts';
import { parse } from '../../src/core/parser.ts';
import { formatShape } from '../../src/core/shape.ts';
import { LineMap, type TextEdit } from '../../src/core/source.ts';

const PRELUDE = 'dim n, m\ns: scalar\nu, v: vector[n]\nX: matrix[n, n]\nW: matrix[m, n]\n';
const NEURON = 'dim n\nb, y: scalar\nw, x: vector[n]\nz = w · x + b\na = max(0, z)\nloss = (y - a)^2\n';

function errors(a: Analysis): string[] {
  return a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
}

/** The shape of `f = <expr>` after the prelude, or its error messages. */
function shapeOf(expr: string): string {
  const a = analyze(`${PRELUDE}f = ${expr}\n`);
  const shape = a.definition('f')?.shape;
  return shape ? formatShape(shape) : errors(a).join(' | ');
}

function applyEdit(text: string, edit: TextEdit): string {
  const lines = new LineMap(text);
  return text.slice(0, lines.offsetAt(edit.range.start)) + edit.newText + text.slice(lines.offsetAt(edit.range.end));
}

function passes(text: string, layout: 'numerator' | 'denominator' = 'numerator'): boolean {
  const a = analyze(text, { layout });
  assert.deepEqual(errors(a), [], text);
  const claims = checkDocument(a, { seed: 3 }).results.filter((r) => r.kind === 'claim');
  assert.ok(claims.length > 0);
  return claims.every((r) => r.passed);
}

test('the lexer reads the printer’s glyphs: ⁻¹ ⁻ᵀ, 𝟎 𝟏 𝐈 𝐞₂ 𝐞_j, and `;`', () => {
  const kinds = (s: string) => tokenize(s).filter((t) => t.kind !== 'eof').map((t) => `${t.kind}:${t.text}`);
  assert.deepEqual(kinds('X⁻¹ X⁻ᵀ'), ['name:X', 'inverse:⁻¹', 'name:X', 'inverseTranspose:⁻ᵀ']);
  assert.deepEqual(kinds('𝟎 𝟏 𝐈 𝐞₂ 𝐞_j ;'), ['glyph:𝟎', 'glyph:𝟏', 'glyph:𝐈', 'glyph:𝐞₂', 'glyph:𝐞_j', ';:;']);
  // Names with subscript digits (how shared parts are named) and other bold letters stay names.
  assert.deepEqual(kinds('u₁ p₁₂ 𝐞 𝐈x'), ['name:u₁', 'name:p₁₂', 'name:𝐞', 'name:𝐈x']);
});

test('constants carry their size, in the brackets of the type syntax', () => {
  assert.equal(shapeOf('𝟏[n]'), 'vector[n]');
  assert.equal(shapeOf('𝟏[n]ᵀ'), 'row vector[n]');
  assert.equal(shapeOf('𝟎[m, n]'), 'matrix[m, n]');
  assert.equal(shapeOf('2 * 𝟏[3] + 1'), 'vector[3]');
  assert.equal(shapeOf('𝐈[n] * u'), 'vector[n]');
  assert.equal(shapeOf('𝐞₂[n]ᵀ * u'), 'scalar');
  assert.match(shapeOf('𝟏[k]'), /Unknown dimension 'k'/);
  assert.match(shapeOf('𝐞₀[n]'), /needs an index from 1/);
  assert.match(shapeOf('𝐞₄[3]'), /needs an index from 1/);
  assert.match(shapeOf('𝐞_j[n]'), /symbolic index: it belongs to an index-form result/);
  assert.match(parse('f = 𝟏 + u\n').problems[0].message, /𝟏 needs its size in brackets/);
  assert.match(parse('f = 𝐈[m, n]\n').problems[0].message, /Expected `\]` after the size of 𝐈/);
  const a = analyze(`${PRELUDE}f = 𝟏[n] ⊗ u\n`);
  const numeric = checkDocument(analyze(`${PRELUDE}check d(sum(u))/d(u) = 𝟏[n]ᵀ\ncheck d(u[2])/d(u) = 𝐞₂[n]ᵀ\ncheck d(X * u)/d(u) = X + 𝟎[n, n]\n`), { seed: 1 });
  assert.deepEqual(errors(a), []);
  assert.ok(numeric.passed, JSON.stringify(numeric.results.map((r) => [r.text, r.note])));
});

test('X⁻¹ is inv(X), X⁻ᵀ its transpose; they bind like postfix operators', () => {
  assert.equal(shapeOf('X⁻¹ * u'), 'vector[n]');
  assert.equal(shapeOf('uᵀ * X⁻ᵀ'), 'row vector[n]');
  assert.equal(shapeOf('s⁻¹'), 'scalar');
  assert.match(shapeOf('W⁻¹'), /inv needs a square matrix/);
  const doc = `${PRELUDE}Y = X * Xᵀ + 𝐈[n]\n`;
  const a = analyze(`${doc}check grad(log(det(Y)), X) = 2 * Y⁻ᵀ * X\ncheck d(uᵀ * Y⁻¹ * v)/d(u) = (Y⁻¹ * v)ᵀ\n`);
  assert.deepEqual(errors(a), []);
  assert.ok(checkDocument(a, { seed: 2 }).passed);
});

test('matrix literals by rows: [aᵀ; bᵀ] stacks row vectors; `;` between scalars is a column', () => {
  assert.equal(shapeOf('[uᵀ; vᵀ; (2 * u)ᵀ]'), 'matrix[3, n]');
  assert.equal(shapeOf('[s; 2]'), 'vector[2]');
  assert.match(shapeOf('[uᵀ; s]'), /rows of a matrix literal must be row vectors of one length/);
  assert.match(shapeOf('[uᵀ, vᵀ]'), /must be scalars/);
  assert.match(parse('f = [s, 1; 2]\n').problems[0].message, /`,` between the scalars of a vector or `;` between rows, not both/);
  assert.ok(passes(`${PRELUDE}check d([u · v, sum(u)])/d(u) = [vᵀ; 𝟏[n]ᵀ]\n`));
});

test('a where-clause names parts of a claim’s formula, in any order, for that claim only', () => {
  const doc = `${NEURON}check d(loss)/d(w) = q₁ * xᵀ   where q₂ = (z > 0); q₁ = -2 * (y - a) * q₂\n`;
  assert.ok(passes(doc));
  const a = analyze(doc);
  const offset = doc.lastIndexOf('q₂ =');
  assert.equal(hoverAt(a, offset)?.text, 'q₂');
  assert.equal(formatShape(hoverAt(a, offset)!.shape!), 'scalar');
  assert.equal(a.claims[0].formulaText, 'q₁ * xᵀ   where q₂ = (z > 0); q₁ = -2 * (y - a) * q₂');
  // The names are local: another line cannot see them.
  assert.match(errors(analyze(`${doc}h = q₁\n`)).join(), /Unknown name 'q₁'/);
  // A where-name may not shadow the document's names, nor repeat, nor depend on itself.
  const claim = (where: string) => errors(analyze(`${NEURON}check d(loss)/d(w) = p * xᵀ   where ${where}\n`)).join(' | ');
  assert.match(claim('p = 1; z = 2'), /'z' is a definition of the document: the names of a where-clause must be new/);
  assert.match(claim('p = 1; w = 2'), /'w' is a variable of the document/);
  assert.match(claim('p = 1; p = 2'), /'p' is defined twice in this where-clause/);
  assert.match(claim('p = r; r = p'), /cannot depend on themselves: p → r → p/);
  assert.match(claim('p = 1; sin = 2'), /'sin' is a built-in function/);
  assert.match(parse('check d(f)/d(x) = p   where p\n').problems[0].message, /Expected a name and `=` in the where-clause/);
  assert.match(parse('g = p   where p = 1\n').problems[0].message, /Only a claim can end in a where-clause/);
});

test('Replace with mcalc’s result: the failing claim’s formula, where-clause included, becomes the engine’s', () => {
  const wrong = `${NEURON}check d(loss)/d(w) = -2*(y - a)*xᵀ   where unused = 1\n`;
  assert.equal(passes(wrong), false);
  const a = analyze(wrong);
  const claim = claimAt(a, a.claims[0].formulaRange)!;
  const edit = replaceWithResult(a, claim)!;
  assert.equal(edit.newText, '-2 * (y - a) * (z > 0) * xᵀ');
  const fixed = applyEdit(wrong, edit);
  assert.match(fixed, /^check d\(loss\)\/d\(w\) = -2 \* \(y - a\) \* \(z > 0\) \* xᵀ$/m);
  assert.ok(passes(fixed));
  // In the denominator layout the result is the column.
  const b = analyze(wrong, { layout: 'denominator' });
  assert.equal(replaceWithResult(b, b.claims[0])!.newText, '-2 * (y - a) * (z > 0) * x');
  // A claim of the wrong shape: its diagnostic leads to the claim, and the replacement has the right shape.
  const shaped = `${NEURON}check d(loss)/d(w) = -2*(y - a)*(z > 0)*x\n`;
  const c = analyze(shaped);
  const diagnostic = c.diagnostics.find((d) => d.code === 'claim-shape')!;
  assert.ok(passes(applyEdit(shaped, replaceWithResult(c, claimAt(c, diagnostic.range)!)!)));
});

test('Insert result as a claim: on the next line, indented like the form, and the claim passes', () => {
  const text = `${NEURON}  g = d(loss)/d(w)\nH = hessian(w · w * b, w)\nT = d(W * w)/d(W)\ndim m\nW: matrix[m, n]\ncheck d(z)/d(w) = xᵀ\n`;
  const a = analyze(text);
  const form = (t: string) => a.derivatives.find((d) => d.text === t)!;
  const edit = insertResultAsClaim(a, form('d(loss)/d(w)'))!;
  assert.equal(edit.newText, '\n  check d(loss)/d(w) = -2 * (y - a) * (z > 0) * xᵀ');
  const hessian = insertResultAsClaim(a, form('hessian(w · w * b, w)'))!;
  assert.equal(hessian.newText, '\ncheck hessian(w · w * b, w) = 2 * b * 𝐈[n]');
  assert.ok(passes(applyEdit(applyEdit(text, hessian), edit)));
  // Tensors of order ≥ 3 are shown in index form, which is not a claim; a claim's own form is a claim already.
  assert.equal(insertResultAsClaim(a, form('d(W * w)/d(W)')), undefined);
  assert.equal(insertResultAsClaim(a, form('d(z)/d(w)')), undefined);
});

test('no claim is offered for a Jacobian the engine shows in index form', () => {
  // A mask over a sandwich inside another sandwich: no matrix form (docs/derivation.md).
  const a = analyze(`${PRELUDE}f = sin(X * sin(Xᵀ * diag(u) * X) * Xᵀ) * v\ng = d(f)/d(u)\n`);
  assert.deepEqual(errors(a), []);
  assert.equal(insertResultAsClaim(a, a.derivatives[0]), undefined);
});

test('a Jacobian through a matrix function of the variable is a claim that passes (σ(u uᵀ)ᵀ v)', () => {
  const text = `${PRELUDE}f = sigmoid(u * uᵀ)ᵀ * v\ng = d(f)/d(u)\n`;
  const a = analyze(text);
  const edit = insertResultAsClaim(a, a.derivatives[0])!;
  assert.match(edit.newText, /^\ncheck d\(f\)\/d\(u\) = diag\(u\) \* q₁ \+ diag\(q₁ \* u\)   where q₁ = /);
  assert.ok(passes(applyEdit(text, edit)));
});
