// The weights d of a Hessian sandwich Xᵀ * diag(d) * X, computed by a compiled plan: d is an element-wise
// chain over X * w and the data (y² ⊗ u ⊘ (1 + u)² with u = exp(−y ⊗ (X * w)) for logistic regression), which
// the reference evaluator runs as one pass and one allocation per operator and the plan as one fused loop
// after the product (a third of the time at N = 20,000). Plans are kept per d node and sizes, so `check`'s
// many points and repeated evaluations compile once. The plan gives the reference's bits (the conformance
// test holds it to that); where it cannot run, or d is not finite everywhere, the caller evaluates d with the
// reference instead, so errors and domain notes name the same subexpression as before.

import type { Node } from '../ir.ts';
import { type CompiledPlan, compile } from './compile.ts';
import { EvalError, type EvalEnv, type Tensor } from './tensor.ts';

/** Plans kept per d node: a check evaluates at a few sizes at most. */
const PLANS_PER_NODE = 4;
const plans = new WeakMap<Node, Map<string, CompiledPlan>>();

/** d by its compiled plan, as a tensor of its own; null where the reference evaluator must decide. */
export function compiledWeights(d: Node, env: EvalEnv): Tensor | null {
  const plan = planFor(d, env);
  if (!plan || plan.indexNames.length > 0) return null;
  const slots: Float64Array[] = [];
  for (const input of plan.inputs) {
    const v = env.vars.get(input.name);
    if (!v || v.data.length !== input.rows * input.cols) return null;
    slots.push(v.data);
  }
  let out: Tensor;
  try {
    out = plan.runSlots(slots)[0];
  } catch (e) {
    if (e instanceof EvalError) return null;
    throw e;
  }
  for (let i = 0; i < out.data.length; i++) if (!Number.isFinite(out.data[i])) return null;
  return { rows: out.rows, cols: out.cols, data: out.data.slice() };
}

function planFor(d: Node, env: EvalEnv): CompiledPlan | null {
  const key = [...env.dims].map(([k, v]) => `${k}=${v}`).sort().join(',');
  let byKey = plans.get(d);
  if (!byKey) plans.set(d, (byKey = new Map()));
  const kept = byKey.get(key);
  if (kept) return kept;
  let plan: CompiledPlan;
  try {
    plan = compile([d], env.dims);
  } catch (e) {
    if (e instanceof EvalError) return null;
    throw e;
  }
  if (byKey.size >= PLANS_PER_NODE) byKey.delete(byKey.keys().next().value!);
  byKey.set(key, plan);
  return plan;
}
