// The register-tile kernel of sandwich.ts as a WebAssembly SIMD function, assembled here from its bytes (no
// toolchain, no .wasm file to ship). Plain JavaScript tops out near 2.5·10⁹ multiply-adds per second on this
// kernel whatever the tile shape (V8 keeps doubles in scalar registers and bounds-checks every load); f64x2
// lanes halve the instructions per multiply-add and wasm loads carry no bounds checks. Each lane computes
// s + x·y in the same order as the JavaScript tiles (no fused multiply-add in wasm SIMD), so both paths give
// bit-identical sums.
//
// tiles(T, Td, H, p, m) — byte addresses into the module's memory: for every 4 × 4 tile on or above the
// diagonal of the p × p row-major H, H[a..a+3, c..c+3] += Σᵢ<m Td[a.., i] T[c.., i], where a panel of four
// columns k..k+3 lies at k · PANEL_STRIDE bytes from T (or Td) with row i's four values at 32·i.

/** Bytes from one four-column panel to the next: BLOCK rows × 4 columns × 8 bytes (BLOCK = 128). */
export const PANEL_STRIDE = 128 * 8;

// Locals: parameters, then i32 scratch, then v128 accumulators (acc[2r] = row r, columns 0–1; acc[2r+1]: 2–3).
const [T, Td, H, P, M] = [0, 1, 2, 3, 4];
const [A, C, PX, PY, PEND, HP] = [5, 6, 7, 8, 9, 10];
const ACC = 11;
const [Y01, Y23, XV] = [19, 20, 21];

const get = (l: number) => [0x20, l];
const set = (l: number) => [0x21, l];
const tee = (l: number) => [0x22, l];
const i32 = (v: number) => [0x41, ...sleb(v)];
const ADD = 0x6a;
const MUL = 0x6c;
const LT_U = 0x49;
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const load = (offset: number) => simd(0x00, 4, ...uleb(offset));
const store = (offset: number) => simd(0x0b, 4, ...uleb(offset));
const splat = (offset: number) => simd(0x0a, 3, ...uleb(offset));
const F64X2_ADD = simd(0xf0);
const F64X2_MUL = simd(0xf2);
const ZERO = simd(0x0c, ...new Array(16).fill(0));

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    const b = v & 0x7f;
    v >>>= 7;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

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
  0x0b,
];

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const name = (s: string) => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];
const locals = [2, 6, 0x7f, 11, 0x7b]; // 6 i32, 11 v128
const code = [...locals, ...body];

const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
  ...section(3, [1, 0]),
  ...section(5, [1, 0x00, 1]),
  ...section(7, [2, ...name('tiles'), 0x00, 0, ...name('memory'), 0x02, 0]),
  ...section(10, [1, ...uleb(code.length), ...code]),
]);

export interface SimdTiles {
  memory: WebAssembly.Memory;
  tiles: (T: number, Td: number, H: number, p: number, m: number) => void;
}

/** The instantiated kernel, or null where the runtime has no WebAssembly SIMD (then the JavaScript tiles run). */
function instantiate(): SimdTiles | null {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(MODULE)) return null;
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(MODULE));
  return { memory: exports.memory as WebAssembly.Memory, tiles: exports.tiles as SimdTiles['tiles'] };
}

export const simdTiles: SimdTiles | null = instantiate();

/** Makes the kernel's memory at least `bytes` long; false when it cannot grow that far. */
export function reserve(kernel: SimdTiles, bytes: number): boolean {
  const missing = Math.ceil((bytes - kernel.memory.buffer.byteLength) / 65536);
  if (missing <= 0) return true;
  try {
    kernel.memory.grow(missing);
    return true;
  } catch {
    return false;
  }
}
