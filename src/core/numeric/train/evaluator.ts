// The one place the trainer turns expression DAGs into numbers: the compiled evaluator (compile.ts: fused
// loops, buffers preallocated per plan), or the reference interpreter when a DAG cannot be compiled. Results
// may live in buffers that the next `run` reuses: callers read them before calling again.

import type { Node } from '../../ir.ts';
import { compile } from '../compile.ts';
import { evaluateAll } from '../evaluate.ts';
import type { Tensor } from '../tensor.ts';

export interface Evaluator {
  /** Values of the roots (in order) for these variable values. */
  run(vars: ReadonlyMap<string, Tensor>): Tensor[];
  /** Which implementation runs (for reports and benchmarks). */
  readonly kind: 'reference' | 'compiled';
}

/**
 * Unit vectors with a literal index (e_2, built by the reverse rule of x[2]) look their index up among the
 * free index symbols; a literal index is its own value.
 */
const LITERAL_INDICES: ReadonlyMap<string, number> = {
  get: (k: string) => (/^\d+$/.test(k) ? Number(k) : undefined),
  has: (k: string) => /^\d+$/.test(k),
} as unknown as ReadonlyMap<string, number>;

export function makeEvaluator(roots: readonly Node[], dims: ReadonlyMap<string, number>, prefer: 'compiled' | 'reference' = 'compiled'): Evaluator {
  if (prefer === 'compiled') {
    let plan: ReturnType<typeof compile> | undefined;
    try {
      plan = compile(roots, dims);
    } catch {
      plan = undefined; // the reference evaluator below reports any real problem when it runs
    }
    if (plan) {
      const p = plan;
      return { kind: 'compiled', run: (vars) => p.run(vars, LITERAL_INDICES) };
    }
  }
  return {
    kind: 'reference',
    run(vars) {
      const values = evaluateAll(roots, { vars, dims, indices: LITERAL_INDICES });
      return roots.map((r) => values.get(r)!);
    },
  };
}
