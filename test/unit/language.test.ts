// The pure language helpers behind completion, signature help, go to definition, references, rename,
// highlights and semantic tokens (src/core/language/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze, reanalyze, type Analysis } from '../../src/core/analyze.ts';
import { analyzeDocument } from '../../src/core/document.ts';
import { tokenize } from '../../src/core/lexer.ts';
import type { TextEdit } from '../../src/core/source.ts';
import { completionsAt } from '../../src/core/language/completion.ts';
import { declarationAt, nameIndex, occurrenceAt, usesOf } from '../../src/core/language/names.ts';
import { renameEdits, renameTarget } from '../../src/core/language/rename.ts';
import { SEMANTIC_TOKEN_TYPES, semanticTokens } from '../../src/core/language/semanticTokens.ts';
import { parameterSpans, signatureAt } from '../../src/core/language/signature.ts';
import { PRELUDE, exprArb } from './helpers/randomExpr.ts';

const DOC = 'dim n, m\nb: scalar\nw, x: vector[n]\nW: matrix[m, n]\nz = w · x + b  # w is a weight\nh = W*x\ng = d(z)/d(w)\ncheck d(z)/d(w) = xᵀ\n';
const a = analyze(DOC);
const at = (needle: string, inner = 0, from = 0) => DOC.indexOf(needle, from) + inner;

function apply(text: string, a: Analysis, edits: TextEdit[]): string {
  const sorted = edits.map((e) => ({ start: a.lines.offsetAt(e.range.start), end: a.lines.offsetAt(e.range.end), text: e.newText })).sort((x, y) => y.start - x.start);
  return sorted.reduce((t, e) => t.slice(0, e.start) + e.text + t.slice(e.end), text);
}

test('occurrences: every use of a declared name, not comments, not the d of d(f)/d(x), not function names', () => {
  const ws = usesOf(a, 'w').map(({ range: r }) => `${r.start.line}:${r.start.character}`);
  assert.deepEqual(ws, ['2:0', '4:4', '6:11', '7:13'], 'declaration, z = w…, d(w) twice; not the comment');
  assert.deepEqual(usesOf(a, 'n').map((u) => u.declaration), [true, false, false], 'dim n, vector[n], matrix[m, n]');
  assert.equal(occurrenceAt(a, at('d(z)')), undefined, 'the d of a derivative form is syntax');
  assert.equal(occurrenceAt(a, at('w is a weight')), undefined, 'comments are not code');
  assert.equal(occurrenceAt(a, at('x + b', 1))?.name, 'x', 'a cursor right after a name finds it');
});

test('go to definition: the declaration of variables, definitions and dimensions', () => {
  assert.deepEqual(declarationAt(a, at('x + b')), { start: { line: 2, character: 3 }, end: { line: 2, character: 4 } });
  assert.deepEqual(declarationAt(a, at('d(z)', 2)), { start: { line: 4, character: 0 }, end: { line: 4, character: 1 } });
  assert.deepEqual(declarationAt(a, at('m, n]', 0)), { start: { line: 0, character: 7 }, end: { line: 0, character: 8 } });
  assert.equal(declarationAt(a, at('·')), undefined);
});

test('rename changes every occurrence and nothing else', () => {
  const r = renameEdits(a, at('x + b'), 'input');
  assert.ok('edits' in r, JSON.stringify(r));
  assert.equal(r.edits.length, 4);
  const renamed = apply(DOC, a, r.edits);
  assert.equal(renamed, DOC.replace('w, x:', 'w, input:').replace('w · x', 'w · input').replace('W*x', 'W*input').replace('= xᵀ', '= inputᵀ'));
  assert.deepEqual(analyze(renamed).diagnostics, a.diagnostics);
});

test('rename refuses names that would change the meaning, with the reason', () => {
  const reason = (name: string) => {
    const r = renameEdits(a, at('x + b'), name);
    assert.ok('error' in r, `renaming x to ${name} should be refused`);
    return r.error;
  };
  assert.match(reason('w'), /already declared/);
  assert.match(reason('sin'), /built-in function/);
  assert.match(reason('check'), /reserved word/);
  assert.match(reason('2x'), /not a name/);
  assert.match(reason('x y'), /not a name/);
  assert.ok('error' in renameTarget(a, at('+')), 'an operator is not renamable');
  const call = 'x: scalar\ny = sin(x)\n';
  assert.ok('error' in renameTarget(analyze(call), call.indexOf('sin')), 'a built-in function is not renamable');
});

