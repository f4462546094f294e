// norm1(x) = Σ |xᵢ|, the 1-norm of a vector and the entrywise 1-norm of a matrix. Like abs it has a kink
// wherever an element is 0: its derivative sign(x)ᵀ holds away from those points, and gradient checks keep
// away from them and sample both signs of every element.

import type { Builder } from '../builder.ts';
import type { Node } from '../ir.ts';
import { PREC, type OpDef } from './types.ts';
import { type Dim, SCALAR } from '../shape.ts';
import { NON_NEGATIVE } from './intervals.ts';
import { lowerReduction } from './lowerJs.ts';
import { kinkAtZero } from './elementwise.ts';
import { scalarT } from '../numeric/tensor.ts';

function sumAbs(d: Float64Array): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += Math.abs(d[i]);
  return s;
}

const DOC = '1-norm ‖x‖₁ = sum(abs(x)) of a vector; the entrywise 1-norm of a matrix.';

const norm1: OpDef<'norm1'> = {
  op: 'norm1',
  family: 'reductions',
  doc: DOC,
  syntax: { name: 'norm1', arity: 1, highlight: 'reduction', signature: 'norm1(x)', doc: DOC, build: (b: Builder, [x]: Node[]) => b.raw('norm1', [x]) },
  shape: () => SCALAR,
  jvp: (n, [t], b) => (t ? b.sum(b.mul(b.call('sign', n.args[0]), t)) : null),
  vjp: (n, s, _k, b) => b.mul(s, b.call('sign', n.args[0])),
  examples: [{ expr: 'norm1(x)', wrt: 'x' }, { expr: 'norm1(X)', wrt: 'X' }],
  rule: {
    name: '1-norm rule',
    text: 'd‖u‖₁ = sum(sign(u) ⊗ du); ∂norm1(x)/∂x = sign(x)ᵀ (undefined where an element is 0)',
    latex: '\\mathrm{d}\\lVert u \\rVert_1 = \\operatorname{sum}(\\operatorname{sign}(u) \\otimes \\mathrm{d}u)',
  },
  prec: () => PREC.atom,
  format: (n, p) => (p.mode === 'latex' ? `\\left\\lVert ${p.plain(n.args[0])} \\right\\rVert_1` : `norm1(${p.plain(n.args[0])})`),
  evaluate: (_n, [a]) => scalarT(sumAbs(a.data)),
  lowerJs: lowerReduction((x) => `Math.abs(${x})`, (r) => r, (s) => `Math.abs(${s})`),
  ...kinkAtZero('norm1'),
  // Per-sample vectors are the rows of the batch: their 1-norms are abs(X) 𝟏.
  batch(n, [x], c) {
    const u = n.args[0];
    if (u.shape.kind === 'scalar') return c.b.call('abs', x.node);
    return c.b.matmul(c.b.call('abs', x.node), c.ones((u.shape as { n: Dim }).n));
  },
  python: ([a]) => `xp.sum(xp.abs(${a}))`,
  range: () => NON_NEGATIVE,
};

export const norm1Ops = [norm1];
