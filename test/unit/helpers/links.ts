// Random link functions φ for the linear-form kernels' property tests (one-pass training, one-pass finite
// differences): element-wise expressions of U (a placeholder for the predictor), y and constants.

import fc from 'fast-check';

/** Element-wise expressions of U (the predictor X w + b or X w), y and constants. */
export function linkArb(depth: number): fc.Arbitrary<string> {
  const leaf = fc.constantFrom('U', 'y', '0.5', '2');
  if (depth === 0) return leaf;
  const sub = linkArb(depth - 1);
  return fc.oneof(
    { weight: 1, arbitrary: leaf },
    { weight: 2, arbitrary: fc.tuple(sub, fc.constantFrom('+', '-', '⊗'), sub).map(([a, o, c]) => `(${a} ${o} ${c})`) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('tanh', 'sigmoid', 'abs', 'relu', 'sin'), sub).map(([f, a]) => `${f}(${a})`) },
    { weight: 1, arbitrary: sub.map((a) => `log(1 + exp(-(${a})))`) },
    { weight: 1, arbitrary: sub.map((a) => `max(0, ${a})`) },
    { weight: 1, arbitrary: sub.map((a) => `(${a})^2`) },
  );
}
