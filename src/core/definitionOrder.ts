// The document's definitions in dependency order — each after the definitions it refers to — and how an edit
// changes that order: patched in place when the edited run of definitions refers only back and is referred to
// only forward, computed again otherwise. Any such order gives the same analysis (analyze.ts analyses the
// definitions in it); a cycle is reported where the search closes it.

import type { NameRef, Statement } from './ast.ts';
import { sameRefs } from './analysisPatch.ts';
import { OrderPositions, type OrderRun } from './orderPositions.ts';
import { completed, STEP, type Steps } from './steps.ts';

export type Define = Extract<Statement, { kind: 'define' }>;

export type Definitions = readonly Define[];

/** Names in dependency order, and the references that close a cycle (by their owner and place among its names). */
export interface DependencyOrder {
  order: string[];
  cycles: { owner: string; refIndex: number; message: string }[];
}

/** The document's definitions (in the order they were registered), their dependency order, and what patching it needs. */
export interface DefinitionOrder extends DependencyOrder {
  statements: Definitions;
  /** Made when the order is first patched (a full analysis does not need them). */
  aids?: {
    /** For each definition, the length of the order once the search started from it and those before it is done. */
    ends: number[];
    /** How many references the definitions make to each name. */
    referrers: Map<string, number>;
  };
}

/** Where an edit replaced registered definitions: from the `head`-th, `removed` of them by the `added` names. */
export type RegisteredRun = Omit<OrderRun, 'at'>;

/** The dependency order after an edit that added, removed or retyped definitions, made from the one before. */
export interface PatchedOrder {
  order: DefinitionOrder;
  run: RegisteredRun;
  /** The definitions' places in the new order: the old places, moved past the run, or all anew. */
  placesAfter(before: OrderPositions): OrderPositions;
  /**
   * Brings the count of references to each name, which the order shares with the one before, up to date: called
   * once, when the order is taken. (A patch may still give up after making the order, and the analysis that
   * follows patches the one before again.)
   */
  countReferences(): void;
}

/**
 * `names` in dependency order, where `refsOf(name)` lists what the definition of a name of this scope refers
 * to (undefined for other names): the document's definitions, or a claim's where-clause. With it, the length
 * of the order once the search from each of `names` is done (see DefinitionOrder.aids).
 */
export function* dependencyOrder(names: Iterable<string>, refsOf: (name: string) => readonly NameRef[] | undefined): Steps<DependencyOrder & { ends: number[] }> {
  const state = new Map<string, 'active' | 'done'>();
  const order: string[] = [];
  const cycles: DependencyOrder['cycles'] = [];
  const ends: number[] = [];
  let roots = 0;
  for (const root of names) {
    if (state.has(root)) {
      ends.push(order.length);
      continue;
    }
    if (++roots % STEP === 0) yield;
    const stack = [{ name: root, refs: refsOf(root)!, next: 0 }];
    state.set(root, 'active');
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.next < top.refs.length) {
        const ref = top.refs[top.next++];
        const st = state.get(ref.name);
        const refs = st ? undefined : refsOf(ref.name);
        if (st === 'active') {
          const path = stack.map((f) => f.name);
          const names = [...path.slice(path.indexOf(ref.name)), ref.name];
          // A long cycle is named by its ends: the message stays readable (and small) at any length.
          const cycle = names.length > 8 ? [...names.slice(0, 4), `… ${names.length - 6} more …`, ...names.slice(-2)].join(' → ') : names.join(' → ');
          cycles.push({ owner: top.name, refIndex: top.next - 1, message: `Definitions cannot depend on themselves: ${cycle}.` });
        } else if (refs) {
          state.set(ref.name, 'active');
          stack.push({ name: ref.name, refs, next: 0 });
        }
      } else {
        stack.pop();
        state.set(top.name, 'done');
        order.push(top.name);
      }
    }
    ends.push(order.length);
  }
  return { order, cycles, ends };
}

