// The register-tile kernel of sandwich.ts as a WebAssembly SIMD function, assembled here from its bytes (no
// toolchain, no .wasm file to ship). Plain JavaScript tops out near 2.5·10⁹ multiply-adds per second on this
// kernel whatever the tile shape (V8 keeps doubles in scalar registers and bounds-checks every load); f64x2
// lanes halve the instructions per multiply-add and wasm loads carry no bounds checks. Each lane computes
// s + x·y in the same order as the JavaScript tiles (no fused multiply-add in wasm SIMD), so both paths give
// bit-identical sums.
//
// tiles(T, Td, H, p, m) — byte addresses into the module's memory: for every 4 × 4 tile on or above the
// diagonal of the p × p row-major H, H[a..a+3, c..c+3] += Σᵢ<m Td[a.., i] T[c.., i], where a panel of four
// columns k..k+3 lies at (k / 4) · PANEL_STRIDE bytes from T (or Td) with row i's four values at 32·i.

import { ADD, F64X2_ADD, F64X2_MUL, LT_U, MUL, ZERO, get, i32, instantiate as instantiateModule, load, moduleBytes, reserve as reserveMemory, set, splat, store, tee } from './wasm.ts';

/**
 * Bytes from one four-column panel to the next: BLOCK rows × 4 columns × 8 bytes, with BLOCK = 32 rows (blocks
 * of 64 and 128 rows measured up to 9% slower at the bench's three sizes, 2026-12-08).
 */
export const PANEL_STRIDE = 32 * 4 * 8;

// Locals: parameters, then i32 scratch, then v128 accumulators (acc[2r] = row r, columns 0–1; acc[2r+1]: 2–3).
const [T, Td, H, P, M] = [0, 1, 2, 3, 4];
const [A, C, PX, PY, PEND, HP] = [5, 6, 7, 8, 9, 10];
const ACC = 11;
const [Y01, Y23, XV] = [19, 20, 21];

/** One row of the inner loop: x = Td[a + r, i] in both lanes, acc[2r] += x·T[c..c+1, i], acc[2r+1] += x·T[c+2..c+3, i]. */
const tileRow = (r: number) => [
  ...get(PX), ...splat(8 * r), ...tee(XV),
  ...get(Y01), ...F64X2_MUL, ...get(ACC + 2 * r), ...F64X2_ADD, ...set(ACC + 2 * r),
  ...get(XV), ...get(Y23), ...F64X2_MUL, ...get(ACC + 2 * r + 1), ...F64X2_ADD, ...set(ACC + 2 * r + 1),
];

/** H[a + r, c..c+3] += acc[2r], acc[2r+1], then HP moves to the next row of H. */
const storeRow = (r: number) => [
  ...get(HP), ...get(HP), ...load(0), ...get(ACC + 2 * r), ...F64X2_ADD, ...store(0),
  ...get(HP), ...get(HP), ...load(16), ...get(ACC + 2 * r + 1), ...F64X2_ADD, ...store(16),
  ...get(HP), ...get(P), ...i32(8), MUL, ADD, ...set(HP),
];

const body = [
  ...i32(0), ...set(A),
  0x03, 0x40, // loop over a
  ...get(A), ...set(C),
  0x03, 0x40, // loop over c
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((k) => [...ZERO, ...set(ACC + k)]),
  ...get(T), ...get(C), ...i32(PANEL_STRIDE / 4), MUL, ADD, ...set(PY),
  ...get(Td), ...get(A), ...i32(PANEL_STRIDE / 4), MUL, ADD, ...tee(PX),
  ...get(M), ...i32(32), MUL, ADD, ...set(PEND),
  0x03, 0x40, // loop over the block's rows i
  ...get(PY), ...load(0), ...set(Y01),
  ...get(PY), ...load(16), ...set(Y23),
  ...[0, 1, 2, 3].flatMap(tileRow),
  ...get(PY), ...i32(32), ADD, ...set(PY),
  ...get(PX), ...i32(32), ADD, ...tee(PX),
  ...get(PEND), LT_U, 0x0d, 0, // br_if i
  0x0b,
  ...get(H), ...get(A), ...get(P), MUL, ...get(C), ADD, ...i32(8), MUL, ADD, ...set(HP),
  ...[0, 1, 2, 3].flatMap(storeRow),
  ...get(C), ...i32(4), ADD, ...tee(C), ...get(P), LT_U, 0x0d, 0, // br_if c
  0x0b,
  ...get(A), ...i32(4), ADD, ...tee(A), ...get(P), LT_U, 0x0d, 0, // br_if a
  0x0b,
];

const MODULE = moduleBytes([{ name: 'tiles', locals: [[6, 0x7f], [11, 0x7b]], body }]);

export interface SimdTiles {
  memory: WebAssembly.Memory;
  tiles: (T: number, Td: number, H: number, p: number, m: number) => void;
}

/** The instantiated kernel, or null where the runtime has no WebAssembly SIMD (then the JavaScript tiles run). */
function instantiate(): SimdTiles | null {
  const exports = instantiateModule(MODULE);
  return exports && { memory: exports.memory as WebAssembly.Memory, tiles: exports.tiles as SimdTiles['tiles'] };
}

export const simdTiles: SimdTiles | null = instantiate();

/** Makes the kernel's memory at least `bytes` long; false when it cannot grow that far. */
export const reserve = (kernel: SimdTiles, bytes: number): boolean => reserveMemory(kernel.memory, bytes);
