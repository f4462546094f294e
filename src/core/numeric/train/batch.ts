// The batch rewrite ("vmap"): a per-sample expression — data variables are one sample's values, e.g.
// x: vector[n] and y: scalar — becomes the same expression over all N samples at once, built with the
// Builder so the differentiation engine sees one ordinary matrix expression:
//
//   per sample                   batch (rows = samples)
//   y: scalar                →   y: vector[N]
//   x: vector[n] (or row)    →   x: matrix[N, n]
//   w · x, wᵀx               →   x * w                    (vector[N])
//   A x  (A a parameter)     →   x * Aᵀ                   (matrix[N, m])
//   sum(x)                   →   x * 𝟏                    (vector[N])
//   u ⊕ v, f(u)              →   the same element-wise, parameters spread over rows (𝟏 vᵀ, s 𝟏ᵀ)
//
// The loss becomes mean(ℓ) over the rows — the paper's C(w, b, X, y) — and its gradient is the engine's
// reverse-mode gradient of that batch expression: −2/N Xᵀ((y − a) ⊗ 1[z > 0]), with no N×N matrix anywhere.
// A per-sample value that would need a third-order batch (a matrix per sample: outer products, matrix data,
// diag of a per-sample vector…) is not rewritten: `batchRewrite` throws `Unbatchable` and the trainer falls
// back to evaluating the per-sample gradient row by row. Each operator's entry says how it batches (its `batch`
// hook: 'elementwise', or a rule of its own); an operator without one is unbatchable.

import type { Builder } from '../../builder.ts';
import type { Node } from '../../ir.ts';
import { opDef } from '../../ops/registry.ts';
import type { BatchArg, BatchContext } from '../../ops/types.ts';
import { type Dim, type Shape, formatShape, matrixOf, rowOf, vectorOf } from '../../shape.ts';

export class Unbatchable extends Error {}

/** Shape of the batch version of a per-sample value of shape `s`, with `rows` samples. */
export function batchShape(s: Shape, rows: Dim): Shape {
  switch (s.kind) {
    case 'scalar':
      return vectorOf(rows);
    case 'vector':
    case 'row':
      return matrixOf(rows, s.n);
    case 'matrix':
      throw new Unbatchable(`a matrix per sample (${formatShape(s)}) has no batch form as a matrix`);
  }
}

export interface BatchRewrite {
  /** Batch version of a per-sample node (the node itself when it does not depend on data). */
  get(n: Node): Node;
  /** Whether the batch version of `n` has one value per row. */
  batched(n: Node): boolean;
}

/**
 * Rewrites per-sample nodes into batch form. `data` maps each data variable's name to its per-sample shape;
 * `rows` is the batch dimension (a dimension name not used by the document). Throws `Unbatchable`.
 */
export function batchRewriter(b: Builder, data: ReadonlyMap<string, Shape>, rows: Dim): BatchRewrite {
  const memo = new Map<number, BatchArg>();
  const ones = (n: Dim) => b.ones(vectorOf(n));

  const dataVar = (n: Node) => n.op === 'var' && data.has(String(n.attr));
  const dependsOnData = (n: Node) => {
    for (const v of n.vars) if (data.has(v)) return true;
    return false;
  };

  /** The per-sample vector length of a vector/row shape. */
  const len = (s: Shape): Dim => (s as { n: Dim }).n;

  /** A per-sample value as a rows-by-len matrix: batched values already are; parameters are spread (𝟏 vᵀ). */
  function asRowMatrix(perSample: Node, r: BatchArg, n: Dim): Node {
    const s = perSample.shape;
    if (r.batched) {
      if (s.kind === 'scalar') return b.matmul(r.node, b.ones(rowOf(n))); // s 𝟏ᵀ
      return r.node;
    }
    if (s.kind === 'scalar') return b.mul(r.node, b.ones(matrixOf(rows, n)));
    const row = s.kind === 'vector' ? b.transpose(r.node) : r.node;
    return b.matmul(ones(rows), row); // 𝟏 vᵀ
  }

  /** A per-sample scalar as vector[rows]. */
  function asColumn(r: BatchArg): Node {
    return r.batched ? r.node : b.broadcast(r.node, vectorOf(rows));
  }

  /** Per-sample vector (or row) unbatched value as a column vector. */
  const column = (n: Node) => (n.shape.kind === 'row' ? b.transpose(n) : n);

  /** Row-wise dot product of per-sample vectors u, v (either may be a parameter): vector[rows]. */
  function rowDot(u: Node, ru: BatchArg, v: Node, rv: BatchArg): Node {
    if (ru.batched && rv.batched) return b.matmul(b.mul(ru.node, rv.node), ones(len(u.shape)));
    if (ru.batched) return b.matmul(ru.node, column(v));
    return b.matmul(rv.node, column(u));
  }

  const context: BatchContext = {
    b,
    ones,
    asColumn,
    rowDot,
    unbatchable(why) {
      throw new Unbatchable(why);
    },
  };

  function rewrite(n: Node): BatchArg {
    if (!dependsOnData(n)) return { node: n, batched: false };
    if (dataVar(n)) return { node: b.variable(String(n.attr), batchShape(n.shape, rows)), batched: true };
    const args = n.args.map((a) => memo.get(a.id)!);
    const someBatched = args.some((a) => a.batched);
    if (!someBatched) return { node: n, batched: false };
    const out = n.shape;
    if (out.kind === 'matrix') throw new Unbatchable(`${n.op} gives a matrix per sample`);
    const rule = opDef(n.op).batch;
    if (!rule) throw new Unbatchable(`${n.op} of a per-sample value`);
    if (typeof rule === 'object') throw new Unbatchable(rule.unbatchable);
    if (rule !== 'elementwise') return { node: rule(n, args, context), batched: true };
    if (n.args.length === 1) return { node: b.node(n.op, [args[0].node]), batched: true };
    if (out.kind === 'scalar') return { node: b.node(n.op, args.map(asColumn)), batched: true };
    const k = len(out);
    const parts = n.args.map((a, i) => (a.shape.kind === 'scalar' && !args[i].batched ? args[i].node : asRowMatrix(a, args[i], k)));
    return { node: b.node(n.op, parts), batched: true };
  }

  const get = (root: Node): Node => {
    for (const n of topoOrderDataAware(root, dependsOnData)) if (!memo.has(n.id)) memo.set(n.id, rewrite(n));
    return memo.get(root.id)!.node;
  };
  return {
    get,
    batched: (n) => {
      get(n);
      return memo.get(n.id)!.batched;
    },
  };
}

/** Post-order of the nodes that depend on data (their parameter-only arguments are kept as they are). */
function topoOrderDataAware(root: Node, dependsOnData: (n: Node) => boolean): Node[] {
  const order: Node[] = [];
  const seen = new Set<number>();
  const stack: Array<{ node: Node; next: number }> = [{ node: root, next: 0 }];
  seen.add(root.id);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const kids = dependsOnData(top.node) ? top.node.args : [];
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
  return order;
}