test('rename in Markdown: the edits land on the real lines of every ```mcalc block', () => {
  const md = '# Notes\n\n```mcalc\ndim n\nw: vector[n]\n```\n\nProse w.\n\n```mcalc\nq = w · w\n```\n';
  const doc = analyzeDocument(md, 'markdown', 'numerator');
  const offset = doc.analysis.lines.offsetAt(doc.toVirtual({ line: 4, character: 0 })!);
  const r = renameEdits(doc.analysis, offset, 'v');
  assert.ok('edits' in r);
  const real = r.edits.map((e) => doc.toReal(e.range)).map((x) => `${x.start.line}:${x.start.character}`);
  assert.deepEqual(real, ['4:0', '10:4', '10:8'], 'the prose mention stays');
});

test('property: renaming any name of a random document and back restores it, and the analysis is unchanged', () => {
  const body = fc.tuple(exprArb('scalar', 3), exprArb('vector', 2)).map(([f, v]) => `${PRELUDE}f = ${f}\nk = ${v}\ng = d(f)/d(u)\ncheck d(f)/d(s) = 0\n`);
  fc.assert(
    fc.property(body, fc.constantFrom('s', 't', 'u', 'v', 'A', 'B', 'C', 'n', 'm', 'f', 'k'), (text, name) => {
      const before = analyze(text);
      const first = nameIndex(before).occurrences.find((o) => o.name === name);
      if (!first) return; // the random expression does not use it
      const there = renameEdits(before, first.start, 'renamed_1');
      assert.ok('edits' in there, JSON.stringify(there));
      const renamed = apply(text, before, there.edits);
      const after = analyze(renamed);
      assert.equal(tokenize(renamed).filter((t) => t.text === name).length, 0, `no '${name}' left in:\n${renamed}`);
      assert.deepEqual(after.diagnostics.map((d) => d.code), before.diagnostics.map((d) => d.code));
      assert.deepEqual(after.definitions.map((d) => d.shape?.kind), before.definitions.map((d) => d.shape?.kind)); // dims may be renamed
      const back = renameEdits(after, after.lines.offsetAt(there.edits[0].range.start), name);
      assert.ok('edits' in back);
      assert.equal(apply(renamed, after, back.edits), text);
    }),
    { numRuns: 150 },
  );
});

test('completion in an expression: declared names with their shapes, built-ins with signatures and result shapes', () => {
  const items = completionsAt(a, DOC.indexOf('h = ') + 4);
  const byLabel = new Map(items.map((i) => [i.label, i]));
  assert.equal(byLabel.get('w')?.detail, 'vector[n]');
  assert.equal(byLabel.get('W')?.detail, 'matrix[m, n]');
  assert.equal(byLabel.get('z')?.detail, 'scalar');
  assert.equal(byLabel.get('g')?.detail, 'row vector[n]', 'd(z)/d(w) in numerator layout');
  assert.equal(byLabel.get('n')?.kind, 'dimension');
  const tr = byLabel.get('tr')!;
  assert.equal(tr.detail, 'tr(X)');
  assert.match(tr.documentation!, /matrix\[n, n\] → scalar/);
  assert.equal(tr.snippet, 'tr(${1:X})');
  assert.match(byLabel.get('max')!.documentation!, /scalar, vector\[n\] → vector\[n\]/);
  assert.equal(byLabel.get('d(f)/d(x)')?.snippet, 'd(${1:f})/d(${2:x})');
  assert.equal(byLabel.get('grad')?.snippet, 'grad(${1:f}, ${2:x})');
  assert.equal(byLabel.has('check'), false, 'statement keywords only at the start of a line');
});

test('completion by position: keywords at a line start, types after a colon, dimensions in brackets, nothing in comments', () => {
  const labels = (text: string, offset = text.length) => completionsAt(analyze(text), offset).map((i) => i.label);
  assert.ok(labels(`${DOC}ch`).includes('check'));
  assert.ok(labels(`${DOC}ch`).includes('w'));
  assert.deepEqual(labels(`${DOC}y: `), ['scalar', 'vector', 'matrix']);
  assert.deepEqual(labels(`${DOC}y: vector[`), ['n', 'm']);
  assert.deepEqual(labels(`${DOC}q = w # see `), []);
  assert.deepEqual(labels(`${DOC}dim `), [], 'a new dimension needs a new name');
  assert.equal(completionsAt(a, at('d(z)/d(w)\n', 10)).find((i) => i.label === 'check')?.snippet, 'check d(${1:f})/d(${2:x}) = ${3:formula}');
});

