// Numeric values of derivatives. Everything is compared in one canonical convention — the full tensor
// G[f-index][x-index] = ∂f_flat/∂x_flat (row-major flattening) — and converted to a layout only for display.
// Finite differences in the same convention are in check/finiteDifferences.ts.

import type { Node } from '../ir.ts';
import type { DerivativeResult, Variable } from '../diff/engine.ts';
import type { DerivativeForm } from '../ops/structure.ts';
import type { Layout } from '../shape.ts';
import { evaluate } from './evaluate.ts';
import { type EvalEnv, type Tensor, EvalError, shapeDims } from './tensor.ts';

/** G[i][j] = ∂f_i/∂x_j with f and x flattened row-major. */
export interface CanonicalJacobian {
  fSize: number;
  xSize: number;
  data: Float64Array; // fSize × xSize, row-major
}

/** Canonical Jacobian of a symbolic derivative result (or the Hessian, whose "f" is the gradient). */
export function evaluateDerivative(result: DerivativeResult, f: Node, x: Variable, form: DerivativeForm, layout: Layout, env: EvalEnv): CanonicalJacobian {
  const [fr, fc] = form === 'hessian' ? shapeDims(x.shape, env) : shapeDims(f.shape, env);
  const [xr, xc] = shapeDims(x.shape, env);
  const fSize = fr * fc;
  const xSize = xr * xc;
  const G = new Float64Array(fSize * xSize);
  if (result.kind === 'index') {
    const indices = new Map<string, number>();
    for (let a = 0; a < xr; a++) {
      for (let c = 0; c < xc; c++) {
        const j = a * xc + c;
        const [first, second] = result.indices;
        if (second) indices.set(first, a + 1).set(second, c + 1);
        else if (first) indices.set(first, j + 1);
        const slice = evaluate(result.slice, { ...env, indices });
        for (let i = 0; i < fSize; i++) G[i * xSize + j] = slice.data[i];
      }
    }
    return { fSize, xSize, data: G };
  }
  const v = evaluate(result.value, env);
  if (form === 'grad') {
    G.set(v.data);
    return { fSize, xSize, data: G };
  }
  if (form === 'hessian') {
    G.set(v.data);
    return { fSize, xSize, data: G };
  }
  // Jacobian of order ≤ 2. In numerator layout f's element varies along rows and x's along columns, except
  // for a scalar f and matrix x (q×p: the transpose of the gradient). Denominator layout transposes.
  const numerator = layout === 'numerator' ? v : transpose(v);
  if (fSize === 1 && xr > 1 && xc > 1) {
    // numerator is xc × xr: numerator[c][a] = ∂f/∂X[a][c]
    for (let a = 0; a < xr; a++) for (let c = 0; c < xc; c++) G[a * xc + c] = numerator.data[c * xr + a];
    return { fSize, xSize, data: G };
  }
  if (numerator.data.length !== G.length) throw new EvalError(`internal: derivative value has ${numerator.data.length} elements, expected ${G.length}`);
  G.set(numerator.data);
  return { fSize, xSize, data: G };
}

function transpose(t: Tensor): Tensor {
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < t.rows; i++) for (let j = 0; j < t.cols; j++) out[j * t.rows + i] = t.data[i * t.cols + j];
  return { rows: t.cols, cols: t.rows, data: out };
}
