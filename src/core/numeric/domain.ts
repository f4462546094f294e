// Where an evaluation leaves a function's domain: the first node whose value is not finite although its
// arguments are (log of a negative, logdet of a matrix with det ≤ 0, arcsin beyond ±1, …). `mcalc eval` prints
// it as a note, so a NaN never goes by without a word — and a derivative printed at such a point says that its
// function is not defined there.

import type { Node } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import { toText, type PrintOptions } from '../print.ts';
import type { Tensor } from './tensor.ts';

const finite = (t: Tensor | undefined) => !t || t.data.every(Number.isFinite);

/**
 * A sentence naming the first subexpression that is not finite although its arguments are, among the values of
 * one evaluation (evaluateAll's, in evaluation order).
 */
export function domainNote(values: ReadonlyMap<Node, Tensor>, print: PrintOptions = {}): string | undefined {
  for (const [node, value] of values) {
    if (finite(value) || !node.args.every((a) => finite(values.get(a)))) continue;
    const domain = opDef(node.op).domain?.text;
    return `${toText(node, print)} is not finite at these values${domain ? ` (${node.op} is defined for ${domain})` : ''}`;
  }
  return undefined;
}
