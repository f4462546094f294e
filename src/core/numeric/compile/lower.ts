// Stage 1, lowering: every node of the DAG (in topological order) becomes a lowered value (plan.ts). The
// operator's entry decides how: its `lowerJs` hook for structured operators (products read transposes as
// strided views, `I` disappears from products, diag(d)·M scales rows…), its `emitElement` formula for
// element-wise ones, and otherwise its reference kernel, called from the generated code.

import type { Node } from '../../ir.ts';
import { opDef } from '../../ops/registry.ts';
import { type EvalEnv, resolveDim, shapeDims } from '../tensor.ts';
import type { Fallback } from './helpers.ts';
import type { Dep, Kind, L, Lowerer } from './plan.ts';

export interface Lowered {
  /** Every lowered value, by node (aliased nodes are absent: see `get`). */
  readonly lOf: ReadonlyMap<Node, L>;
  get(n: Node): L;
  readonly messages: readonly string[];
  readonly fallbacks: readonly Fallback[];
  /** Free index symbols, in slot order. */
  readonly indexNames: readonly string[];
}

export function lowerAll(order: readonly Node[], dims: ReadonlyMap<string, number>): Lowered {
  const env: EvalEnv = { vars: new Map(), dims, indices: new Map() };
  const position = new Map<Node, number>(order.map((n, i) => [n, i]));
  const lOf = new Map<Node, L>();
  const alias = new Map<Node, Node>();
  const indexNames: string[] = [];
  const indexSlot = new Map<string, number>();
  const messages: string[] = [];
  const fallbacks: Fallback[] = [];

  const resolve = (n: Node): Node => alias.get(n) ?? n;
  const dimsOf = (n: Node): [number, number] => shapeDims(n.shape, env);
  const lo: Lowerer = {
    dims: dimsOf,
    dimSize: (name) => resolveDim(name, env),
    get: (n) => lOf.get(resolve(n))!,
    view(n) {
      const l = lo.get(n);
      if (!l.view) return { base: l, t: false };
      return { base: l.view.base, t: l.view.t && l.view.base.rows > 1 && l.view.base.cols > 1 };
    },
    make(n, kind, deps, extra = {}) {
      const [rows, cols] = dimsOf(n);
      const l: L = {
        node: n, id: n.id, kind, rows, cols, size: rows * cols, len: rows * cols, deps, order: position.get(n)!,
        scalar: n.shape.kind === 'scalar', needed: false, users: [], ...extra,
      };
      lOf.set(n, l);
      return l;
    },
    alias(n, target) {
      alias.set(n, resolve(target));
      return lo.get(target);
    },
    point: (l) => ({ l, access: l.scalar ? 'scalar' : 'point' }),
    whole: (l) => ({ l, access: l.scalar ? 'scalar' : 'whole' }),
    elementwise(n, emit) {
      const args = n.args.map(lo.get);
      const [rows, cols] = dimsOf(n);
      if (!args.every((a) => a.scalar || a.rows * a.cols === rows * cols)) return lo.fallback(n);
      if (n.shape.kind === 'scalar') return lo.make(n, 'scalar', args.map(lo.point), { body: (c) => `const s${n.id} = ${emit(args.map((a) => c.sc(a)), n)};` });
      return lo.make(n, 'map', args.map(lo.point), { body: (c) => `const t${n.id} = ${emit(args.map((a) => (a.scalar ? c.sc(a) : c.at(a))), n)};` });
    },
    reduction: (n, arg, step, finish) =>
      lo.make(n, 'reduce', [lo.point(arg)], {
        len: arg.size,
        init: () => `let r${n.id} = 0;`,
        step: (c) => `r${n.id} += ${step(c.at(arg))};`,
        finish: () => `const s${n.id} = ${finish(`r${n.id}`)};`,
      }),
    fallback(n) {
      const args = n.args.map(lo.get);
      const k = fallbacks.push({ node: n, dims: args.map((a) => [a.rows, a.cols] as [number, number]), env }) - 1;
      const call = (c: Parameters<NonNullable<L['body']>>[0]) => `H.ref(${k}, [${args.map((a) => (a.scalar ? c.sc(a) : c.arr(a))).join(', ')}])`;
      const kind: Kind = n.shape.kind === 'scalar' ? 'scalar' : 'kernel';
      const deps: Dep[] = args.map(lo.whole);
      return lo.make(n, kind, deps, {
        body: (c) => (kind === 'scalar' ? `const s${n.id} = ${call(c)}[0];` : `${c.buf(lOf.get(n)!)}.set(${call(c)});`),
      });
    },
    message: (text) => messages.push(text) - 1,
    indexVar(name) {
      let k = indexSlot.get(name);
      if (k === undefined) {
        k = indexNames.length;
        indexNames.push(name);
        indexSlot.set(name, k);
      }
      return `J${k}`;
    },
  };

  for (const n of order) {
    const def = opDef(n.op);
    if (def.lowerJs) def.lowerJs(n, lo);
    else if (def.emitElement) lo.elementwise(n, def.emitElement.bind(def));
    else lo.fallback(n);
  }
  return { lOf, get: lo.get, messages, fallbacks, indexNames };
}
