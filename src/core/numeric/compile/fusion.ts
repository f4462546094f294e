// Stage 3, fusion: maps and reductions over loops of the same length are clustered across producer → consumer
// edges, so `z = X w + b`, `max(0, z)`, `(y − a) ⊗ 1[z > 0]` and the gradient `Xᵀ(…)` run in ONE pass over the
// rows of X. A cluster ("unit") is a union-find root; scalar statements and kernels are units of their own.

import { type L, isLoop } from './plan.ts';

export interface Fusion {
  /** The unit a value runs in (undefined for inputs and inline values). */
  unitOf(l: L): L | undefined;
  /** The members of a loop unit. */
  members(u: L): readonly L[] | undefined;
  /** Units a unit depends on (itself excluded). */
  unitDeps(u: L): Set<L>;
}

export function fuseLoops(needed: readonly L[], fuse: boolean): Fusion {
  const parent = new Map<L, L>();
  const members = new Map<L, L[]>();
  const find = (l: L): L => {
    let r = l;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let m = l;
    while (m !== r) {
      const next = parent.get(m)!;
      parent.set(m, r);
      m = next;
    }
    return r;
  };
  const unitOf = (l: L): L | undefined => (isLoop(l) ? find(l) : l.kind === 'scalar' || l.kind === 'kernel' ? l : undefined);
  // Units a unit depends on, kept per unit and normalised lazily (merged units collapse onto their root).
  const depSets = new Map<L, Set<L>>();
  const ownDeps = (l: L): Set<L> => {
    const out = new Set<L>();
    for (const d of l.deps) {
      const du = unitOf(d.l);
      if (du) out.add(du);
    }
    return out;
  };
  const unitDeps = (u: L): Set<L> => {
    const raw = depSets.get(u) ?? ownDeps(u);
    const out = new Set<L>();
    for (const d of raw) {
      const r = unitOf(d)!;
      if (r !== u) out.add(r);
    }
    depSets.set(u, out);
    return out;
  };
  const fusion: Fusion = { unitOf, members: (u) => members.get(u), unitDeps };

  for (const l of needed) {
    if (!isLoop(l)) continue;
    parent.set(l, l);
    members.set(l, [l]);
    if (!fuse) continue;
    const chosen = fusableProducers(l, fusion);
    if (!chosen.size) continue;
    // Union by size: the largest cluster stays the root, the others (and l) move into it.
    const group = [l, ...chosen];
    const root = group.reduce((best, c) => (members.get(c)!.length > members.get(best)!.length ? c : best));
    const merged = new Set<L>();
    const mine = members.get(root)!;
    for (const c of group) {
      for (const d of unitDeps(c)) merged.add(d);
      if (c === root) continue;
      for (const m of members.get(c)!) mine.push(m);
      members.delete(c);
      depSets.delete(c);
      parent.set(c, root);
    }
    depSets.set(root, merged);
  }
  return fusion;
}

/** Point-wise producer units of `l` that can join its loop without a cycle (latest first). */
function fusableProducers(l: L, f: Fusion): Set<L> {
  const pointMap = (d: L['deps'][number]) => d.access === 'point' && d.l.kind === 'map';
  const cands = new Set<L>();
  for (const d of l.deps) if (pointMap(d) && d.l.len === l.len) cands.add(f.unitOf(d.l)!);
  for (const d of l.deps) {
    const u = f.unitOf(d.l);
    if (u && cands.has(u) && !pointMap(d)) cands.delete(u);
  }
  const chosen = new Set<L>();
  const sorted = [...cands].sort((a, b) => b.order - a.order);
  for (const c of sorted) {
    const trial = new Set([...chosen, c]);
    const ext = new Set<L>();
    let ok = true;
    for (const d of l.deps) {
      const u = f.unitOf(d.l);
      if (u && !trial.has(u)) ext.add(u);
      if (u && trial.has(u) && !pointMap(d)) ok = false;
    }
    for (const t of trial) {
      for (const u of f.unitDeps(t)) {
        if (trial.has(u)) ok = false;
        else ext.add(u);
      }
    }
    if (ok && !reaches(ext, trial, f)) chosen.add(c);
  }
  return chosen;
}

/** Does any unit in `from` (transitively) depend on a unit in `targets`? */
function reaches(from: Iterable<L>, targets: Set<L>, f: Fusion): boolean {
  const seen = new Set<L>();
  const stack = [...from];
  while (stack.length) {
    const u = stack.pop()!;
    if (targets.has(u)) return true;
    if (seen.has(u)) continue;
    seen.add(u);
    for (const d of f.unitDeps(u)) if (!seen.has(d)) stack.push(d);
  }
  return false;
}
