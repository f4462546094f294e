// How each operator is written in Python, for the exported gradient modules. The code is backend-neutral:
// `xp` is numpy, torch or jax.numpy, and the `_name` helpers are defined by each backend's prelude
// (backends.ts) where the three libraries differ. Vectors and row vectors are 1-D arrays, matrices 2-D; the
// shapes are known when exporting, so each product is lowered to the one operation its shapes mean.
// A conformance test checks that every operator of the registry has a lowering here or is named in NOT_EXPORTED.

import type { Node } from '../ir.ts';

/** Python for one node, given its arguments as atoms (names, literals or parenthesised expressions). */
export type Lowering = (args: readonly string[], node: Node) => string;

const call = (fn: string): Lowering => (args) => `${fn}(${args.join(', ')})`;
const infix = (op: string): Lowering => ([a, b]) => `(${a} ${op} ${b})`;
const compare = (op: string): Lowering => ([a, b]) => `_ind(${a} ${op} ${b})`;

/** Products by the shapes of their operands: matrix·vector, row·vector (a number), vector·row (outer), … */
const matmul: Lowering = ([a, b], n) => {
  const [x, y] = n.args;
  if (x.shape.kind === 'vector' && y.shape.kind === 'row') return `_outer(${a}, ${b})`;
  if (x.shape.kind === 'scalar' || y.shape.kind === 'scalar') return `(${a} * ${b})`;
  return `(${a} @ ${b})`;
};

export const LOWERINGS: Readonly<Record<string, Lowering>> = {
  add: infix('+'),
  sub: infix('-'),
  neg: ([a]) => `(-${a})`,
  mul: infix('*'),
  div: infix('/'),
  pow: ([a, e]) => `(${a} ** ${e})`,
  matmul,
  // 1-D arrays are both vectors and rows: only a matrix has something to transpose.
  transpose: ([a], n) => (n.shape.kind === 'matrix' ? `${a}.T` : a),
  dot: call('xp.dot'),
  sin: call('xp.sin'),
  cos: call('xp.cos'),
  tan: call('xp.tan'),
  exp: call('xp.exp'),
  log: call('xp.log'),
  sqrt: call('xp.sqrt'),
  abs: call('xp.abs'),
  tanh: call('xp.tanh'),
  sign: call('xp.sign'),
  sigmoid: call('_sigmoid'),
  relu: call('_relu'),
  max: call('_maximum'),
  min: call('_minimum'),
  gt: compare('>'),
  lt: compare('<'),
  ge: compare('>='),
  le: compare('<='),
  sum: call('xp.sum'),
  mean: call('xp.mean'),
  norm: ([a]) => `xp.sqrt(xp.sum(${a} * ${a}))`,
  norm1: ([a]) => `xp.sum(xp.abs(${a}))`,
  softmax: call('_softmax'),
  logsumexp: call('_logsumexp'),
  log_softmax: call('_log_softmax'),
  logdet: call('_logdet'),
  tr: call('xp.trace'),
  det: call('_det'),
  inv: call('_inv'),
  diag: call('xp.diag'),
  diagvec: call('xp.diag'),
  vec: call('_stack'),
  index: ([a], n) => `${a}[${Number(n.attr) - 1}]`,
};

/**
 * Operators that never reach an exported module, and why: leaves are written by the code generator itself;
 * derivative forms are replaced by their results first; differentials and unit vectors only appear in
 * directional and index-form results, which are not gradients.
 */
export const NOT_EXPORTED: Readonly<Record<string, string>> = {
  const: 'written as a literal by the code generator',
  var: 'a parameter of the exported function',
  size: 'read from the inputs’ shapes',
  identity: 'written by the code generator with the dimension’s size',
  tangent: 'differentials appear only in directional derivatives',
  unit: 'written by the code generator (a row of the identity); symbolic indices appear only in index-form results',
  deriv: 'derivative forms are replaced by their results before export',
};
