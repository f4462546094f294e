// Leaves: constants, variables, differentials, sizes, the identity matrix and unit vectors.

import { PREC, defineOp } from './types.ts';
import { lowerConst, lowerIdentity, lowerSize, lowerInput, lowerUnit } from './lowerJs.ts';
import { latexName, numberLatex, numberText, sizeText, subscriptDigits } from './format.ts';
import { type Dim, cols, matrixOf, vectorOf, SCALAR } from '../shape.ts';
import { EvalError, filled, resolveDim, shapeDims, tensor } from '../numeric/tensor.ts';

/** Key under which a variable's tangent (direction) is bound in an EvalEnv. */
export function tangentKey(name: string): string {
  return `d:${name}`;
}

// Leaves are interned by Builder with their shape; `shape` here only serves operators' uniform interface.
export const leafOps = [
  defineOp({
    op: 'const',
    lowerJs: lowerConst,
    family: 'leaves',
    python: (_args, n, py) => (n.shape.kind === 'scalar' ? py.number(n.attr as number) : `_full(${py.shape(n.shape)}, ${py.number(n.attr as number)})`),
    range: (_args, n) => (typeof n.attr === 'number' ? [n.attr, n.attr] : [-Infinity, Infinity]),
    doc: 'A number, or a constant vector/matrix such as 𝟎 or 𝟏 (all ones).',
    shape: () => SCALAR, // the interned shape is chosen by the builder; see Builder.constant
    prec(n) {
      const v = n.attr as number;
      if (n.shape.kind === 'scalar') return v < 0 ? PREC.neg : PREC.atom;
      if (v !== 0 && v !== 1) return PREC.mul; // c * 𝟏[n]
      return n.shape.kind === 'row' ? PREC.postfix : PREC.atom;
    },
    format(n, p) {
      const v = n.attr as number;
      if (n.shape.kind === 'scalar') return p.mode === 'latex' ? numberLatex(v) : numberText(v);
      if (p.mode === 'latex') {
        const base = v === 0 ? '\\mathbf{0}' : '\\mathbf{1}';
        const t = n.shape.kind === 'row' && v !== 0 ? `${base}^{\\top}` : base;
        return v === 0 || v === 1 ? t : `${numberLatex(v)}${t}`;
      }
      // Text is a sentence in the language: the constant carries its size (𝟏[n], 𝟎[m, n]), a row is transposed.
      const t = `${v === 0 ? '𝟎' : '𝟏'}${sizeText(n.shape)}${n.shape.kind === 'row' ? 'ᵀ' : ''}`;
      return v === 0 || v === 1 ? t : `${numberText(v)} * ${t}`;
    },
    evaluate(n, _args, env) {
      const [r, c] = shapeDims(n.shape, env);
      return filled(r, c, n.attr as number);
    },
  }),
  defineOp({
    op: 'var',
    lowerJs: lowerInput((name) => name),
    family: 'leaves',
    python: (_args, n, py) => py.param(String(n.attr)),
    doc: 'A declared variable.',
    shape: () => SCALAR,
    prec: () => PREC.atom,
    format: (n, p) => (p.mode === 'latex' ? latexName(String(n.attr), n.shape) : String(n.attr)),
    evaluate(n, _args, env) {
      const v = env.vars.get(String(n.attr));
      if (!v) throw new EvalError(`No value for '${n.attr}'.`);
      return v;
    },
  }),
  defineOp({
    op: 'tangent',
    lowerJs: lowerInput(tangentKey),
    family: 'leaves',
    python: { notExported: 'differentials appear only in directional derivatives' },
    doc: 'The differential dx of a variable (the direction of a directional derivative).',
    shape: () => SCALAR,
    prec: () => PREC.atom,
    format: (n, p) => (p.mode === 'latex' ? `\\mathrm{d}${latexName(String(n.attr), n.shape)}` : `d${n.attr}`),
    evaluate(n, _args, env) {
      const v = env.vars.get(tangentKey(String(n.attr)));
      if (!v) throw new EvalError(`No direction for d${n.attr}.`);
      return v;
    },
  }),
  defineOp({
    op: 'size',
    lowerJs: lowerSize,
    family: 'leaves',
    python: (_args, n, py) => `float(${py.dim(n.attr as Dim)})`,
    doc: 'The size bound to a dimension name, used as a number (e.g. the N in a mean).',
    shape: () => SCALAR,
    prec: () => PREC.atom,
    format: (n, p) => (p.mode === 'latex' ? latexName(String(n.attr)) : String(n.attr)),
    evaluate: (n, _args, env) => filled(1, 1, resolveDim(n.attr as Dim, env)),
  }),
  defineOp({
    op: 'identity',
    lowerJs: lowerIdentity,
    family: 'leaves',
    python: (_args, n, py) => `_eye(${py.dim((n.shape as { n: Dim }).n)})`,
    doc: 'The identity matrix I.',
    shape: () => matrixOf(1, 1),
    prec: () => PREC.atom,
    // 𝐈[n]: n×n, so one size is enough.
    format: (n, p) => (p.mode === 'latex' ? 'I' : `𝐈[${cols(n.shape)}]`),
    evaluate(n, _args, env) {
      const [r] = shapeDims(n.shape, env);
      const t = tensor(r, r);
      for (let i = 0; i < r; i++) t.data[i * r + i] = 1;
      return t;
    },
  }),
  defineOp({
    op: 'unit',
    lowerJs: lowerUnit,
    family: 'leaves',
    // A row of the identity; symbolic indices appear only in index-form results, which are not gradients.
    python: (_args, n, py) => (typeof n.attr === 'number' ? `_eye(${py.dim((n.shape as { n: Dim }).n)})[${n.attr - 1}]` : undefined),
    doc: 'The unit vector e_j (1 at index j, 0 elsewhere).',
    shape: () => vectorOf(1),
    prec: () => PREC.atom,
    format: (n, p) => (p.mode === 'latex' ? `\\mathbf{e}_{${n.attr}}` : `𝐞${typeof n.attr === 'number' ? subscriptDigits(n.attr) : `_${n.attr}`}${sizeText(n.shape)}`),
    evaluate(n, _args, env) {
      const [r] = shapeDims(n.shape, env);
      const j = typeof n.attr === 'number' ? n.attr : env.indices?.get(String(n.attr));
      if (j === undefined) throw new EvalError(`No value for the index ${n.attr}.`);
      const t = tensor(r, 1);
      if (j >= 1 && j <= r) t.data[j - 1] = 1;
      return t;
    },
  }),
];
