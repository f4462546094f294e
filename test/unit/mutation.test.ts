// Mutation test of the gradient checker: correct results (mcalc's own, for the examples and for random
// forms) are mutated — a factor dropped, the sign flipped, a transpose dropped, one element changed, an
// indicator's threshold shifted, the whole scaled by 1.01 — and each mutant is written as a claim. A mutant
// that an independent oracle (many more points than the checker draws) finds outside the tolerance anywhere
// must fail the check; the kill rate is printed. Mutants the shape checker rejects are counted apart.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { type Analysis, analyze } from '../../src/core/analyze.ts';
import { deriveResult, formatResult } from '../../src/core/diff/derivation.ts';
import { lowerDerivatives } from '../../src/core/diff/engine.ts';
import { evaluateDerivative } from '../../src/core/numeric/derivative.ts';
import { checkDocument, checkTargets, DEFAULT_TOLERANCES } from '../../src/core/numeric/gradcheck.ts';
import { createRng } from '../../src/core/numeric/random.ts';
import type { EvalEnv, Tensor } from '../../src/core/numeric/tensor.ts';
import { exprArb } from './helpers/randomExpr.ts';

/** The examples with literal sizes (n = 3, N = 4), so that one element of a result can be named. */
function literalSizes(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^\s*dim\b/.test(l) && !/^\s*check\b/.test(l))
    .map((l) => l.replace(/#.*$/, '').replace(/\bN\b/g, '4').replace(/\bn\b/g, '3'))
    .join('\n');
}

const FIXED_PRELUDE = 's, t: scalar\nu, v: vector[3]\nA, B: matrix[3, 3]\nC: matrix[2, 3]\n';

interface Case {
  name: string;
  doc: string;
  /** The derivative form to claim, e.g. `d(f)/d(u)`. */
  form: string;
}

function exampleCases(): Case[] {
  const cases: Case[] = [];
  for (const file of ['neuron.mcalc', 'neuron-batch.mcalc', 'paper.mcalc', 'cookbook.mcalc']) {
    const doc = literalSizes(readFileSync(join(__dirname, '../../examples', file), 'utf8'));
    const a = analyze(doc);
    for (const d of a.derivatives) if (d.form !== 'hessian') cases.push({ name: `${file} ${d.text}`, doc, form: d.text });
  }
  return cases;
}

/** Piecewise functions, the checker's hardest ground (the wrong claims came from these). */
function piecewiseCases(): Case[] {
  const doc = 's, c: scalar\nx, y: vector[3]\n';
  return [
    ['region = sum(x ⊗ (x > 0))', 'd(region)/d(x)'],
    ['m = min(s, c)', 'd(m)/d(s)'],
    ['far = sum(max(5, x))', 'd(far)/d(x)'],
    ['shifted = sum(relu(x - 2) ⊗ y)', 'd(shifted)/d(x)'],
    ['kinked = abs(x · y - 1) + max(s, 2 * c)', 'd(kinked)/d(x)'],
    ['clipped = min(max(x, -1), 1)', 'd(clipped)/d(x)'],
  ].map(([def, form]) => ({ name: def, doc: `${doc}${def}\n`, form }));
}

function randomCases(): Case[] {
  const scalar = fc.sample(exprArb('scalar', 2, { kinks: true }), { seed: 11, numRuns: 24 });
  const vector = fc.sample(exprArb('vector', 2, { kinks: true }), { seed: 12, numRuns: 16 });
  return [
    ...scalar.map((e, i) => ({ name: `random scalar ${i}`, doc: `${FIXED_PRELUDE}f = ${e}\n`, form: i % 2 ? 'd(f)/d(u)' : 'grad(f, A)' })),
    ...vector.map((e, i) => ({ name: `random vector ${i}`, doc: `${FIXED_PRELUDE}f = ${e}\n`, form: 'd(f)/d(u)' })),
  ];
}

/**
 * mcalc's result for `form` in `doc` and its displayed dims, when it is a matrix expression that reads back
 * as a claim (results printed with glyphs the parser does not read yet are left out).
 */
function engineResult(doc: string, form: string): { text: string; dims: number[] } | undefined {
  const a = analyze(`${doc}\n__probe = ${form}\n`);
  const info = a.definition('__probe')?.derivative;
  if (!info) return undefined;
  const { f, result } = deriveResult(a, info, a.layout);
  if (result.kind !== 'matrix') return undefined;
  const text = formatResult(a, info, f, result).text;
  if (text.includes('where')) return undefined;
  if (analyze(`${doc}\ncheck ${form} = ${text}\n`).diagnostics.some((d) => d.severity === 'error')) return undefined;
  return { text, dims: info.shapes[a.layout].dims as number[] };
}

// ---- mutations of a result's text ----------------------------------------------------------------------------

/** Where the operand that starts at `from` ends (the next operator or closing bracket at its depth). */
function operandEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') {
      if (depth === 0) return i;
      depth--;
    } else if (depth === 0 && (c === ',' || (c === ' ' && /^ [-+*⊗/·] /.test(text.slice(i, i + 3))))) return i;
  }
  return text.length;
}