/** What patching an order needs (see DefinitionOrder.aids), computed from the order. */
export function patchingAids({ statements, order }: DefinitionOrder): NonNullable<DefinitionOrder['aids']> {
  const position = new Map(order.map((name, i) => [name, i]));
  const ends: number[] = [];
  let end = 0;
  for (const d of statements) ends.push((end = Math.max(end, position.get(d.name.name)! + 1)));
  const referrers = new Map<string, number>();
  recount(referrers, [], statements);
  return { ends, referrers };
}

/**
 * Whether two lists of definitions give the same dependency order: the same names in the same order, each
 * referring to the same names (true at once for statements an edit did not touch: they are the same objects).
 */
export function sameDependencies(a: Definitions, b: Definitions): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (a[i].name.name !== b[i].name.name) return false;
    if (!sameRefs(a[i].refs, b[i].refs)) return false;
  }
  return true;
}

/** Counts of references to each name, without those the definitions `gone` made and with those `come` make. */
export function recount(referrers: Map<string, number>, gone: Definitions, come: Definitions): void {
  for (const d of gone) for (const r of d.refs) referrers.set(r.name, referrers.get(r.name)! - 1);
  for (const d of come) for (const r of d.refs) referrers.set(r.name, (referrers.get(r.name) ?? 0) + 1);
}

/**
 * The dependency order of `now`, patched from `before`, when an edit replaced a run of definitions by another
 * that refers only to definitions ordered before it, and whose new names only definitions ordered after it refer
 * to; undefined when the order must be computed. The run takes the place of the one it replaces, after every
 * definition registered before it (so, mostly, where a depth-first search would put it). The order stays one in
 * which each definition comes after those it refers to, and any such order gives the same analysis: definitions
 * that referred to a removed name now refer to an unknown one. `before` is consumed; `definesNow` tells the
 * names `now` defines, `refsOf` what a definition of `before` refers to. With the order, the run it replaced
 * (which a patch follows).
 */
export function patchedOrder(before: DefinitionOrder, now: Definitions, definesNow: (name: string) => boolean, refsOf: (name: string) => readonly NameRef[]): PatchedOrder | undefined {
  if (before.cycles.length) return undefined;
  const { ends, referrers } = (before.aids ??= patchingAids(before));
  const { head, removed, added } = registeredRun(before.statements, now);
  // The references made inside the run; the added names that definitions outside it refer to.
  const inside = new Map<string, number>();
  for (const d of removed) for (const r of d.refs) inside.set(r.name, (inside.get(r.name) ?? 0) + 1);
  const referredFromOutside = new Set(added.map((d) => d.name.name).filter((name) => (referrers.get(name) ?? 0) > (inside.get(name) ?? 0)));
  const at = head ? ends[head - 1] : 0;
  const { order } = before;
  const orderedBefore = (name: string) => at > 0 && order.lastIndexOf(name, at - 1) >= 0; // (a negative start counts from the end)
  const refersBack = (d: Definitions[number], defined: (name: string) => boolean) => d.refs.every((r) => orderedBefore(r.name) || !defined(r.name));
  if (!removed.every((d, k) => order[at + k] === d.name.name && refersBack(d, (name) => order.includes(name)))) return undefined;
  if (!added.every((d) => refersBack(d, definesNow))) return undefined;
  if (referredFromOutside.size && order.slice(0, at).some((name) => refsOf(name).some((r) => referredFromOutside.has(r.name)))) return undefined;
  const shift = added.length - removed.length;
  const names = added.map((d) => d.name.name);
  const newOrder = [...order.slice(0, at), ...names, ...order.slice(at + removed.length)];
  const run = { head, removed: removed.length, added: names };
  return {
    order: {
      statements: now,
      order: newOrder,
      cycles: [],
      aids: { ends: [...ends.slice(0, head), ...added.map((_, k) => at + k + 1), ...ends.slice(head + removed.length).map((e) => e + shift)], referrers },
    },
    run,
    placesAfter: (places) => {
      places.follow({ at, ...run }, newOrder);
      return places;
    },
    countReferences: () => recount(referrers, removed, added),
  };
}

