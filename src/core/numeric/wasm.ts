// A tiny WebAssembly assembler shared by the SIMD kernels (sandwich-simd.ts, train/rowKernel-simd.ts): the
// kernels are written here as byte arrays (no toolchain, no .wasm file to ship). Each helper returns the
// bytes of one instruction; `moduleBytes` wraps functions of five i32 parameters into a module that exports
// them and its memory.

export const get = (l: number) => [0x20, l];
export const set = (l: number) => [0x21, l];
export const tee = (l: number) => [0x22, l];
export const i32 = (v: number) => [0x41, ...sleb(v)];
export const ADD = 0x6a;
export const SUB = 0x6b;
export const MUL = 0x6c;
export const AND = 0x71;
export const LT_U = 0x49;
export const GE_U = 0x4f;
export const F64_ADD = 0xa0;
export const F64_MUL = 0xa2;
export const i32load = (offset: number) => [0x28, 2, ...uleb(offset)];
export const f64load = (offset: number) => [0x2b, 3, ...uleb(offset)];
export const f64store = (offset: number) => [0x39, 3, ...uleb(offset)];
export const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
export const load = (offset: number) => simd(0x00, 4, ...uleb(offset));
export const store = (offset: number) => simd(0x0b, 4, ...uleb(offset));
export const splat = (offset: number) => simd(0x0a, 3, ...uleb(offset));
export const lane = (l: number) => simd(0x21, l);
export const F64X2_SPLAT = simd(0x14);
export const F64X2_ADD = simd(0xf0);
export const F64X2_MUL = simd(0xf2);
export const ZERO = simd(0x0c, ...new Array(16).fill(0));
/** `while (!exit) body`: the exit condition leaves an i32 on the stack; branch depth 1 leaves, 0 repeats. */
export const whileNot = (exit: number[], body: number[]) => [0x02, 0x40, 0x03, 0x40, ...exit, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b];

export function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    const b = v & 0x7f;
    v >>>= 7;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
}

export function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const name = (s: string) => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];

/** One exported function of five i32 parameters: its local declarations ([count, type]…) and its body. */
export interface WasmFunction {
  name: string;
  locals: Array<[number, number]>;
  body: number[];
}

/** The module: the functions (each `(i32 × 5) → ()`) and one memory of one page, exported as `memory`. */
export function moduleBytes(functions: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const codes = functions.map((f) => {
    const code = [f.locals.length, ...f.locals.flatMap(([count, type]) => [...uleb(count), type]), ...f.body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  const exports = functions.flatMap((f, i) => [...name(f.name), 0x00, i]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(3, [functions.length, ...functions.map(() => 0)]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [functions.length + 1, ...exports, ...name('memory'), 0x02, 0]),
    ...section(10, [functions.length, ...codes.flat()]),
  ]);
}

/** The module's exports, or null where the runtime has no WebAssembly SIMD (then the JavaScript path runs). */
export function instantiate(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Exports | null {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return null;
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
}

/** Makes `memory` at least `bytes` long; false when it cannot grow that far. */
export function reserve(memory: WebAssembly.Memory, bytes: number): boolean {
  const missing = Math.ceil((bytes - memory.buffer.byteLength) / 65536);
  if (missing <= 0) return true;
  try {
    memory.grow(missing);
    return true;
  } catch {
    return false;
  }
}
