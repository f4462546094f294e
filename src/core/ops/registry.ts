// The operator registry: every operator's entry, looked up by IR name or by the name users call it with.
// Operator names are a typed union derived from the entries, so `b.call('coss', u)` does not compile.

import type { OpDef, SurfaceFunction } from './types.ts';
import { leafOps } from './leaves.ts';
import { arithmeticOps } from './arithmetic.ts';
import { elementwiseOps } from './elementwise.ts';
import { reductionOps } from './reductions.ts';
import { matrixOps } from './matrix.ts';
import { structureOps } from './structure.ts';

const OPS = [...leafOps, ...arithmeticOps, ...elementwiseOps, ...reductionOps, ...matrixOps, ...structureOps];

/** The name of a registered operator. */
export type OpName = (typeof OPS)[number]['op'];

export const ALL_OPS: readonly OpDef<OpName>[] = OPS;

const byOp = new Map<string, OpDef<OpName>>();
for (const def of ALL_OPS) {
  if (byOp.has(def.op)) throw new Error(`duplicate operator ${def.op}`);
  byOp.set(def.op, def);
}

export function opDef(op: string): OpDef<OpName> {
  const def = byOp.get(op);
  if (!def) throw new Error(`internal: unknown operator ${op}`);
  return def;
}

export const SURFACE_FUNCTIONS: readonly SurfaceFunction[] = ALL_OPS.flatMap((d) => (d.syntax ? [d.syntax] : []));

const byName = new Map<string, SurfaceFunction>();
for (const f of SURFACE_FUNCTIONS) {
  for (const name of [f.name, ...(f.aliases ?? [])]) {
    if (byName.has(name)) throw new Error(`two operators are called ${name}`);
    byName.set(name, f);
  }
}

export function surfaceFunction(name: string): SurfaceFunction | undefined {
  return byName.get(name);
}

/** Every name users can call, including aliases and the derivative forms. */
export function callableNames(): string[] {
  return [...byName.keys(), 'grad', 'jacobian', 'hessian', 'd'];
}