test('signature help: the innermost open call and the argument under the cursor', () => {
  const sig = (line: string) => {
    const text = `${DOC}${line}`;
    const s = signatureAt(analyze(text), text.length);
    return s && `${s.callable.signature} #${s.activeParameter}`;
  };
  assert.equal(sig('q = max(b, '), 'max(a, b) #1');
  assert.equal(sig('q = max(sum(w'), 'sum(x) #0');
  assert.equal(sig('q = max(sum(w), '), 'max(a, b) #1');
  assert.equal(sig('q = grad(z, '), 'grad(f, x) #1');
  assert.equal(sig('q = d(z'), 'd(f)/d(x) #0');
  assert.equal(sig('q = d(z)/d('), 'd(f)/d(x) #1');
  assert.equal(sig('q = (w + x'), undefined, 'a bracket is not a call');
  assert.equal(sig('q = sum(w) + '), undefined, 'the call is closed');
  const label = (name: string) => {
    const text = `q = ${name}(`;
    const c = signatureAt(analyze(text), text.length)!.callable;
    return parameterSpans(c).map(([s, e]) => c.signature.slice(s, e) + '@' + s);
  };
  assert.deepEqual(label('max'), ['a@4', 'b@7'], "the 'a' of max is not the parameter");
  assert.deepEqual(label('d'), ['f@2', 'x@7']);
});

/** The editor's relative encoding of semantic tokens, read back as absolute positions. */
function decodeTokens(data: Uint32Array): { line: number; character: number; length: number; type: string; declaration: boolean }[] {
  const out = [];
  let [line, character] = [0, 0];
  for (let i = 0; i < data.length; i += 5) {
    line += data[i];
    character = data[i] ? data[i + 1] : character + data[i + 1];
    out.push({ line, character, length: data[i + 2], type: SEMANTIC_TOKEN_TYPES[data[i + 3]], declaration: data[i + 4] === 1 });
  }
  return out;
}

test('semantic tokens tell scalars, vectors and matrices apart, and mark declarations', () => {
  const tokens = decodeTokens(semanticTokens(a));
  const on = (line: number) => tokens.filter((t) => t.line === line).map((t) => `${DOC.split('\n')[line].slice(t.character, t.character + t.length)}:${t.type}${t.declaration ? '*' : ''}`);
  assert.deepEqual(on(0), ['n:dimension*', 'm:dimension*']);
  assert.deepEqual(on(3), ['W:matrix*', 'm:dimension', 'n:dimension']);
  assert.deepEqual(on(4), ['z:scalar*', 'w:vector', 'x:vector', 'b:scalar']);
  assert.deepEqual(on(5), ['h:vector*', 'W:matrix', 'x:vector']);
  assert.deepEqual(on(6), ['g:vector*', 'z:scalar', 'w:vector'], 'a row vector is a vector');
  // In Markdown, the tokens are on the document's lines, not the joined blocks'.
  const md = 'Prose.\n\n```mcalc\ndim n\nw: vector[n]\n```\n\nMore.\n\n```mcalc\nz = sum(w)\n```\n';
  const doc = analyzeDocument(md, 'markdown', 'numerator');
  const real = (line: number) => doc.toReal({ start: { line, character: 0 }, end: { line, character: 0 } }).start.line;
  const inMarkdown = decodeTokens(semanticTokens(doc.analysis, real)).map((t) => `${md.split('\n')[t.line].slice(t.character, t.character + t.length)}@${t.line}:${t.type}`);
  assert.deepEqual(inMarkdown, ['n@3:dimension', 'w@4:vector', 'n@4:dimension', 'z@10:scalar', 'w@10:vector']);
});

test('a name declared by an edit is found where the text already named it, without reading the text again', () => {
  const text = 'dim n\nw: vector[n]\nz = sum(w) + r\ny = r * 2\n';
  const before = analyze(text);
  nameIndex(before);
  const edited = text.replace('w: vector[n]', 'w: vector[n]\nr: scalar');
  const after = reanalyze(before, edited, {}, { from: text.indexOf('\nz'), suffix: text.length - text.indexOf('\nz') });
  const rs = nameIndex(after).occurrences.filter((o) => o.name === 'r').map((o) => edited.slice(o.start, o.end) + '@' + o.start);
  assert.deepEqual(rs, [`r@${edited.indexOf('r: scalar')}`, `r@${edited.indexOf('r\ny')}`, `r@${edited.indexOf('r * 2')}`]);
  assert.deepEqual(nameIndex(after), nameIndex(analyze(edited)));
});

test('the name index of a large document is built in linear time', () => {
  const lines = [PRELUDE];
  for (let i = 0; i < 5000; i++) lines.push(`q${i} = ${i ? `q${i - 1}` : 's'} + s * t\n`);
  const big = analyze(lines.join(''));
  const t0 = performance.now();
  const index = nameIndex(big);
  semanticTokens(big);
  const ms = performance.now() - t0;
  assert.equal(index.occurrences.filter((o) => o.name === 's').length, 5002);
  assert.ok(ms < 500, `indexing took ${ms.toFixed(0)} ms`);
});
