// Constructors of constant vectors and matrices from sizes: eye(n) = 𝐈[n], ones(n) = 𝟏[n], zeros(n) = 𝟎[n],
// ones(m, n) = 𝟏[m, n], zeros(m, n) = 𝟎[m, n]. A size is a dimension name or a whole number; the result is the
// same constant node the glyphs build, so it prints, simplifies and differentiates as they do.

import type { Builder } from '../builder.ts';
import { type Node, constValue } from '../ir.ts';
import type { ShapeError, SurfaceFunction } from './types.ts';
import { type Dim, type Shape, matrixOf, vectorOf } from '../shape.ts';

/** The size an argument names: a dimension (`n`) or a positive whole number (`3`). */
function sizeArgument(fn: string, arg: Node): Dim | ShapeError {
  if (arg.op === 'size') return String(arg.attr);
  const v = arg.op === 'const' && arg.shape.kind === 'scalar' ? constValue(arg) : undefined;
  if (v !== undefined && Number.isInteger(v) && v >= 1) return v;
  return { error: `The sizes of ${fn} must be dimension names or whole numbers from 1 up.`, hint: `Declare a dimension (\`dim n\`) and write ${fn}(n), or give a number, e.g. ${fn}(3).` };
}

/** The shape given by one size (a column vector, or an n×n matrix for eye) or two (an m×n matrix). */
function shapeOf(fn: string, args: readonly Node[], square: boolean): Shape | ShapeError {
  const sizes: Dim[] = [];
  for (const a of args) {
    const s = sizeArgument(fn, a);
    if (typeof s === 'object') return s;
    sizes.push(s);
  }
  if (sizes.length === 2) return matrixOf(sizes[0], sizes[1]);
  return square ? matrixOf(sizes[0], sizes[0]) : vectorOf(sizes[0]);
}

function constructor(name: string, value: number | 'identity', doc: string): SurfaceFunction {
  const square = value === 'identity';
  return {
    name,
    arity: 1,
    ...(square ? {} : { arities: [1, 2] }),
    sizeArguments: true,
    highlight: 'linear-algebra',
    signature: square ? `${name}(n)` : `${name}(n) or ${name}(m, n)`,
    doc,
    build(b: Builder, args: Node[]) {
      const shape = shapeOf(name, args, square);
      if ('error' in shape) return shape;
      if (value === 'identity') return b.identity((shape as { n: Dim }).n);
      return b.constant(value, shape);
    },
  };
}

export const constructorFunctions: SurfaceFunction[] = [
  constructor('eye', 'identity', 'eye(n): the n×n identity matrix 𝐈[n].'),
  constructor('ones', 1, 'ones(n): the all-ones vector 𝟏[n]; ones(m, n): the m×n all-ones matrix 𝟏[m, n].'),
  constructor('zeros', 0, 'zeros(n): the zero vector 𝟎[n]; zeros(m, n): the m×n zero matrix 𝟎[m, n].'),
];