/** The close of the bracket group that contains position `at`. */
function groupEnd(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    if (text[i] === '(' || text[i] === '[') depth++;
    else if (text[i] === ')' || text[i] === ']') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return text.length;
}

/** A literal with 0.5 in one element and zeros elsewhere, shaped like the result. */
function oneElement(dims: number[]): string {
  const unit = (k: number, at: number) => `[${Array.from({ length: k }, (_, i) => (i === at ? '1' : '0')).join(', ')}]`;
  if (dims.length === 0 || dims.every((d) => d === 1)) return '0.5';
  if (dims.length === 1) return `0.5 * ${unit(dims[0], dims[0] - 1)}`;
  if (dims[0] === 1) return `0.5 * ${unit(dims[1], dims[1] - 1)}ᵀ`;
  if (dims[1] === 1) return `0.5 * ${unit(dims[0], dims[0] - 1)}`;
  return `0.5 * ${unit(dims[0], dims[0] - 1)} * ${unit(dims[1], 0)}ᵀ`;
}

function mutants(text: string, dims: number[]): Array<{ kind: string; text: string }> {
  const out: Array<{ kind: string; text: string }> = [
    { kind: 'scale by 1.01', text: `1.01 * (${text})` },
    { kind: 'flip the sign', text: `-(${text})` },
    { kind: 'change one element', text: `${text} + ${oneElement(dims)}` },
  ];
  for (let i = text.indexOf(' + '); i >= 0; i = text.indexOf(' + ', i + 1)) out.push({ kind: 'flip the sign', text: `${text.slice(0, i)} - ${text.slice(i + 3)}` });
  for (let i = text.indexOf('ᵀ'); i >= 0; i = text.indexOf('ᵀ', i + 1)) out.push({ kind: 'drop a transpose', text: text.slice(0, i) + text.slice(i + 1) });
  for (const op of [' * ', ' ⊗ ']) {
    for (let i = text.indexOf(op); i >= 0; i = text.indexOf(op, i + 1)) out.push({ kind: 'drop a factor', text: text.slice(0, i) + text.slice(operandEnd(text, i + 3)) });
  }
  for (const op of [' > ', ' < ', ' >= ', ' <= ']) {
    for (let i = text.indexOf(op); i >= 0; i = text.indexOf(op, i + 1)) {
      const end = groupEnd(text, i + op.length);
      out.push({ kind: 'shift a threshold', text: `${text.slice(0, end)} + 0.5${text.slice(end)}` });
    }
  }
  return out;
}

// ---- the oracle: does the mutant differ from mcalc's result anywhere? -------------------------------------------

