// The order units run in: dependencies first, ties broken by the DAG order of their first member (Kahn's
// algorithm with a binary heap), so generated code reads like the expression.

import { EvalError } from '../tensor.ts';
import type { Fusion } from './fusion.ts';
import type { L } from './plan.ts';

/** A binary min-heap on a key. */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly key: (x: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  push(x: T): void {
    const h = this.items;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.key(h[p]) <= this.key(h[i])) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }
  pop(): T {
    const h = this.items;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.key(h[l]) < this.key(h[m])) m = l;
        if (r < h.length && this.key(h[r]) < this.key(h[m])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

export function unitsInOrder(needed: readonly L[], fusion: Fusion): L[] {
  const all = new Set<L>();
  for (const l of needed) {
    const u = fusion.unitOf(l);
    if (u) all.add(u);
  }
  const minOrder = new Map<L, number>();
  for (const u of all) {
    let min = Infinity;
    for (const m of fusion.members(u) ?? [u]) min = Math.min(min, m.order);
    minOrder.set(u, min);
  }
  const waiting = new Map<L, number>();
  const users = new Map<L, L[]>();
  for (const u of all) {
    const ds = fusion.unitDeps(u);
    waiting.set(u, ds.size);
    for (const d of ds) {
      const us = users.get(d);
      if (us) us.push(u);
      else users.set(d, [u]);
    }
  }
  const heap = new Heap<L>((u) => minOrder.get(u)!);
  for (const u of all) if (waiting.get(u) === 0) heap.push(u);
  const units: L[] = [];
  while (heap.size) {
    const u = heap.pop();
    units.push(u);
    for (const v of users.get(u) ?? []) {
      const w = waiting.get(v)! - 1;
      waiting.set(v, w);
      if (w === 0) heap.push(v);
    }
  }
  if (units.length !== all.size) throw new EvalError('internal: the compiled plan has a cycle');
  return units;
}
