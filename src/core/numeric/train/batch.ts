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
// back to evaluating the per-sample gradient row by row.

import type { Builder } from '../../builder.ts';
import type { Node } from '../../ir.ts';
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

const ELEMENTWISE_BINARY = new Set(['add', 'sub', 'mul', 'div', 'max', 'min', 'gt', 'lt', 'ge', 'le']);
const ELEMENTWISE_UNARY = new Set(['neg', 'sin', 'cos', 'tan', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'relu', 'sign']);

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
  const memo = new Map<number, { node: Node; batched: boolean }>();
  const ones = (n: Dim) => b.ones(vectorOf(n));

  const dataVar = (n: Node) => n.op === 'var' && data.has(String(n.attr));
  const dependsOnData = (n: Node) => {
    for (const v of n.vars) if (data.has(v)) return true;
    return false;
  };

  /** The per-sample vector length of a vector/row shape. */
  const len = (s: Shape): Dim => (s as { n: Dim }).n;

  /** A per-sample value as a rows-by-len matrix: batched values already are; parameters are spread (𝟏 vᵀ). */
  function asRowMatrix(perSample: Node, r: { node: Node; batched: boolean }, n: Dim): Node {
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
  function asColumn(r: { node: Node; batched: boolean }): Node {
    return r.batched ? r.node : b.broadcast(r.node, vectorOf(rows));
  }

  /** Per-sample vector (or row) unbatched value as a column vector. */
  const column = (n: Node) => (n.shape.kind === 'row' ? b.transpose(n) : n);

  /** Row-wise dot product of per-sample vectors u, v (either may be a parameter): vector[rows]. */
  function rowDot(u: Node, ru: { node: Node; batched: boolean }, v: Node, rv: { node: Node; batched: boolean }): Node {
    if (ru.batched && rv.batched) return b.matmul(b.mul(ru.node, rv.node), ones(len(u.shape)));
    if (ru.batched) return b.matmul(ru.node, column(v));
    return b.matmul(rv.node, column(u));
  }

  function rewrite(n: Node): { node: Node; batched: boolean } {
    if (!dependsOnData(n)) return { node: n, batched: false };
    if (dataVar(n)) return { node: b.variable(String(n.attr), batchShape(n.shape, rows)), batched: true };
    const args = n.args.map((a) => memo.get(a.id)!);
    const someBatched = args.some((a) => a.batched);
    if (!someBatched) return { node: n, batched: false };
    const out = n.shape;
    if (out.kind === 'matrix') throw new Unbatchable(`${n.op} gives a matrix per sample`);
    const op = n.op;
    if (ELEMENTWISE_UNARY.has(op)) return { node: b.node(op, [args[0].node]), batched: true };
    if (ELEMENTWISE_BINARY.has(op)) {
      if (out.kind === 'scalar') return { node: b.node(op, [asColumn(args[0]), asColumn(args[1])]), batched: true };
      const k = len(out);
      const parts = n.args.map((a, i) => (a.shape.kind === 'scalar' && !args[i].batched ? args[i].node : asRowMatrix(a, args[i], k)));
      return { node: b.node(op, parts), batched: true };
    }
    switch (op) {
      case 'pow': {
        if (args[1].batched) throw new Unbatchable('a power whose exponent varies per sample');
        return { node: b.pow(args[0].node, args[1].node), batched: true };
      }
      case 'transpose':
        return { node: args[0].node, batched: true }; // vector and row samples share the rows-by-n form
      case 'dot':
        return { node: rowDot(n.args[0], args[0], n.args[1], args[1]), batched: true };
      case 'matmul': {
        const [x, y] = n.args;
        const [rx, ry] = args;
        if (x.shape.kind === 'row' && y.shape.kind === 'vector') return { node: rowDot(x, rx, y, ry), batched: true };
        // A x with a parameter matrix A: the rows of X Aᵀ are (A xᵢ)ᵀ.
        if (x.shape.kind === 'matrix' && !rx.batched && y.shape.kind === 'vector') return { node: b.matmul(ry.node, b.transpose(rx.node)), batched: true };
        // xᵀ A with a parameter matrix A: rows of X A.
        if (x.shape.kind === 'row' && y.shape.kind === 'matrix' && !ry.batched) return { node: b.matmul(rx.node, ry.node), batched: true };
        throw new Unbatchable(`the product ${formatShape(x.shape)} * ${formatShape(y.shape)} per sample`);
      }
      case 'sum':
      case 'mean': {
        const [x] = n.args;
        if (x.shape.kind === 'scalar') return { node: args[0].node, batched: true };
        const s = b.matmul(args[0].node, ones(len(x.shape)));
        return { node: op === 'sum' ? s : b.div(s, b.size(len(x.shape))), batched: true };
      }
      case 'norm': {
        const [x] = n.args;
        if (x.shape.kind === 'scalar') return { node: b.call('abs', args[0].node), batched: true };
        return { node: b.call('sqrt', b.matmul(b.mul(args[0].node, args[0].node), ones(len(x.shape)))), batched: true };
      }
      case 'vec': {
        // [s₁, …, sₖ] of per-sample scalars: the matrix whose columns are the sᵢ (rows × k).
        if (!n.args.every((a) => a.shape.kind === 'scalar')) throw new Unbatchable('a stack of vectors per sample');
        const rowsOfCols = args.map((a) => b.transpose(asColumn(a)));
        return { node: b.transpose(b.node('vec', rowsOfCols)), batched: true };
      }
      case 'tr':
      case 'det':
        if (n.args[0].shape.kind === 'scalar') return { node: args[0].node, batched: true };
        break;
      case 'inv':
        if (n.args[0].shape.kind === 'scalar') return { node: b.div(b.constant(1), args[0].node), batched: true };
        break;
    }
    throw new Unbatchable(`${op} of a per-sample value`);
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
