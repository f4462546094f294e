// Bench section: differentiation of deep nests log(1 + sin(… + x²)²) at depths 10, 100 and 1,000 (target:
// ≤ 20 ms at depth 1,000, result ≤ 4× the input) and a Matrix Cookbook set. Times are medians over fresh
// graphs (nothing memoised from an earlier run); the baseline, measured in the same run, is the analysis
// (parse + shapes) of the same input.

import { analyze, derivativeOf } from '../../src/core/analyze.ts';
import { deriveResult, formatResult } from '../../src/core/diff/derivation.ts';
import { differentiate } from '../../src/core/diff/engine.ts';
import { dagSize } from '../../src/core/ir.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function nest(depth: number): string {
  let e = 'x';
  for (let i = 0; i < depth; i++) e = `log(1 + sin(${e} + x^2)^2)`;
  return `x: scalar\ny = ${e}\n`;
}

const COOKBOOK: Array<{ name: string; src: string; of: string; wrt: string; form: 'grad' | 'jacobian' | 'hessian'; expected: string }> = [
  { name: 'quadratic form xᵀBx', src: 'dim n\nx: vector[n]\nB: matrix[n, n]\nf = xᵀ * B * x\n', of: 'f', wrt: 'x', form: 'grad', expected: '(B + Bᵀ) * x' },
  { name: 'bilinear aᵀXb', src: 'dim n\na, b: vector[n]\nX: matrix[n, n]\nf = aᵀ * X * b\n', of: 'f', wrt: 'X', form: 'grad', expected: 'a * bᵀ' },
  { name: 'tr(AXB)', src: 'dim n\nA, B, X: matrix[n, n]\nf = tr(A * X * B)\n', of: 'f', wrt: 'X', form: 'grad', expected: 'Aᵀ * Bᵀ' },
  { name: 'log det X', src: 'dim n\nX: matrix[n, n]\nf = log(det(X))\n', of: 'f', wrt: 'X', form: 'grad', expected: 'X⁻ᵀ' },
  { name: 'aᵀX⁻¹b', src: 'dim n\na, b: vector[n]\nX: matrix[n, n]\nf = aᵀ * inv(X) * b\n', of: 'f', wrt: 'X', form: 'grad', expected: '-X⁻ᵀ * a * bᵀ * X⁻ᵀ' },
  { name: 'Ax + Aᵀx', src: 'dim n\nx: vector[n]\nA: matrix[n, n]\nf = A*x + Aᵀ*x\n', of: 'f', wrt: 'x', form: 'jacobian', expected: 'A + Aᵀ' },
  { name: 'Hessian of xᵀBx', src: 'dim n\nx: vector[n]\nB: matrix[n, n]\nf = xᵀ * B * x\n', of: 'f', wrt: 'x', form: 'hessian', expected: 'B + Bᵀ' },
  { name: 'layer σ(Wx + b) w.r.t. x', src: 'dim m, n\nx: vector[n]\nb: vector[m]\nW: matrix[m, n]\nf = sigmoid(W*x + b)\n', of: 'f', wrt: 'x', form: 'jacobian', expected: 'diag(v₁ ⊗ (1 - v₁)) * W   where v₁ = σ(W * x + b)' },
  { name: 'Hessian of logistic regression', src: 'X: matrix[N, n]\nw: vector[n]\ny: vector[N]\nL = sum(log(1 + exp(-(y ⊗ (X*w)))))\n', of: 'L', wrt: 'w', form: 'hessian', expected: 'Xᵀ * diag(y^2 ⊗ u₄ ⊘ (1 + u₄)^2) * X   where u₄ = exp(-y ⊗ (X * w))' },
  { name: 'Hessian of least squares', src: 'X: matrix[N, n]\nw: vector[n]\ny: vector[N]\nL = sum((X*w - y)^2)\n', of: 'L', wrt: 'w', form: 'hessian', expected: '2 * Xᵀ * X' },
];

export default async function differentiation(opts: { reps?: number } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 15;
  const nests = [10, 100, 1000].map((depth) => {
    const src = nest(depth);
    const diffMs: number[] = [];
    const analyzeMs: number[] = [];
    let inputSize = 0;
    let resultSize = 0;
    for (let i = 0; i < reps + 3; i++) {
      let t = performance.now();
      const a = analyze(src);
      const tAnalyze = performance.now() - t;
      const f = a.definition('y')!.node!;
      const x = a.variable('x')!;
      t = performance.now();
      const r = differentiate(a.builder, f, x, 'jacobian', 'numerator', x.shape);
      const tDiff = performance.now() - t;
      if (i < 3) continue; // warm-up
      analyzeMs.push(tAnalyze);
      diffMs.push(tDiff);
      inputSize = dagSize(f);
      resultSize = r.kind === 'matrix' ? dagSize(r.value) : 0;
    }
    return {
      depth,
      differentiateMedianMs: +median(diffMs).toFixed(2),
      analysisBaselineMedianMs: +median(analyzeMs).toFixed(2),
      differentiateToAnalysisRatio: +(median(diffMs) / median(analyzeMs)).toFixed(2),
      inputNodes: inputSize,
      resultNodes: resultSize,
      sizeRatio: +(resultSize / inputSize).toFixed(2),
    };
  });
  const cookbook = COOKBOOK.map((c) => {
    const times: number[] = [];
    let text = '';
    for (let i = 0; i < reps + 3; i++) {
      const a = analyze(c.src);
      const info = derivativeOf(a, c.of, c.wrt, c.form);
      if (typeof info === 'string') throw new Error(info);
      const t = performance.now();
      const { f, result } = deriveResult(a, info, 'numerator');
      text = formatResult(a, info, f, result).text;
      if (i >= 3) times.push(performance.now() - t);
    }
    return { name: c.name, form: c.form, result: text, textbookForm: text === c.expected, medianUs: +(median(times) * 1000).toFixed(1) };
  });
  const depth1000 = nests[2];
  return {
    nests,
    depth1000WithinTarget: depth1000.differentiateMedianMs <= 20 && depth1000.sizeRatio <= 4,
    cookbook,
    cookbookAllTextbookForm: cookbook.every((c) => c.textbookForm),
  };
}
