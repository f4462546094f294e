// Compiled-JavaScript lowerings (OpDef.lowerJs) of the structured operators: leaves, products, transposes,
// reductions and matrix functions. Element-wise operators need none (their `emitElement` formula is enough).
// Each hook lowers one node through the Lowerer (numeric/compile/plan.ts) and never materialises structure:
// transposes are strided views (Xᵀv reads X row by row), `I` disappears from products, diag(d)·M scales rows,
// and an N×N matrix is only built when it is itself a requested result.

import type { Node } from '../ir.ts';
import { type L, type Lowerer, intLiteral, numberLiteral } from '../numeric/compile/plan.ts';
import { EvalError } from '../numeric/tensor.ts';

type Hook = (n: Node, lo: Lowerer) => void;

// ---- leaves -----------------------------------------------------------------------------------------------

export const lowerConst: Hook = (n, lo) => {
  const lit = numberLiteral(n.attr);
  lo.make(n, 'inline', [], { inlineScalar: lit, inlineAt: () => lit, fill: (data) => data.fill(n.attr as number) });
};

export const lowerSize: Hook = (n, lo) => {
  const lit = numberLiteral(lo.dimSize(String(n.attr)));
  lo.make(n, 'inline', [], { inlineScalar: lit, inlineAt: () => lit });
};

export const lowerIdentity: Hook = (n, lo) => {
  const [rows] = lo.dims(n);
  lo.make(n, 'inline', [], {
    inlineAt: (idx) => `(${idx} % ${rows + 1} === 0 ? 1 : 0)`,
    fill: (data) => {
      for (let i = 0; i < rows; i++) data[i * rows + i] = 1;
    },
  });
};

/** e_j: filled at the start of each run when its index is a symbol. */
export const lowerUnit: Hook = (n, lo) => {
  const literal = typeof n.attr === 'number' ? intLiteral(n.attr) : undefined;
  lo.make(n, 'inline', [], { inlineAt: (idx) => `(${idx} + 1 === ${literal ?? lo.indexVar(String(n.attr))} ? 1 : 0)` });
};

/** A variable or a direction: an input bound under `name(attr)`. */
export const lowerInput = (name: (attr: string) => string): Hook => (n, lo) => void lo.make(n, 'input', [], { inputName: name(String(n.attr)) });

export const lowerDeriv: Hook = () => {
  throw new EvalError('internal: derivative forms must be replaced by their results (lowerDerivatives) before compiling');
};

// ---- transposes and products ------------------------------------------------------------------------------

export const lowerTranspose: Hook = (n, lo) => {
  const a = lo.get(n.args[0]);
  if (a.scalar || a.rows === 1 || a.cols === 1) return void lo.alias(n, n.args[0]);
  if (a.view) return void lo.alias(n, a.node.args[0]); // (Xᵀ)ᵀ = X
  // A materialised transpose (only when someone needs its elements): a gather.
  const [p, q] = lo.dims(n.args[0]);
  lo.make(n, 'map', [lo.whole(a)], { body: (c) => `const t${n.id} = ${c.at(a, `(i % ${p}) * ${q} + ((i / ${p}) | 0)`)};`, view: { base: a, t: true } });
};

/** Strides of a matrix operand read through its view. */
const strides = (v: { base: L; t: boolean }) => (v.t ? `1, ${v.base.cols}` : `${v.base.cols}, 1`);

/** diag(d) · Y and X · diag(d): rows or columns scaled, never a diagonal matrix. */
function diagonalProduct(n: Node, lo: Lowerer, M: number, P: number): boolean {
  const [x, y] = n.args.map((a) => lo.get(a).node);
  if (x.op === 'diag') {
    const d = lo.get(x.args[0]);
    const Y = lo.get(y);
    if (P === 1) lo.make(n, 'map', [lo.point(d), lo.point(Y)], { body: (c) => `const t${n.id} = ${c.at(d)} * ${c.at(Y)};` });
    else lo.make(n, 'map', [lo.whole(d), lo.point(Y)], { body: (c) => `const t${n.id} = ${c.at(d, `((i / ${P}) | 0)`)} * ${c.at(Y)};` });
    return true;
  }
  if (y.op === 'diag') {
    const d = lo.get(y.args[0]);
    const X = lo.get(x);
    if (M === 1) lo.make(n, 'map', [lo.point(X), lo.point(d)], { body: (c) => `const t${n.id} = ${c.at(X)} * ${c.at(d)};` });
    else lo.make(n, 'map', [lo.point(X), lo.whole(d)], { body: (c) => `const t${n.id} = ${c.at(X)} * ${c.at(d, `(i % ${P})`)};` });
    return true;
  }
  return false;
}

