// Stage 2, what is needed: the lowered values the roots depend on (in DAG order), the input slots they read,
// and each value's users.

import { EvalError } from '../tensor.ts';
import type { L, PlanInput } from './plan.ts';

export function neededValues(roots: readonly L[]): { needed: L[]; inputs: PlanInput[] } {
  const needed: L[] = [];
  const stack = [...roots];
  while (stack.length) {
    const l = stack.pop()!;
    if (l.needed) continue;
    l.needed = true;
    needed.push(l);
    for (const d of l.deps) stack.push(d.l);
  }
  needed.sort((a, b) => a.order - b.order);
  const inputs = assignInputSlots(needed);
  for (const l of needed) for (const d of l.deps) d.l.users.push({ l, access: d.access });
  return { needed, inputs };
}

/** One slot per input name, in DAG order; a name read with two sizes is an internal error. */
function assignInputSlots(needed: readonly L[]): PlanInput[] {
  const inputs: PlanInput[] = [];
  const inputSlot = new Map<string, number>();
  for (const l of needed) {
    if (l.kind !== 'input') continue;
    const name = l.inputName!;
    let slot = inputSlot.get(name);
    if (slot === undefined) {
      slot = inputs.length;
      inputs.push({ name, rows: l.rows, cols: l.cols });
      inputSlot.set(name, slot);
    } else if (inputs[slot].rows * inputs[slot].cols !== l.size) {
      throw new EvalError(`internal: '${name}' is used with two different sizes`);
    }
    l.slot = slot;
  }
  return inputs;
}
