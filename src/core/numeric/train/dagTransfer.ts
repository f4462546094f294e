// Expression DAGs as plain data, so that a worker thread can rebuild exactly the DAG the main thread built (and
// compile the same plan from it): nodes in topological order, each naming its arguments by position. Shapes and
// attributes travel as they are; the rebuilt nodes are interned without simplification, so the structure is
// the same node for node.

import { Graph, type Attr, type Node, topoOrder } from '../../ir.ts';
import type { Shape } from '../../shape.ts';
import type { OpName } from '../../ops/registry.ts';

export interface DagData {
  nodes: Array<{ op: OpName; args: number[]; shape: Shape; attr: Attr }>;
  roots: number[];
}

export function dagToData(roots: readonly Node[]): DagData {
  const order = topoOrder(roots);
  const index = new Map(order.map((n, i) => [n, i] as const));
  return {
    nodes: order.map((n) => ({ op: n.op, args: n.args.map((a) => index.get(a)!), shape: n.shape, attr: n.attr })),
    roots: roots.map((r) => index.get(r)!),
  };
}

export function dagFromData(data: DagData): Node[] {
  const graph = new Graph();
  const nodes: Node[] = [];
  for (const d of data.nodes) nodes.push(graph.intern(d.op, d.args.map((i) => nodes[i]), d.shape, d.attr));
  return data.roots.map((i) => nodes[i]);
}