/** Products with a vector side: dot products, outer products, A v, Bᵀ v, uᵀ B, uᵀ Aᵀ. */
function vectorProduct(n: Node, lo: Lowerer, M: number, K: number, P: number): boolean {
  const X = lo.get(n.args[0]);
  const Y = lo.get(n.args[1]);
  const self = () => lo.get(n);
  if (M * P === 1) {
    // row · column: a dot product, reduced over K.
    lo.make(n, 'reduce', [lo.point(X), lo.point(Y)], {
      len: K,
      init: () => `let r${n.id} = 0;`,
      step: (c) => `r${n.id} += ${c.at(X)} * ${c.at(Y)};`,
      // A 1×1 matrix result (literal sizes of 1) lives in a buffer like any non-scalar.
      finish: (c) => (n.shape.kind === 'scalar' ? `const s${n.id} = r${n.id};` : `${c.buf(self())}[0] = r${n.id};`),
    });
  } else if (K === 1) {
    // outer product u vᵀ
    lo.make(n, 'map', [lo.whole(X), lo.whole(Y)], { body: (c) => `const t${n.id} = ${c.at(X, `((i / ${P}) | 0)`)} * ${c.at(Y, `(i % ${P})`)};` });
  } else if (P === 1) {
    const A = lo.view(n.args[0]);
    if (!A.t) {
      // A v, A stored by rows: one dot product per output element.
      lo.make(n, 'map', [lo.whole(A.base), lo.whole(Y)], {
        body: (c) => `let t${n.id} = 0; for (let k = 0, o = i * ${K}; k < ${K}; k++) t${n.id} += ${c.at(A.base, 'o + k')} * ${c.at(Y, 'k')};`,
      });
    } else {
      // Bᵀ v with B (K×M) stored by rows: accumulate v_k · (row k of B) — one pass over B's rows.
      lo.make(n, 'reduce', [lo.whole(A.base), lo.point(Y)], {
        len: K,
        init: (c) => `${c.buf(self())}.fill(0);`,
        step: (c) => `{ const u = ${c.at(Y)}; if (u !== 0) { const o = i * ${M}; for (let j = 0; j < ${M}; j++) ${c.buf(self())}[j] += u * ${c.at(A.base, 'o + j')}; } }`,
        finish: () => '',
      });
    }
  } else if (M === 1) {
    const B = lo.view(n.args[1]);
    if (B.t) {
      // uᵀ Aᵀ with A (P×K) stored by rows: one dot product per output element.
      lo.make(n, 'map', [lo.whole(B.base), lo.whole(X)], {
        body: (c) => `let t${n.id} = 0; for (let k = 0, o = i * ${K}; k < ${K}; k++) t${n.id} += ${c.at(X, 'k')} * ${c.at(B.base, 'o + k')};`,
      });
    } else {
      // uᵀ B with B stored by rows: accumulate u_k · (row k of B).
      lo.make(n, 'reduce', [lo.point(X), lo.whole(B.base)], {
        len: K,
        init: (c) => `${c.buf(self())}.fill(0);`,
        step: (c) => `{ const u = ${c.at(X)}; if (u !== 0) { const o = i * ${P}; for (let j = 0; j < ${P}; j++) ${c.buf(self())}[j] += u * ${c.at(B.base, 'o + j')}; } }`,
        finish: () => '',
      });
    }
  } else {
    return false;
  }
  return true;
}

export const lowerMatmul: Hook = (n, lo) => {
  const [x, y] = n.args.map((a) => lo.get(a).node);
  const X = lo.get(x);
  const Y = lo.get(y);
  if (X.scalar || Y.scalar) return void lo.elementwise(n, ([a, b]) => `(${a} * ${b})`);
  // Logical sizes come from the operands' own shapes (an aliased transpose of a vector has its target's).
  const [M, K] = lo.dims(n.args[0]);
  const P = lo.dims(n.args[1])[1];
  if (x.op === 'identity') return void lo.alias(n, y);
  if (y.op === 'identity') return void lo.alias(n, x);
  if (diagonalProduct(n, lo, M, P) || vectorProduct(n, lo, M, K, P)) return;
  const A = lo.view(x);
  const B = lo.view(y);
  lo.make(n, 'kernel', [lo.whole(A.base), lo.whole(B.base)], {
    body: (c) => `H.matmul(${c.buf(lo.get(n))}, ${c.arr(A.base)}, ${strides(A)}, ${c.arr(B.base)}, ${strides(B)}, ${M}, ${K}, ${P});`,
  });
};

export const lowerDot: Hook = (n, lo) => {
  const [a, b] = n.args.map(lo.get);
  lo.make(n, 'reduce', [lo.point(a), lo.point(b)], {
    len: a.size,
    init: () => `let r${n.id} = 0;`,
    step: (c) => `r${n.id} += ${c.at(a)} * ${c.at(b)};`,
    finish: () => `const s${n.id} = r${n.id};`,
  });
};

// ---- reductions and matrix functions ----------------------------------------------------------------------

