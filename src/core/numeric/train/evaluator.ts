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
      return { kind: 'compiled', run: (vars) => p.run(vars) };
    }
  }
  return {
    kind: 'reference',
    run(vars) {
      const values = evaluateAll(roots, { vars, dims });
      return roots.map((r) => values.get(r)!);
    },
  };
}

/**
 * Whether the compiled evaluator agrees with the reference interpreter on one sample input (a few rows): a
 * guard against miscompilation, run once per training problem. Returns the evaluator to use and, when the
 * two disagree, a note saying so.
 */
export function crossCheck(roots: readonly Node[], dims: ReadonlyMap<string, number>, vars: ReadonlyMap<string, Tensor>): { prefer: 'compiled' | 'reference'; note?: string } {
  const compiled = makeEvaluator(roots, dims, 'compiled');
  if (compiled.kind !== 'compiled') return { prefer: 'reference' };
  let ref: Tensor[];
  try {
    ref = makeEvaluator(roots, dims, 'reference').run(vars);
  } catch {
    return { prefer: 'compiled' }; // nothing to compare with; evaluation errors surface when training runs
  }
  let got: Tensor[];
  try {
    got = compiled.run(vars);
  } catch (e) {
    return { prefer: 'reference', note: `the compiled evaluator failed (${(e as Error).message}); using the reference interpreter` };
  }
  let worst = 0;
  for (let k = 0; k < roots.length; k++) {
    const a = got[k].data;
    const b = ref[k].data;
    if (a.length !== b.length) return { prefer: 'reference', note: `the compiled evaluator gave ${a.length} values instead of ${b.length}; using the reference interpreter` };
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
      const d = Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i]));
      if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
    }
  }
  if (worst > 1e-9) return { prefer: 'reference', note: `internal: the compiled evaluator disagreed with the reference interpreter on this loss (relative difference ${worst.toPrecision(3)}); training uses the reference interpreter, which is slower` };
  return { prefer: 'compiled' };
}
