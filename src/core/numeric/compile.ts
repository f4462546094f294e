// Compiled evaluation: expression and derivative DAGs become straight-line JavaScript over Float64Arrays,
// generated once per (roots, sizes) with `new Function` and reused across calls. The stages live in
// compile/: lowering (each operator's entry lowers its node: lower.ts), what is needed (needed.ts), loop
// fusion (fusion.ts), buffers (buffers.ts) and code generation (codegen.ts, schedule.ts). This file runs them
// and binds the generated function to its inputs.

import { type Node, topoOrder } from '../ir.ts';
import { EvalError, type Tensor } from './tensor.ts';
import { allocateBuffers } from './compile/buffers.ts';
import { generate } from './compile/codegen.ts';
import { fuseLoops } from './compile/fusion.ts';
import { makeHelpers } from './compile/helpers.ts';
import { lowerAll } from './compile/lower.ts';
import { neededValues } from './compile/needed.ts';
import type { CompileOptions, CompiledPlan, InputValue, PlanInput } from './compile/plan.ts';

export type { CompileOptions, CompiledPlan, InputValue, PlanInput } from './compile/plan.ts';
export { numberLiteral } from './compile/plan.ts';

/** Compiles the roots for these sizes of the symbolic dimensions. Throws EvalError for unknown sizes. */
export function compile(roots: readonly Node[], dims: ReadonlyMap<string, number>, options: CompileOptions = {}): CompiledPlan {
  for (const [name, v] of dims) if (!Number.isSafeInteger(v) || v < 1) throw new EvalError(`The size of dimension '${name}' must be a positive integer, not ${v}.`);
  const lowered = lowerAll(topoOrder(roots), dims);
  const rootLs = roots.map(lowered.get);
  const { needed, inputs } = neededValues(rootLs);
  const fusion = fuseLoops(needed, options.fuse !== false);
  const bufs = allocateBuffers(needed, rootLs, fusion);
  const gen = generate(needed, rootLs, lowered.lOf.values(), fusion, bufs, inputs.length, lowered.indexNames);

  const helpers = makeHelpers(lowered.messages, lowered.fallbacks);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const fn = new Function('H', 'B', 'C', gen.source)(helpers, bufs.buffers, bufs.consts) as (X: readonly Float64Array[], I: readonly number[]) => void;
  let bufferElements = 0;
  let largestBuffer = 0;
  for (const b of [...bufs.buffers, ...bufs.consts]) {
    bufferElements += b.length;
    largestBuffer = Math.max(largestBuffer, b.length);
  }
  const stats = { loops: gen.loops, kernels: gen.kernels, buffers: bufs.buffers.length + bufs.consts.length, bufferElements, largestBuffer };
  return bindPlan(fn, inputs, lowered.indexNames, gen.outputs, gen.source, stats);
}

/** The plan's calling conventions around the generated function: by slot, or by name with checks. */
function bindPlan(
  fn: (X: readonly Float64Array[], I: readonly number[]) => void, inputs: readonly PlanInput[], indexNames: readonly string[],
  outputs: Tensor[], source: string, stats: CompiledPlan['stats'],
): CompiledPlan {
  const scratch = inputs.map((i) => new Float64Array(i.rows * i.cols));
  const inputArrays: Float64Array[] = new Array(inputs.length);
  const indexValues: number[] = new Array(indexNames.length).fill(0);

  const runSlots = (xs: readonly Float64Array[], is: readonly number[] = indexValues): Tensor[] => {
    if (xs.length !== inputs.length) throw new EvalError(`internal: expected ${inputs.length} inputs, got ${xs.length}`);
    for (let k = 0; k < inputs.length; k++) {
      if (xs[k].length !== inputs[k].rows * inputs[k].cols) {
        throw new EvalError(`'${inputs[k].name}' has ${xs[k].length} elements, but ${inputs[k].rows}×${inputs[k].cols} are expected.`);
      }
    }
    fn(xs, is);
    return outputs;
  };

  const bind = (vars: ReadonlyMap<string, InputValue>, indices?: ReadonlyMap<string, number>) => {
    for (let k = 0; k < inputs.length; k++) {
      const v = vars.get(inputs[k].name);
      if (v === undefined) throw new EvalError(inputs[k].name.startsWith('d:') ? `No direction for d${inputs[k].name.slice(2)}.` : `No value for '${inputs[k].name}'.`);
      if (typeof v === 'number') {
        scratch[k][0] = v;
        inputArrays[k] = scratch[k];
      } else {
        inputArrays[k] = v instanceof Float64Array ? v : v.data;
      }
    }
    for (let k = 0; k < indexNames.length; k++) {
      const j = indices?.get(indexNames[k]);
      if (j === undefined) throw new EvalError(`No value for the index ${indexNames[k]}.`);
      indexValues[k] = j;
    }
  };

  return {
    inputs,
    indexNames,
    source,
    stats,
    run(vars, indices) {
      bind(vars, indices);
      return runSlots(inputArrays, indexValues);
    },
    evaluate(vars, indices) {
      bind(vars, indices);
      return runSlots(inputArrays, indexValues).map((t) => ({ rows: t.rows, cols: t.cols, data: Float64Array.from(t.data) }));
    },
    runSlots,
  };
}
