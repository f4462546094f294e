// The row kernel's WebAssembly SIMD products (rowKernel-simd.ts) against its JavaScript loops (rowKernel.ts):
// the same bits for random row lengths (odd, below and above the four-wide unrolling), row counts (whole
// groups of four and leftovers) and gradients with zeros (rows the JavaScript loop skips).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createRng } from '../../src/core/numeric/random.ts';
import { accumulate, predict } from '../../src/core/numeric/train/rowKernel.ts';
import { reserve, simdRows } from '../../src/core/numeric/train/rowKernel-simd.ts';

const sameBits = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

test('the SIMD and JavaScript row products give the same bits', () => {
  const kernel = simdRows;
  assert.ok(kernel, 'Node has WebAssembly SIMD, so the fast path should be the one that runs');
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 2 ** 30 }), (n, m, seed) => {
      const rng = createRng(seed, 'row-simd-test');
      const X = Float64Array.from({ length: m * n }, () => rng.uniform(-1, 1));
      const w = Float64Array.from({ length: n }, () => rng.uniform(-2, 2));
      const g = Float64Array.from({ length: m }, () => (rng.uniform(0, 1) < 0.3 ? 0 : rng.uniform(-1, 1)));
      const rows = Int32Array.from({ length: m }, (_, i) => i * n);
      const z = new Float64Array(m);
      const out = new Float64Array(n);
      predict(X, w, n, rows, m, z);
      accumulate(X, g, n, rows, m, out);

      // Layout in the module's memory: X, w, z, then the kept rows' g and byte addresses, then the gradient.
      const [xAt, wAt, zAt] = [0, 8 * m * n, 8 * (m * n + n)];
      const gAt = zAt + 8 * m;
      const rAt = gAt + 8 * m;
      const outAt = rAt + 8 * m;
      assert.ok(reserve(kernel.memory, outAt + 8 * n));
      const f64 = new Float64Array(kernel.memory.buffer);
      const i32 = new Int32Array(kernel.memory.buffer);
      f64.set(X, xAt / 8);
      f64.set(w, wAt / 8);
      f64.fill(0, outAt / 8, outAt / 8 + n);
      let kept = 0;
      g.forEach((gi, i) => {
        if (gi === 0) return;
        f64[gAt / 8 + kept] = gi;
        i32[rAt / 4 + kept++] = xAt + 8 * i * n;
      });
      kernel.dot(xAt, wAt, n, m, zAt);
      kernel.axpy(rAt, gAt, n, kept, outAt);
      assert.ok(sameBits(f64.slice(zAt / 8, zAt / 8 + m), z), `z differs for n = ${n}, m = ${m}`);
      assert.ok(sameBits(f64.slice(outAt / 8, outAt / 8 + n), out), `Xᵀg differs for n = ${n}, m = ${m}`);
    }),
    { numRuns: 200 },
  );
});
