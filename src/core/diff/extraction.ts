// Jacobian extraction: read the matrix J off a differential df = J dx that is linear in the tangent dx of a
// vector variable. Vector, row and scalar nodes compose their arguments' Jacobians (OpDef.jacobian); matrix
// nodes have none (it would be of order 3), so the vectors and scalars made of them are read through probes
// (OpDef.probe, ops/probes.ts): dM·w, tr(dM), … pushed through dM's operators until the tangent is a vector.

import type { Builder } from '../builder.ts';
import { type Node, topoOrder } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import { type Probe, type ProbeContext, probeKey } from '../ops/probes.ts';
import type { Dim, Shape } from '../shape.ts';

export class JacobianExtraction implements ProbeContext {
  /** Jacobians (numerator layout) by node id; null for matrices and where no matrix form was found. */
  readonly Js = new Map<number, Node | null>();
  private readonly probes = new Map<number, Map<string, Node | null>>();
  private readonly key: string;
  private readonly n: Dim;

  constructor(
    private readonly b: Builder,
    wrt: { name: string; shape: Shape },
  ) {
    this.key = '∂' + wrt.name;
    this.n = (wrt.shape as { n: Dim }).n;
  }

  varies(node: Node): boolean {
    return node.vars.has(this.key);
  }

  /** The Jacobian of a node that varies (computing those below it that are not known yet, and only those). */
  jacobian(root: Node): Node | null {
    const unknown = (m: Node) => this.varies(m) && !this.Js.has(m.id);
    if (unknown(root)) for (const node of topoOrder([root], unknown)) if (unknown(node)) this.Js.set(node.id, this.own(node));
    return this.Js.get(root.id) ?? null;
  }

  probe(m: Node, p: Probe): Node | null {
    let byProbe = this.probes.get(m.id);
    if (!byProbe) this.probes.set(m.id, (byProbe = new Map()));
    const key = probeKey(p);
    if (!byProbe.has(key)) byProbe.set(key, opDef(m.op).probe?.(m, p, this, this.b) ?? null);
    return byProbe.get(key)!;
  }

  private own(node: Node): Node | null {
    if (node.op === 'tangent') return this.b.identity(this.n);
    if (node.shape.kind === 'matrix') return null;
    const def = opDef(node.op);
    if (node.args.some((a) => a.shape.kind === 'matrix' && this.varies(a))) return def.probe?.(node, null, this, this.b) ?? null;
    // A piece that is not a matrix (a tensor in between) makes every node above it inexpressible too.
    const args: (Node | null)[] = [];
    for (const a of node.args) {
      if (!this.varies(a)) args.push(null);
      else {
        const J = this.Js.get(a.id);
        if (!J) return null;
        args.push(J);
      }
    }
    return def.jacobian?.(node, args, this.b) ?? null;
  }
}
