// The operator registry: every operator family, looked up by IR name or by the name users call it with.

import type { OpDef, SurfaceFunction } from './types.ts';
import { leafOps } from './leaves.ts';
import { arithmeticOps } from './arithmetic.ts';
import { elementwiseOps, elementwiseFunctions } from './elementwise.ts';
import { reductionOps, reductionFunctions } from './reductions.ts';
import { matrixOps, matrixFunctions } from './matrix.ts';
import { structureOps, structureFunctions } from './structure.ts';
import { softmaxOps, softmaxFunctions } from './softmax.ts';
import { logdetOps, logdetFunctions } from './logdet.ts';
import { norm1Ops, norm1Functions } from './norm1.ts';
import { constructorFunctions } from './constructors.ts';

export const ALL_OPS: readonly OpDef[] = [...leafOps, ...arithmeticOps, ...elementwiseOps, ...reductionOps, ...matrixOps, ...structureOps, ...softmaxOps, ...logdetOps, ...norm1Ops];

const byOp = new Map<string, OpDef>();
for (const def of ALL_OPS) {
  if (byOp.has(def.op)) throw new Error(`duplicate operator ${def.op}`);
  byOp.set(def.op, def);
}

export function opDef(op: string): OpDef {
  const def = byOp.get(op);
  if (!def) throw new Error(`internal: unknown operator ${op}`);
  return def;
}

export const SURFACE_FUNCTIONS: readonly SurfaceFunction[] = [
  ...elementwiseFunctions, ...reductionFunctions, ...matrixFunctions, ...structureFunctions,
  ...softmaxFunctions, ...logdetFunctions, ...norm1Functions, ...constructorFunctions,
];

const byName = new Map<string, SurfaceFunction>();
for (const f of SURFACE_FUNCTIONS) for (const name of [f.name, ...(f.aliases ?? [])]) byName.set(name, f);

export function surfaceFunction(name: string): SurfaceFunction | undefined {
  return byName.get(name);
}

/** Every name users can call, including aliases and the derivative forms. */
export function callableNames(): string[] {
  return [...byName.keys(), 'grad', 'jacobian', 'hessian', 'd'];
}