function sample(a: Analysis, seed: number, scale: number, positive: boolean): EvalEnv {
  const rng = createRng(seed, 'oracle');
  const vars = new Map<string, Tensor>();
  for (const v of a.variables) {
    const [r, c] = v.shape.kind === 'scalar' ? [1, 1] : v.shape.kind === 'vector' ? [v.shape.n as number, 1] : v.shape.kind === 'row' ? [1, v.shape.n as number] : [v.shape.m as number, v.shape.n as number];
    const data = Float64Array.from({ length: r * c }, () => scale * (positive ? rng.uniform(0.5, 1.5) : rng.uniform(-1, 1)));
    if (r === c && r > 1) for (let i = 0; i < r; i++) data[i * c + i] += scale * r;
    vars.set(v.name, { rows: r, cols: c, data });
  }
  return { vars, dims: new Map() };
}

/** True when the claimed formula departs from mcalc's result beyond the check's tolerance at some point. */
function distinguishable(a: Analysis): boolean {
  const target = checkTargets(a).find((t) => t.kind === 'claim')!;
  const { f, result } = deriveResult(a, target.info, a.layout);
  const formula = lowerDerivatives(a.builder, target.claim!.formula!, a.layout, (n) => a.variable(n));
  const { atol, rtol } = DEFAULT_TOLERANCES;
  for (let k = 0; k < 600; k++) {
    const env = sample(a, 1000 + k, [1, 2, 5, 10, 30, 100][k % 6], k % 2 === 1);
    try {
      const claim = evaluateDerivative({ kind: 'matrix', value: formula }, f, target.info.wrt, target.info.form, a.layout, env).data;
      const engine = evaluateDerivative(result, f, target.info.wrt, target.info.form, a.layout, env).data;
      for (let i = 0; i < claim.length; i++) if (Number.isFinite(engine[i]) && Math.abs(claim[i] - engine[i]) > 3 * (atol + rtol * Math.abs(engine[i]))) return true;
    } catch {
      // outside the domain
    }
  }
  return false;
}

test('mutants of correct results fail the check: kill rate', () => {
  const counts = { mutants: 0, rejectedByShapes: 0, equivalent: 0, distinguishable: 0, killed: 0, notChecked: 0 };
  const survivors: string[] = [];
  const byKind = new Map<string, { total: number; killed: number }>();
  for (const c of [...exampleCases(), ...piecewiseCases(), ...randomCases()]) {
    const engine = engineResult(c.doc, c.form);
    if (!engine) continue;
    for (const m of mutants(engine.text, engine.dims)) {
      counts.mutants++;
      const doc = `${c.doc}\ncheck ${c.form} = ${m.text}\n`;
      const a = analyze(doc);
      const claimLine = a.lines.lineCount - 2;
      if (a.diagnostics.some((d) => d.severity === 'error' && d.range.start.line === claimLine)) {
        counts.rejectedByShapes++;
        continue;
      }
      if (!distinguishable(a)) {
        counts.equivalent++;
        continue;
      }
      counts.distinguishable++;
      const kind = byKind.get(m.kind) ?? { total: 0, killed: 0 };
      byKind.set(m.kind, kind);
      kind.total++;
      const r = checkDocument(a, { seed: 7, lines: [claimLine] }).results[0];
      assert.notEqual(r.status, 'pass', `${c.name}: the mutant ${m.text} (${m.kind}) passed`);
      if (r.status === 'fail') {
        counts.killed++;
        kind.killed++;
      } else {
        counts.notChecked++;
        survivors.push(`${c.name}: ${m.kind}: ${m.text} — ${r.status}: ${r.note}`);
      }
    }
  }
  const rate = counts.killed / counts.distinguishable;
  const kinds = [...byKind].map(([k, v]) => `${k} ${v.killed}/${v.total}`).join(', ');
  console.log(`mutation kill rate ${(100 * rate).toFixed(1)}% (${counts.killed}/${counts.distinguishable} outside the tolerance; ${counts.equivalent} equivalent, ${counts.rejectedByShapes} rejected by the shape check, of ${counts.mutants}) — ${kinds}`);
  for (const s of survivors) console.log(`  not killed: ${s}`);
  assert.ok(counts.distinguishable >= 60, `too few mutants to judge (${counts.distinguishable})`);
  assert.equal(counts.killed, counts.distinguishable, `every mutant outside the tolerance must fail:\n${survivors.join('\n')}`);
});
