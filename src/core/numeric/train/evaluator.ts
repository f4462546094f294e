// The one place the trainer turns expression DAGs into numbers. Today the reference interpreter; the compiled
// evaluator (compile.ts) plugs in here when it is available. Results may live in buffers that the next `run`
// reuses: callers read them before calling again.

import type { Node } from '../../ir.ts';
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

export function makeEvaluator(roots: readonly Node[], dims: ReadonlyMap<string, number>): Evaluator {
  return {
    kind: 'reference',
    run(vars) {
      const values = evaluateAll(roots, { vars, dims, indices: LITERAL_INDICES });
      return roots.map((r) => values.get(r)!);
    },
  };
}
