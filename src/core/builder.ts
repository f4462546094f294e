// Smart constructors over the hash-consed graph: every node is built through `node()`, which checks the
// shape with the operator's own rule, applies the operator's simplifications (recording which fired) and
// interns the result.

import { Graph, type Attr, type Node } from './ir.ts';
import { isShapeError } from './ops/types.ts';
import { type OpName, opDef } from './ops/registry.ts';
import { type Dim, type Shape, SCALAR, formatShape, sameShape, vectorOf, matrixOf, rowOf } from './shape.ts';

export class InternalError extends Error {}

export class Builder {
  /** Names of the simplification rules that fired since the log was last reset. */
  readonly log = new Map<string, number>();

  constructor(readonly graph: Graph = new Graph()) {}

  /** Record that a simplification rule fired (called by operators' simplify()). */
  fired(rule: string): void {
    this.log.set(rule, (this.log.get(rule) ?? 0) + 1);
  }

  node(op: OpName, args: readonly Node[], attr?: Attr): Node {
    const def = opDef(op);
    const shapes: Shape[] = new Array(args.length);
    for (let i = 0; i < args.length; i++) shapes[i] = args[i].shape;
    const shape = def.shape(shapes, attr);
    if (isShapeError(shape)) {
      throw new InternalError(`internal: ${op}(${args.map((a) => formatShape(a.shape)).join(', ')}): ${shape.error}`);
    }
    const simpler = def.simplify?.(args, attr, this, shape);
    if (simpler) return simpler;
    return this.graph.intern(op, args, shape, attr);
  }

  /** Builds without simplification (for the user's own expressions, shown as written). */
  raw(op: OpName, args: readonly Node[], attr?: Attr): Node {
    const def = opDef(op);
    const shape = def.shape(args.map((a) => a.shape), attr);
    if (isShapeError(shape)) throw new InternalError(`internal: ${op}: ${shape.error}`);
    return this.graph.intern(op, args, shape, attr);
  }

  // ---- leaves -----------------------------------------------------------------------------------------
  constant(value: number, shape: Shape = SCALAR): Node {
    return this.graph.intern('const', [], shape, Object.is(value, -0) ? 0 : value);
  }
  zero(shape: Shape): Node {
    return this.constant(0, shape);
  }
  ones(shape: Shape): Node {
    return this.constant(1, shape);
  }
  variable(name: string, shape: Shape): Node {
    return this.graph.intern('var', [], shape, name);
  }
  /** The differential dx of a variable: the seed of forward-mode derivatives. */
  tangent(name: string, shape: Shape): Node {
    return this.graph.intern('tangent', [], shape, name);
  }
  size(d: Dim): Node {
    return typeof d === 'number' ? this.constant(d) : this.graph.intern('size', [], SCALAR, d);
  }
  identity(n: Dim): Node {
    return this.graph.intern('identity', [], matrixOf(n, n), undefined);
  }
  /** The unit vector e_index of length n (index is a literal or a symbol like `j`). */
  unit(index: string | number, n: Dim): Node {
    return this.graph.intern('unit', [], vectorOf(n), index);
  }

  // ---- operators --------------------------------------------------------------------------------------
  add(a: Node, b: Node): Node {
    return this.node('add', [a, b]);
  }
  sub(a: Node, b: Node): Node {
    return this.node('sub', [a, b]);
  }
  neg(a: Node): Node {
    return this.node('neg', [a]);
  }
  /** Element-wise product with scalar expansion (scalar times anything, or ⊗). */
  mul(a: Node, b: Node): Node {
    return this.node('mul', [a, b]);
  }
  /** Element-wise division with scalar expansion (x / s, or ⊘). */
  div(a: Node, b: Node): Node {
    return this.node('div', [a, b]);
  }
  pow(a: Node, p: Node): Node {
    return this.node('pow', [a, p]);
  }
  /** Matrix product; a scalar operand makes it a scaling. */
  matmul(a: Node, b: Node): Node {
    if (a.shape.kind === 'scalar' || b.shape.kind === 'scalar') return this.mul(a, b);
    return this.node('matmul', [a, b]);
  }
  transpose(a: Node): Node {
    return this.node('transpose', [a]);
  }
  dot(a: Node, b: Node): Node {
    return this.node('dot', [a, b]);
  }
  call(op: OpName, ...args: Node[]): Node {
    return this.node(op, args);
  }
  sum(a: Node): Node {
    return this.node('sum', [a]);
  }
  index(v: Node, i: number): Node {
    return this.node('index', [v], i);
  }
  compare(op: 'gt' | 'lt' | 'ge' | 'le', a: Node, b: Node): Node {
    return this.node(op, [a, b]);
  }

  // ---- helpers used by derivative rules ----------------------------------------------------------------
  /** Scalar expansion: `t` (scalar) as a value of `shape`; identity when shapes already agree. */
  broadcast(t: Node, shape: Shape): Node {
    if (sameShape(t.shape, shape)) return t;
    return this.mul(t, this.ones(shape));
  }
  /** Adjoint of scalar expansion: sum a cotangent down to `shape` (scalar) when needed. */
  unbroadcast(t: Node, shape: Shape): Node {
    if (sameShape(t.shape, shape)) return t;
    if (shape.kind === 'scalar') return this.sum(t);
    throw new InternalError(`internal: cannot reduce ${formatShape(t.shape)} to ${formatShape(shape)}`);
  }
  addMaybe(a: Node | null, b: Node | null): Node | null {
    if (!a) return b;
    if (!b) return a;
    return this.add(a, b);
  }
  /** A vector's element count as a scalar node. */
  lengthOf(s: Shape): Node {
    switch (s.kind) {
      case 'scalar':
        return this.constant(1);
      case 'vector':
      case 'row':
        return this.size(s.n);
      case 'matrix':
        return this.mul(this.size(s.m), this.size(s.n));
    }
  }
  rowOnes(n: Dim): Node {
    return this.ones(rowOf(n));
  }
}