/** A reduction to a scalar; of a scalar it is the scalar itself unless `ofScalar` says otherwise. */
export function lowerReduction(step: (x: string) => string, finish: (acc: string, size: number) => string, ofScalar?: (s: string) => string): Hook {
  return (n, lo) => {
    const a = lo.get(n.args[0]);
    if (!a.scalar) lo.reduction(n, a, step, (r) => finish(r, a.size));
    else if (ofScalar) lo.make(n, 'scalar', [lo.point(a)], { body: (c) => `const s${n.id} = ${ofScalar(c.sc(a))};` });
    else lo.alias(n, n.args[0]);
  };
}

export const lowerTrace: Hook = (n, lo) => {
  if (lo.get(n.args[0]).scalar) return void lo.alias(n, n.args[0]);
  const { base } = lo.view(n.args[0]);
  const stride = base.cols + 1;
  lo.make(n, 'scalar', [lo.whole(base)], { body: (c) => `let s${n.id} = 0; for (let k = 0; k < ${base.rows}; k++) s${n.id} += ${c.at(base, `k * ${stride}`)};` });
};

// The reference's LU of a 1×1 matrix: det(a) = a; inv(a) = 1/a, singular at 0.
export const lowerDet: Hook = (n, lo) => {
  if (lo.get(n.args[0]).scalar) return void lo.alias(n, n.args[0]);
  const v = lo.view(n.args[0]);
  lo.make(n, 'scalar', [lo.whole(v.base)], { body: (c) => `const s${n.id} = H.det(${c.arr(v.base)}, ${strides(v)}, ${v.base.rows});` });
};

export const lowerInv: Hook = (n, lo) => {
  const a = lo.get(n.args[0]);
  if (a.scalar) {
    const m = lo.message('The matrix is singular, so it has no inverse.');
    return void lo.make(n, 'scalar', [lo.point(a)], { body: (c) => `const s${n.id} = ${c.sc(a)} === 0 ? H.fail(${m}) : 1 / ${c.sc(a)};` });
  }
  const v = lo.view(n.args[0]);
  const [rows] = lo.dims(n);
  lo.make(n, 'kernel', [lo.whole(v.base)], { body: (c) => `H.inv(${c.buf(lo.get(n))}, ${c.arr(v.base)}, ${strides(v)}, ${rows});` });
};

export const lowerDiag: Hook = (n, lo) => {
  const d = lo.get(n.args[0]);
  const k = lo.dims(n)[0] + 1;
  lo.make(n, 'map', [lo.whole(d)], { body: (c) => `const t${n.id} = (i % ${k} === 0 ? ${c.at(d, `((i / ${k}) | 0)`)} : 0);` });
};

export const lowerDiagvec: Hook = (n, lo) => {
  if (lo.get(n.args[0]).scalar) return void lo.alias(n, n.args[0]);
  const { base } = lo.view(n.args[0]);
  lo.make(n, 'map', [lo.whole(base)], { body: (c) => `const t${n.id} = ${c.at(base, `i * ${base.cols + 1}`)};` });
};

// ---- structure --------------------------------------------------------------------------------------------

export const lowerVec: Hook = (n, lo) => {
  const args = n.args.map(lo.get);
  const cols = lo.dims(n)[1];
  if (n.shape.kind === 'vector') {
    lo.make(n, 'kernel', args.map(lo.point), { body: (c) => args.map((a, i) => `${c.buf(lo.get(n))}[${i}] = ${c.sc(a)};`).join(' ') });
  } else {
    lo.make(n, 'kernel', args.map(lo.whole), {
      body: (c) => args.map((a, i) => `for (let j = 0; j < ${cols}; j++) ${c.buf(lo.get(n))}[${i * cols} + j] = ${c.at(a, 'j')};`).join(' '),
    });
  }
};

export const lowerIndex: Hook = (n, lo) => {
  const a = lo.get(n.args[0]);
  const len = a.size;
  if (typeof n.attr !== 'number') {
    const m = lo.message(`Index ${String(n.attr)} is out of range for a vector of length ${len}.`);
    lo.make(n, 'scalar', [lo.whole(a)], {
      body: (c) => {
        const J = lo.indexVar(String(n.attr));
        return `const s${n.id} = (${J} >= 1 && ${J} <= ${len} ? ${c.at(a, `${J} - 1`)} : H.fail(${m}));`;
      },
    });
  } else if (!Number.isInteger(n.attr) || n.attr < 1 || n.attr > len) {
    const m = lo.message(`Index ${n.attr} is out of range for a vector of length ${len}.`);
    lo.make(n, 'scalar', [], { body: () => `const s${n.id} = H.fail(${m});` });
  } else {
    const k = n.attr;
    lo.make(n, 'scalar', [lo.whole(a)], { body: (c) => `const s${n.id} = ${c.at(a, intLiteral(k - 1))};` });
  }
};
