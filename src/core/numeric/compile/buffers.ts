// Stage 4, buffers: preallocated once per plan. A map gets a buffer only when something outside its loop
// reads it (or it is a root); fused intermediates live in locals. Constant arrays (𝟏, I, e_j read whole)
// get constant buffers on first use.

import type { Fusion } from './fusion.ts';
import type { L } from './plan.ts';

export interface Buffers {
  readonly buffers: Float64Array[];
  readonly consts: Float64Array[];
  /** A new plan buffer of `size` elements; its number. */
  add(size: number): number;
  /** The constant array of an inline value, as the generated code names it. */
  constant(l: L): string;
}

export function allocateBuffers(needed: readonly L[], roots: readonly L[], fusion: Fusion): Buffers {
  const buffers: Float64Array[] = [];
  const consts: Float64Array[] = [];
  const rootSet = new Set(roots);
  const add = (size: number) => buffers.push(new Float64Array(size)) - 1;
  for (const l of needed) {
    if (l.kind === 'map') {
      const u = fusion.unitOf(l);
      if (rootSet.has(l) || l.users.some((d) => d.access !== 'point' || fusion.unitOf(d.l) !== u)) l.buffer = add(l.size);
    } else if ((l.kind === 'reduce' || l.kind === 'kernel') && !l.scalar) {
      l.buffer = add(l.size);
    }
  }
  const constant = (l: L): string => {
    if (l.constBuffer === undefined) {
      const data = new Float64Array(l.size);
      if (l.fill) l.fill(data);
      else l.unitIndexBuffer = true; // depends on an index symbol: filled at the start of each run
      l.constBuffer = consts.push(data) - 1;
    }
    return `c${l.constBuffer}`;
  };
  return { buffers, consts, add, constant };
}
