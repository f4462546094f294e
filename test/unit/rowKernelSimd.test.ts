// The row kernel's WebAssembly SIMD products (rowKernel-simd.ts) against its JavaScript loops (rowKernel.ts):
// the same bits for random row lengths (odd, below and above the four-wide unrolling), row counts (whole
// groups of four and leftovers), rows in order or picked by an index (mini-batches), and gradients with zeros
// (rows the JavaScript loop skips).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createRng } from '../../src/core/numeric/random.ts';
import { accumulate, predict } from '../../src/core/numeric/train/rowKernel.ts';
import { SimdProducts } from '../../src/core/numeric/train/rowKernel-simd.ts';

const sameBits = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

test('the SIMD and JavaScript row products give the same bits', () => {
  assert.ok(SimdProducts.create(1, 1), 'Node has WebAssembly SIMD, so the fast path should be the one that runs');
  const sizes = { n: fc.integer({ min: 1, max: 37 }), m: fc.integer({ min: 1, max: 23 }) };
  fc.assert(
    fc.property(sizes.n, sizes.m, fc.boolean(), fc.integer({ min: 1, max: 2 ** 30 }), (n, m, indexed, seed) => {
      const rng = createRng(seed, 'row-simd-test');
      const total = m + 5;
      const X = Float64Array.from({ length: total * n }, () => rng.uniform(-1, 1));
      const w = Float64Array.from({ length: n }, () => rng.uniform(-2, 2));
      const g = Float64Array.from({ length: m }, () => (rng.uniform(0, 1) < 0.3 ? 0 : rng.uniform(-1, 1)));
      // Positions 2…m+1: through a shuffled index, or the rows themselves.
      const idx = indexed ? Int32Array.from({ length: total }, () => Math.floor(rng.uniform(0, total))) : null;
      const p = 2;
      const rows = Int32Array.from({ length: m }, (_, i) => (idx ? idx[p + i] : p + i) * n);
      const [z, out] = [new Float64Array(m), new Float64Array(n)];
      predict(X, w, n, rows, m, z);
      accumulate(X, g, n, rows, m, out);

      const simd = SimdProducts.create(n, m)!;
      const [zSimd, outSimd] = [new Float64Array(m), new Float64Array(n)];
      simd.start(w);
      simd.predict(X, p, m, idx, zSimd);
      simd.accumulate(g, m);
      simd.gradient(outSimd);
      assert.ok(sameBits(zSimd, z), `z differs for n = ${n}, m = ${m}`);
      assert.ok(sameBits(outSimd, out), `Xᵀg differs for n = ${n}, m = ${m}`);
    }),
    { numRuns: 200 },
  );
});
