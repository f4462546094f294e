// Binding user-supplied values (JSON) to declared variables: dimensions are inferred from the values, and a
// missing or wrongly shaped value is a clear error.

import type { Analysis } from './analyze.ts';
import { type Dim, type Shape, formatShape } from './shape.ts';
import { stripBom } from './source.ts';
import type { EvalEnv, Tensor } from './numeric/tensor.ts';

export class ValueError extends Error {}

type Json = number | Json[] | { [k: string]: Json } | string | boolean | null;

function describe(v: Json): string {
  if (typeof v === 'number') return Number.isFinite(v) ? 'a number' : 'a number too large for a double';
  if (Array.isArray(v)) return Array.isArray(v[0]) ? `a ${v.length}×${(v[0] as Json[]).length} nested list` : `a list of ${v.length}`;
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function numbers(name: string, list: Json[]): number[] {
  return list.map((x, i) => {
    if (typeof x !== 'number') throw new ValueError(`'${name}' element ${i + 1} is ${describe(x)}, not a number.`);
    if (!Number.isFinite(x)) throw new ValueError(`'${name}' element ${i + 1} is too large for a double.`);
    return x;
  });
}

/** Sizes come from the values, and a dimension of size 0 has no elements to differentiate or train. */
function nonEmpty(name: string, expected: string, length: number): void {
  if (length === 0) throw new ValueError(`'${name}' is ${expected}, but its value is empty: every size must be at least 1.`);
}

/** The value's rows × cols as the declared kind reads it. */
function toTensor(name: string, shape: Shape, v: Json): Tensor {
  const expected = formatShape(shape);
  switch (shape.kind) {
    case 'scalar':
      if (typeof v !== 'number') throw new ValueError(`'${name}' is ${expected}, but its value is ${describe(v)}.`);
      if (!Number.isFinite(v)) throw new ValueError(`The value of '${name}' is too large for a double (it reads as ${v}).`);
      return { rows: 1, cols: 1, data: Float64Array.of(v) };
    case 'vector':
    case 'row': {
      const flat = Array.isArray(v) && v.every((x) => Array.isArray(x) && x.length === 1) ? (v as Json[][]).map((x) => x[0]) : v;
      if (!Array.isArray(flat) || flat.some((x) => Array.isArray(x))) throw new ValueError(`'${name}' is ${expected}, so its value must be a list of numbers, not ${describe(v)}.`);
      nonEmpty(name, expected, flat.length);
      const data = Float64Array.from(numbers(name, flat));
      return shape.kind === 'vector' ? { rows: data.length, cols: 1, data } : { rows: 1, cols: data.length, data };
    }
    case 'matrix': {
      if (!Array.isArray(v) || !v.every((r) => Array.isArray(r))) throw new ValueError(`'${name}' is ${expected}, so its value must be a list of rows, not ${describe(v)}.`);
      const rowsList = v as Json[][];
      nonEmpty(name, expected, rowsList.length);
      const cols = rowsList[0].length;
      nonEmpty(name, expected, cols);
      if (rowsList.some((r) => r.length !== cols)) throw new ValueError(`The rows of '${name}' have different lengths.`);
      const data = Float64Array.from(rowsList.flatMap((r) => numbers(name, r)));
      return { rows: rowsList.length, cols, data };
    }
  }
}

/**
 * Environment for evaluating a document's expressions with the given values. Dimensions come from the
 * values (`fixedDims` take precedence); every variable in `needed` must have a value.
 */
export function bindValues(analysis: Analysis, values: Record<string, Json>, needed: Iterable<string>, fixedDims: ReadonlyMap<string, number> = new Map()): EvalEnv {
  const dims = new Map(fixedDims);
  const source = new Map<string, string>();
  const vars = new Map<string, Tensor>();
  const bindDim = (d: Dim, size: number, who: string) => {
    if (typeof d === 'number') {
      if (d !== size) throw new ValueError(`${who} should have size ${d}, but the value has ${size}.`);
      return;
    }
    const known = dims.get(d);
    if (known === undefined) {
      dims.set(d, size);
      source.set(d, who);
    } else if (known !== size) {
      throw new ValueError(`Dimension ${d} is ${known}${source.has(d) ? ` (from ${source.get(d)})` : ''}, but ${who} has ${size}.`);
    }
  };
  for (const [name, v] of Object.entries(values)) {
    const decl = analysis.variable(name);
    if (!decl) {
      if (analysis.definition(name)) throw new ValueError(`'${name}' is a definition; values are given for declared variables only.`);
      throw new ValueError(`'${name}' is not a declared variable.`);
    }
    const t = toTensor(name, decl.shape, v);
    const s = decl.shape;
    if (s.kind === 'vector') bindDim(s.n, t.rows, `'${name}' (${formatShape(s)})`);
    if (s.kind === 'matrix') {
      bindDim(s.m, t.rows, `the rows of '${name}' (${formatShape(s)})`);
      bindDim(s.n, t.cols, `the columns of '${name}' (${formatShape(s)})`);
    }
    vars.set(name, t);
  }
  const missing = [...new Set(needed)].filter((n) => !vars.has(n));
  if (missing.length) {
    const list = missing.map((n) => `'${n}' (${formatShape(analysis.variable(n)!.shape)})`).join(', ');
    throw new ValueError(`No value for ${list}.`);
  }
  return { vars, dims };
}

export function parseValues(text: string, file: string): Record<string, Json> {
  let v: Json;
  try {
    v = JSON.parse(stripBom(text)) as Json;
  } catch (e) {
    throw new ValueError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ValueError(`${file} must hold a JSON object like {"x": 0.7, "w": [1, 2]}.`);
  return v as Record<string, Json>;
}

/** Nested arrays for row-major data with these dims (a number for no dims). */
export function nest(data: ArrayLike<number>, dims: readonly number[]): unknown {
  if (dims.length === 0) return data[0];
  const build = (offset: number, level: number): unknown => {
    const n = dims[level];
    if (level === dims.length - 1) return Array.from({ length: n }, (_, i) => data[offset + i]);
    const stride = dims.slice(level + 1).reduce((p, q) => p * q, 1);
    return Array.from({ length: n }, (_, i) => build(offset + i * stride, level + 1));
  };
  return build(0, 0);
}
