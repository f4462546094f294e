// Reference evaluator: walks the DAG once in topological order with each operator's kernel. Used by
// `mcalc eval`, gradient checks and tests; the compiled evaluator (compile.ts) is the fast path. A Hessian
// sandwich Xᵀ * diag(d) * X is evaluated as a whole in one blocked pass (sandwich.ts), without its N×N
// diagonal or its N×n intermediate, and its weights d by a compiled plan (sandwichWeights.ts).

import type { Node } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import { materialisedOrder, sandwich, sandwichParts } from './sandwich.ts';
import { compiledWeights } from './sandwichWeights.ts';
import { type EvalEnv, type Tensor, EvalError, shapeDims } from './tensor.ts';

export function evaluateAll(roots: readonly Node[], env: EvalEnv): Map<Node, Tensor> {
  const values = new Map<Node, Tensor>();
  for (const n of materialisedOrder(roots, 'compiled')) {
    if (values.has(n)) continue;
    const parts = sandwichParts(n);
    if (parts) {
      values.set(n, sandwich(values.get(parts.A)!, weights(parts.d, env, values)));
      continue;
    }
    const v = opDef(n.op).evaluate(
      n,
      n.args.map((a) => values.get(a)!),
      env,
    );
    values.set(n, v);
  }
  return values;
}

/** A sandwich's weights: compiled where it can, else (or where they are not finite) by the reference walk. */
function weights(d: Node, env: EvalEnv, values: Map<Node, Tensor>): Tensor {
  const known = values.get(d) ?? compiledWeights(d, env);
  if (known) {
    values.set(d, known);
    return known;
  }
  for (const [n, v] of evaluateAll([d], env)) if (!values.has(n)) values.set(n, v);
  return values.get(d)!;
}

export function evaluate(root: Node, env: EvalEnv): Tensor {
  return rootValue(evaluateAll([root], env), root, env);
}

/** The value of `root` among values that evaluateAll gave, checked against its shape. */
export function rootValue(values: ReadonlyMap<Node, Tensor>, root: Node, env: EvalEnv): Tensor {
  const v = values.get(root)!;
  const [r, c] = shapeDims(root.shape, env);
  if (v.rows !== r || v.cols !== c) throw new EvalError(`internal: ${root.op} produced ${v.rows}×${v.cols}, expected ${r}×${c}`);
  return v;
}