/**
 * The dependency order of `now` (the definitions registered after an edit; `refsBefore` tells what each
 * definition of the order `before` referred to) computed again, for an edit after which the one before cannot be patched (a definition now refers to one ordered after
 * it); undefined if it has a cycle (the full path reports it). A depth-first search of 5,000 definitions costs a
 * few milliseconds, against tens for analysing the document statement by statement; any order in which each
 * definition comes after those it refers to gives the same analysis.
 */
export function recomputedOrder(before: DefinitionOrder, now: Definitions, refsBefore: (name: string) => readonly NameRef[] | undefined): PatchedOrder | undefined {
  const { head, removed, added } = registeredRun(before.statements, now);
  // What each definition refers to: as before the edit, but for the run it replaced.
  const replaced = new Map(added.map((d) => [d.name.name, d.refs]));
  const gone = new Set(removed.map((d) => d.name.name));
  const refsOf = (name: string) => replaced.get(name) ?? (gone.has(name) ? undefined : refsBefore(name));
  const { order, cycles, ends } = completed(dependencyOrder(now.map((d) => d.name.name), refsOf));
  if (cycles.length) return undefined;
  // The counts of references follow the edit's run (when the order before has them: patchedOrder made them).
  const referrers = before.aids?.referrers;
  return {
    order: { statements: now, order, cycles, ...(referrers ? { aids: { ends, referrers } } : {}) },
    run: { head, removed: removed.length, added: added.map((d) => d.name.name) },
    placesAfter: () => new OrderPositions(order),
    countReferences: () => {
      if (referrers) recount(referrers, removed, added);
    },
  };
}

/** Where two lists of registered definitions differ: after the first `head`, `removed` were replaced by `added`. */
function registeredRun(old: Definitions, now: Definitions): { head: number; removed: Definitions; added: Definitions } {
  let head = 0;
  while (head < old.length && head < now.length && old[head] === now[head]) head++;
  let tail = 0;
  while (tail < old.length - head && tail < now.length - head && old[old.length - 1 - tail] === now[now.length - 1 - tail]) tail++;
  return { head, removed: old.slice(head, old.length - tail), added: now.slice(head, now.length - tail) };
}

/**
 * What is wrong with an order kept for patching, checked against `registered` (the statement each name's
 * definition has now) and the aids computed from scratch: every registered definition once, after those it
 * refers to (unless the order has cycles), and the aids' ends and counts of references those of the order. A
 * description of the first thing found wrong, or undefined (for the tests: see keptStateProblem in analyze.ts).
 */
export function orderProblem(kept: DefinitionOrder, registered: ReadonlyMap<string, { stmt: Define }>): string | undefined {
  const position = new Map(kept.order.map((name, i) => [name, i]));
  if (position.size !== registered.size || kept.statements.length !== registered.size) return `the order has ${position.size} names and ${kept.statements.length} statements for ${registered.size} definitions`;
  for (const d of kept.statements) {
    if (registered.get(d.name.name)?.stmt !== d) return `the order keeps an old statement of ${d.name.name}`;
    const own = position.get(d.name.name);
    if (own === undefined) return `${d.name.name} is not in the order`;
    if (!kept.cycles.length) for (const r of d.refs) if (registered.has(r.name) && !(position.get(r.name)! < own)) return `${d.name.name} comes before ${r.name}, which it refers to`;
  }
  if (kept.aids) {
    const { referrers: counted, ends } = patchingAids(kept);
    if (ends.length !== kept.aids.ends.length || ends.some((e, k) => e !== kept.aids!.ends[k])) return `the order's ends are ${kept.aids.ends.join()}, not ${ends.join()}`;
    for (const name of new Set([...counted.keys(), ...kept.aids.referrers.keys()])) {
      if ((counted.get(name) ?? 0) !== (kept.aids.referrers.get(name) ?? 0)) return `${kept.aids.referrers.get(name) ?? 0} references to ${name} are counted, ${counted.get(name) ?? 0} made`;
    }
  }
  return undefined;
}
