// The expression DAG every stage after analysis works on. Nodes are hash-consed: building the same
// operator over the same arguments returns the same object, so equal subexpressions are shared, derivatives
// memoise per node, and deep nests do not swell. Smart construction (with simplification) lives in
// `builder.ts`; this file only interns.

import type { Dim, Shape } from './shape.ts';
import type { OpName } from './ops/registry.ts';

export type Attr = number | string | undefined;

export interface Node {
  readonly id: number;
  readonly op: OpName;
  readonly args: readonly Node[];
  readonly shape: Shape;
  /** Operator parameter: a constant's value, a variable's name, an index… */
  readonly attr: Attr;
  /** Names of the variables this node depends on (shared sets; never mutated). */
  readonly vars: ReadonlySet<string>;
}

const EMPTY: ReadonlySet<string> = new Set();

function shapeKey(s: Shape): string {
  switch (s.kind) {
    case 'scalar':
      return 's';
    case 'vector':
      return `v${s.n}`;
    case 'row':
      return `r${s.n}`;
    case 'matrix':
      return `m${s.m},${s.n}`;
  }
}

/** Small integer hashes of strings (operator names, attributes, shape keys), computed once each. */
const stringHashes = new Map<string, number>();
function hashString(s: string): number {
  let h = stringHashes.get(s);
  if (h === undefined) {
    h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    stringHashes.set(s, h);
  }
  return h;
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  return h ^ (h >>> 15);
}

function attrHash(attr: Attr): number {
  if (attr === undefined) return 0;
  if (typeof attr === 'string') return hashString('$' + attr);
  return Number.isInteger(attr) ? attr | 0 : hashString(String(attr));
}

export class Graph {
  /** Hash → node(s); numeric hashes avoid building a key string for every lookup. */
  private readonly table = new Map<number, Node | Node[]>();
  private count = 0;
  private nextId = 1;

  /** Interns a node. Callers are responsible for the shape being right (see builder.ts) and hand over `args`. */
  intern(op: OpName, args: readonly Node[], shape: Shape, attr?: Attr): Node {
    // An operator's shape follows from its arguments and attribute; only leaves need the shape in the key.
    let h = mix(hashString(op), attrHash(attr));
    if (args.length === 0) h = mix(h, hashString(shapeKey(shape)));
    for (let i = 0; i < args.length; i++) h = mix(h, args[i].id);
    const hit = this.table.get(h);
    if (hit !== undefined) {
      if (Array.isArray(hit)) {
        for (const n of hit) if (same(n, op, args, shape, attr)) return n;
      } else if (same(hit, op, args, shape, attr)) return hit;
    }
    let vars: ReadonlySet<string> = EMPTY;
    if (op === 'var') vars = new Set([String(attr)]);
    else if (op === 'tangent') vars = new Set(['∂' + String(attr)]);
    else {
      for (const a of args) {
        if (a.vars.size === 0 || a.vars === vars) continue;
        if (vars.size === 0) vars = a.vars;
        else {
          let subset = true;
          for (const v of a.vars) if (!vars.has(v)) subset = false;
          if (!subset) vars = new Set([...vars, ...a.vars]);
        }
      }
    }
    // The node owns `args` from here on (callers pass a fresh array).
    const node: Node = { id: this.nextId++, op, args, shape, attr, vars };
    if (hit === undefined) this.table.set(h, node);
    else if (Array.isArray(hit)) hit.push(node);
    else this.table.set(h, [hit, node]);
    this.count++;
    return node;
  }

  get size(): number {
    return this.count;
  }
}

function same(n: Node, op: string, args: readonly Node[], shape: Shape, attr: Attr): boolean {
  if (n.op !== op || !Object.is(n.attr, attr) || n.args.length !== args.length) return false;
  for (let i = 0; i < args.length; i++) if (n.args[i] !== args[i]) return false;
  return args.length > 0 || shapeKey(n.shape) === shapeKey(shape);
}

/** Post-order (arguments before users) list of the distinct nodes reachable from the roots. Iterative. */
export function topoOrder(roots: readonly Node[], descend: (n: Node) => boolean = () => true): Node[] {
  const order: Node[] = [];
  const seen = new Set<number>();
  const nodes: Node[] = [];
  const next: number[] = [];
  for (const root of roots) {
    if (seen.has(root.id)) continue;
    seen.add(root.id);
    nodes.push(root);
    next.push(descend(root) ? 0 : root.args.length);
    while (nodes.length) {
      const top = nodes.length - 1;
      const node = nodes[top];
      if (next[top] < node.args.length) {
        const child = node.args[next[top]++];
        if (!seen.has(child.id)) {
          seen.add(child.id);
          nodes.push(child);
          next.push(descend(child) ? 0 : child.args.length);
        }
      } else {
        order.push(node);
        nodes.pop();
        next.pop();
      }
    }
  }
  return order;
}

/** Distinct node count of a DAG: the size measure for "no expression swell". */
export function dagSize(...roots: Node[]): number {
  return topoOrder(roots).length;
}

export type { Dim };

// ---- predicates on nodes used across operator files --------------------------------------------------------
export function constValue(n: Node): number | undefined {
  return n.op === 'const' ? (n.attr as number) : undefined;
}
export function isConst(n: Node, v?: number): boolean {
  return n.op === 'const' && (v === undefined || n.attr === v);
}
export function isZero(n: Node): boolean {
  return isConst(n, 0);
}
export function isScalarConst(n: Node, v?: number): boolean {
  return n.shape.kind === 'scalar' && isConst(n, v);
}
export function isIdentity(n: Node): boolean {
  return n.op === 'identity';
}
