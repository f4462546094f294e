// Runtime helpers passed to the generated code as `H`: matrix kernels, run-time errors and the reference
// evaluation of operators without a compiled lowering. Names from the document never reach them as code.

import type { Node } from '../../ir.ts';
import { opDef } from '../../ops/registry.ts';
import { type EvalEnv, type Tensor, EvalError, detT, finiteRows, invT, matVecInto } from '../tensor.ts';
import { logDet } from '../../ops/logdet.ts';

export interface Helpers {
  matmul(out: Float64Array, A: Float64Array, ars: number, acs: number, B: Float64Array, brs: number, bcs: number, M: number, K: number, P: number): void;
  det(A: Float64Array, rs: number, cs: number, n: number): number;
  logdet(A: Float64Array, rs: number, cs: number, n: number): number;
  inv(out: Float64Array, A: Float64Array, rs: number, cs: number, n: number): void;
  fail(k: number): never;
  ref(k: number, args: readonly (Float64Array | number)[]): Float64Array;
}

/** A node evaluated by its reference kernel, with its arguments' sizes. */
export interface Fallback {
  node: Node;
  dims: [number, number][];
  env: EvalEnv;
}

function strided(A: Float64Array, rs: number, cs: number, r: number, c: number): Tensor {
  const t = { rows: r, cols: c, data: new Float64Array(r * c) };
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t.data[i * c + j] = A[i * rs + j * cs];
  return t;
}

export function makeHelpers(messages: readonly string[], fallbacks: readonly Fallback[]): Helpers {
  return {
    matmul(out, A, ars, acs, B, brs, bcs, M, K, P) {
      if (P === 1) return matVecInto(out, A, ars, acs, B, brs, M, K);
      out.fill(0);
      // As in the reference (matmulT): a zero skips a row of B only when that row is finite (0·∞ is NaN).
      const finite = finiteRows(B, K, P, brs, bcs);
      for (let i = 0; i < M; i++) {
        const oo = i * P;
        for (let p = 0; p < K; p++) {
          const a = A[i * ars + p * acs];
          if (a === 0 && finite[p]) continue;
          const bo = p * brs;
          if (bcs === 1) for (let j = 0; j < P; j++) out[oo + j] += a * B[bo + j];
          else for (let j = 0; j < P; j++) out[oo + j] += a * B[bo + j * bcs];
        }
      }
    },
    det: (A, rs, cs, n) => detT(strided(A, rs, cs, n, n)),
    logdet: (A, rs, cs, n) => logDet(strided(A, rs, cs, n, n)),
    inv(out, A, rs, cs, n) {
      out.set(invT(strided(A, rs, cs, n, n)).data);
    },
    fail(k) {
      throw new EvalError(messages[k]);
    },
    ref(k, args) {
      const f = fallbacks[k];
      const tensors = args.map((a, i) => {
        const [r, c] = f.dims[i];
        return { rows: r, cols: c, data: typeof a === 'number' ? Float64Array.of(a) : a };
      });
      return opDef(f.node.op).evaluate(f.node, tensors, f.env).data;
    },
  };
}
