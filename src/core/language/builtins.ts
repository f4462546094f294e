// The callable words of the language as the editor presents them: each built-in function and derivative
// form with its signature, parameters, documentation and result shapes. The result shapes are not written by
// hand: each function is built on sample arguments with the engine's own shape rules.

import { Builder } from '../builder.ts';
import { SURFACE_FUNCTIONS } from '../ops/registry.ts';
import { type Shape, SCALAR, formatShape, matrixOf, vectorOf } from '../shape.ts';
import type { SurfaceFunction } from '../ops/types.ts';

export interface Callable {
  name: string;
  /** `max(a, b)`. */
  signature: string;
  parameters: string[];
  doc: string;
  /** `vector[n] → vector[n]`, one line per accepted argument shape. */
  resultShapes: string[];
  /** The name this one is an alias of. */
  aliasOf?: string;
  derivativeForm?: boolean;
}

const DERIVATIVE_FORMS: Callable[] = [
  { name: 'grad', signature: 'grad(f, x)', parameters: ['f', 'x'], doc: 'Gradient of a scalar f with respect to the variable x.', resultShapes: ["x's shape, in both layouts"], derivativeForm: true },
  { name: 'jacobian', signature: 'jacobian(f, x)', parameters: ['f', 'x'], doc: 'Jacobian of f with respect to the variable x (the same as d(f)/d(x)).', resultShapes: ['numerator layout: rows follow f, columns follow x', 'denominator layout: the transpose'], derivativeForm: true },
  { name: 'hessian', signature: 'hessian(f, x)', parameters: ['f', 'x'], doc: 'Hessian of a scalar f with respect to a scalar or vector x.', resultShapes: ['scalar x → scalar', 'vector[n] x → matrix[n, n]'], derivativeForm: true },
  { name: 'd', signature: 'd(f)/d(x)', parameters: ['f', 'x'], doc: 'Jacobian of f with respect to the variable x.', resultShapes: ['numerator layout: rows follow f, columns follow x', 'denominator layout: the transpose'], derivativeForm: true },
];

/** Sample arguments: the first shape of each group that the function accepts is shown. */
const ONE_ARGUMENT: Shape[][] = [[SCALAR], [vectorOf('n')], [matrixOf('m', 'n'), matrixOf('n', 'n')]];
const TWO_ARGUMENTS: Shape[][][] = [
  [[SCALAR, SCALAR]],
  [[vectorOf('n'), vectorOf('n')]],
  [[SCALAR, vectorOf('n')]],
  [[matrixOf('m', 'n'), matrixOf('m', 'n')]],
];

/** Constructors from sizes are shown for each number of sizes they take: `n → …`, `m, n → …`. */
function sizeResultShapes(fn: SurfaceFunction, b: Builder): string[] {
  return (fn.arities ?? [fn.arity]).map((k) => {
    const names = ['m', 'n'].slice(2 - k);
    const built = fn.build(b, names.map((d) => b.size(d)));
    return `${names.join(', ')} → ${'error' in built ? built.error : formatShape(built.shape)}`;
  });
}

function resultShapes(fn: SurfaceFunction): string[] {
  const b = new Builder();
  if (fn.sizeArguments) return sizeResultShapes(fn, b);
  const groups: Shape[][][] = fn.arity === 1 ? ONE_ARGUMENT.map((g) => g.map((s) => [s])) : TWO_ARGUMENTS;
  const lines: string[] = [];
  for (const group of groups) {
    for (const args of group) {
      const built = fn.build(b, args.map((s, i) => b.variable(`arg${i}`, s)));
      if ('error' in built) continue;
      lines.push(`${args.map(formatShape).join(', ')} → ${formatShape(built.shape)}`);
      break;
    }
  }
  return lines;
}

/** `max(a, b)` → ['a', 'b'] (the first call form when there are several, as in `diag(v) or diag(X)`). */
function parametersOf(signature: string): string[] {
  const inside = /\(([^)]*)\)/.exec(signature)?.[1] ?? '';
  return inside.split(',').map((p) => p.trim()).filter(Boolean);
}

function functionCallables(): Callable[] {
  return SURFACE_FUNCTIONS.flatMap((fn) => {
    const base: Callable = { name: fn.name, signature: fn.signature, parameters: parametersOf(fn.signature), doc: fn.doc, resultShapes: resultShapes(fn) };
    const aliases = (fn.aliases ?? []).map((alias) => ({ ...base, name: alias, signature: fn.signature.replace(fn.name, alias), aliasOf: fn.name }));
    return [base, ...aliases];
  });
}

let catalogue: ReadonlyMap<string, Callable> | undefined;

/** Every built-in function (aliases included) and derivative form, by name. */
export function callables(): ReadonlyMap<string, Callable> {
  catalogue ??= new Map([...functionCallables(), ...DERIVATIVE_FORMS].map((c) => [c.name, c]));
  return catalogue;
}
