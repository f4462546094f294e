// Shapes of values. Vectors are columns; a transposed vector is a row. Dimensions are symbolic names or
// positive integer literals; two different names are different sizes.

export type Dim = string | number;

export type Shape =
  | { kind: 'scalar' }
  | { kind: 'vector'; n: Dim }
  | { kind: 'row'; n: Dim }
  | { kind: 'matrix'; m: Dim; n: Dim };

export const SCALAR: Shape = Object.freeze({ kind: 'scalar' });
export const vectorOf = (n: Dim): Shape => ({ kind: 'vector', n });
export const rowOf = (n: Dim): Shape => ({ kind: 'row', n });
export const matrixOf = (m: Dim, n: Dim): Shape => ({ kind: 'matrix', m, n });

export function sameDim(a: Dim, b: Dim): boolean {
  return a === b;
}

export function rows(s: Shape): Dim {
  return s.kind === 'vector' || s.kind === 'matrix' ? (s.kind === 'vector' ? s.n : s.m) : 1;
}
export function cols(s: Shape): Dim {
  return s.kind === 'row' || s.kind === 'matrix' ? s.n : 1;
}

/** Build the shape with these rows and columns, choosing scalar/vector/row/matrix from the operand kinds. */
export function shapeFromDims(r: Dim, c: Dim, kind: Shape['kind']): Shape {
  switch (kind) {
    case 'scalar':
      return SCALAR;
    case 'vector':
      return vectorOf(r);
    case 'row':
      return rowOf(c);
    default:
      return matrixOf(r, c);
  }
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'scalar':
      return true;
    case 'vector':
    case 'row':
      return sameDim(a.n, (b as { n: Dim }).n);
    case 'matrix':
      return sameDim(a.m, (b as { m: Dim }).m) && sameDim(a.n, (b as { n: Dim }).n);
  }
}

/** Same rows × columns (a 1×n Jacobian equals a row vector[n]; m×1 equals vector[m]; 1×1 equals scalar). */
export function sameAsMatrix(a: Shape, b: Shape): boolean {
  return sameDim(rows(a), rows(b)) && sameDim(cols(a), cols(b));
}

export function transposeShape(s: Shape): Shape {
  switch (s.kind) {
    case 'scalar':
      return s;
    case 'vector':
      return rowOf(s.n);
    case 'row':
      return vectorOf(s.n);
    case 'matrix':
      return matrixOf(s.n, s.m);
  }
}

/** Number of elements as a product of dims (flattened length). */
export function dimsOf(s: Shape): Dim[] {
  switch (s.kind) {
    case 'scalar':
      return [];
    case 'vector':
    case 'row':
      return [s.n];
    case 'matrix':
      return [s.m, s.n];
  }
}

export function formatShape(s: Shape): string {
  switch (s.kind) {
    case 'scalar':
      return 'scalar';
    case 'vector':
      return `vector[${s.n}]`;
    case 'row':
      return `row vector[${s.n}]`;
    case 'matrix':
      return `matrix[${s.m}, ${s.n}]`;
  }
}

/** `m×n` form: scalar 1×1, vector[n] n×1, row 1×n. */
export function formatAsMatrix(s: Shape): string {
  return `${rows(s)}×${cols(s)}`;
}

// ---- Jacobian shapes ------------------------------------------------------------------------------------

export type Layout = 'numerator' | 'denominator';
export const LAYOUTS: readonly Layout[] = ['numerator', 'denominator'];

/**
 * Jacobian ∂f/∂x. Numerator layout (the paper's default): rows follow f, columns follow x, e.g.
 * scalar/vector[n] → 1×n, vector[m]/vector[n] → m×n, scalar/matrix[p,q] → q×p, vector[m]/matrix[p,q] → m×p×q.
 * Denominator layout is the transpose for order ≤ 2 and x-dims-first beyond.
 * `shape` is set when the result is at most a matrix, so it can be used in expressions.
 */
export function jacobianShape(f: Shape, x: Shape, layout: Layout): { dims: Dim[]; shape?: Shape } {
  const fd = dimsOf(f);
  const xd = dimsOf(x);
  if (fd.length + xd.length > 2) return { dims: layout === 'numerator' ? [...fd, ...xd] : [...xd, ...fd] };
  let numerator: [Dim, Dim];
  if (fd.length === 0) numerator = xd.length === 2 ? [xd[1], xd[0]] : [1, xd.length === 1 ? xd[0] : 1];
  else if (fd.length === 1) numerator = [fd[0], xd.length === 1 ? xd[0] : 1];
  else numerator = [fd[0], fd[1]];
  const dims: Dim[] = layout === 'numerator' ? numerator : [numerator[1], numerator[0]];
  return { dims, shape: matrixToShape(dims[0], dims[1]) };
}

/** hessian(f, x) for scalar f: x scalar → scalar, x vector[n] → n×n. */
export function hessianShape(x: Shape): Shape | undefined {
  if (x.kind === 'scalar') return SCALAR;
  if (x.kind === 'vector') return matrixOf(x.n, x.n);
  return undefined;
}

export function matrixToShape(r: Dim, c: Dim): Shape {
  if (r === 1 && c === 1) return SCALAR;
  if (c === 1) return vectorOf(r);
  if (r === 1) return rowOf(c);
  return matrixOf(r, c);
}

export function formatJacobianDims(dims: Dim[]): string {
  return dims.length === 0 ? '1×1' : dims.join('×');
}

/** Some non-scalar shape, for code that only asks whether a shape is a scalar (bold names in LaTeX). */
export const NOT_SCALAR: Shape = { kind: 'vector', n: 1 };
