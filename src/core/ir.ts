// The expression DAG every stage after analysis works on. Nodes are hash-consed: building the same
// operator over the same arguments returns the same object, so equal subexpressions are shared, derivatives
// memoise per node, and deep nests do not swell. Smart construction (with simplification) lives in
// `builder.ts`; this file only interns.

import { type Dim, type Shape, formatShape } from './shape.ts';

export type Attr = number | string | undefined;

export interface Node {
  readonly id: number;
  readonly op: string;
  readonly args: readonly Node[];
  readonly shape: Shape;
  /** Operator parameter: a constant's value, a variable's name, an index… */
  readonly attr: Attr;
  /** Names of the variables this node depends on (shared sets; never mutated). */
  readonly vars: ReadonlySet<string>;
  /** Number of distinct nodes in this node's DAG, a measure of expression size (computed on demand). */
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

export class Graph {
  private readonly table = new Map<string, Node>();
  private nextId = 1;

  /** Interns a node. Callers are responsible for the shape being right (see builder.ts). */
  intern(op: string, args: readonly Node[], shape: Shape, attr?: Attr): Node {
    // An operator's shape follows from its arguments and attribute; only leaves need the shape in the key.
    let key = attr === undefined ? op : op + (typeof attr === 'number' ? '#' : '$') + attr;
    if (args.length === 0) key += '|' + shapeKey(shape);
    for (let i = 0; i < args.length; i++) key += ',' + args[i].id;
    const hit = this.table.get(key);
    if (hit) return hit;
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
    const node: Node = { id: this.nextId++, op, args: args.slice(), shape, attr, vars };
    this.table.set(key, node);
    return node;
  }

  get size(): number {
    return this.table.size;
  }
}

export function dependsOn(node: Node, variable: string): boolean {
  return node.vars.has(variable);
}

/** Post-order (arguments before users) list of the distinct nodes reachable from the roots. Iterative. */
export function topoOrder(roots: readonly Node[], descend: (n: Node) => boolean = () => true): Node[] {
  const order: Node[] = [];
  const seen = new Set<number>();
  const stack: Array<{ node: Node; next: number }> = [];
  for (const root of roots) {
    if (seen.has(root.id)) continue;
    seen.add(root.id);
    stack.push({ node: root, next: 0 });
    while (stack.length) {
      const top = stack[stack.length - 1];
      const kids = descend(top.node) ? top.node.args : [];
      if (top.next < kids.length) {
        const child = kids[top.next++];
        if (!seen.has(child.id)) {
          seen.add(child.id);
          stack.push({ node: child, next: 0 });
        }
      } else {
        order.push(top.node);
        stack.pop();
      }
    }
  }
  return order;
}

/** Distinct node count of a DAG: the size measure for "no expression swell". */
export function dagSize(...roots: Node[]): number {
  return topoOrder(roots).length;
}

/** How many times each node is used as an argument within the DAG of `roots`. */
export function useCounts(roots: readonly Node[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const n of topoOrder(roots)) for (const a of n.args) counts.set(a.id, (counts.get(a.id) ?? 0) + 1);
  return counts;
}

export function describeNode(n: Node): string {
  return `${n.op}${n.attr === undefined ? '' : `<${n.attr}>`}#${n.id}: ${formatShape(n.shape)}`;
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
