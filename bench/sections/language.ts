// Bench section: analysis of a generated 5,000-line document and hover look-ups in it (targets: analysis
// ≤ 50 ms, hover ≤ 1 ms p99). The baseline, measured in the same run, is the lexer alone over the same text:
// no analysis can be faster than reading the tokens once.

import { analyze, hoverAt } from '../../src/core/analyze.ts';
import { tokenize } from '../../src/core/lexer.ts';
import { createRng } from '../../src/core/numeric/random.ts';

export function generatedDocument(lines: number): string {
  const out = ['dim n, m', 'b, y, s: scalar', 'w, x, v: vector[n]', 'W: matrix[m, n]', 'S: matrix[n, n]'];
  const forms = [
    (k: number) => `z${k} = w · x + b * ${k % 7}`,
    (k: number) => `a${k} = max(0, z${k - 1}) + sigmoid(s)`,
    (k: number) => `h${k} = W * (x ⊗ v) + ${k}`,
    (k: number) => `q${k} = xᵀ * S * x + sum(exp(v)) / n`,
    (k: number) => `g${k} = d(z${k - 4})/d(w)`,
    (k: number) => `l${k} = (y - a${k - 4})^2 + norm(h${k - 3})`,
    (k: number) => `check d(l${k - 1})/d(b) = -2*(y - a${k - 5})*(z${k - 6} > 0)`,
    (k: number) => `e${k} = w + [1, 2, 3]   # a dimension mismatch, on purpose: diagnostics cost too`,
  ];
  for (let k = 8; out.length < lines; k++) out.push(forms[k % forms.length](k));
  return out.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export default async function language(opts: { lines?: number; reps?: number; hovers?: number } = {}): Promise<Record<string, unknown>> {
  const lines = opts.lines ?? 5000;
  const reps = opts.reps ?? 15;
  const text = generatedDocument(lines);
  for (let i = 0; i < 3; i++) analyze(text); // warm up the JIT
  const analysisMs: number[] = [];
  const lexMs: number[] = [];
  let diagnostics = 0;
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    tokenize(text);
    lexMs.push(performance.now() - t);
    t = performance.now();
    const a = analyze(text);
    analysisMs.push(performance.now() - t);
    diagnostics = a.diagnostics.length;
  }
  const a = analyze(text);
  const rng = createRng(1);
  const hoverUs: number[] = [];
  let found = 0;
  for (let i = 0; i < (opts.hovers ?? 20000); i++) {
    const offset = rng.int(text.length);
    const t = performance.now();
    if (hoverAt(a, offset)) found++;
    hoverUs.push((performance.now() - t) * 1000);
  }
  return {
    lines,
    characters: text.length,
    diagnostics,
    analysisMedianMs: +median(analysisMs).toFixed(2),
    analysisTargetMs: 50,
    lexerBaselineMedianMs: +median(lexMs).toFixed(2),
    analysisToLexerRatio: +(median(analysisMs) / median(lexMs)).toFixed(1),
    hovers: hoverUs.length,
    hoversWithAnswer: found,
    hoverMedianUs: +median(hoverUs).toFixed(2),
    hoverP99Us: +percentile(hoverUs, 99).toFixed(2),
    hoverTargetP99Us: 1000,
  };
}
