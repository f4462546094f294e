// Printing expression DAGs as Unicode text (re-parseable) or LaTeX. Shared subexpressions are printed once and
// named (u₁, u₂, …, the paper's intermediate variables), so a DAG never prints as an exponentially large tree;
// nodes the user named (definitions) print as their names. Long expressions are cut into named pieces too, so
// every printed line stays short and the whole output grows with the DAG, never with its expansion.

import { type Node, topoOrder } from './ir.ts';
import { opDef } from './ops/registry.ts';
import { PREC, type Printer } from './ops/types.ts';
import { latexName, subscriptDigits } from './ops/format.ts';
import { type WhereEntry, joinLatex, joinText } from './diff/printedResult.ts';

/** Names of nodes, looked up (a Map fits; so does a view of one that hides a node). */
export interface NameLookup {
  get(n: Node): string | undefined;
  has(n: Node): boolean;
}

export interface Printed {
  /** The expression, with shared parts replaced by names. */
  main: string;
  /** Definitions of the names introduced for shared or long parts, each before its first use. */
  where: { name: string; text: string }[];
}

export interface PrintOptions {
  /** Nodes to print as a given name (e.g. the user's definitions); these are not defined in `where`. */
  names?: NameLookup;
  /** Names to give nodes if the printer introduces a name for them (e.g. the derivation's intermediates). */
  preferred?: NameLookup;
  /** Introduce names for subexpressions used more than once, and for long ones (default true). */
  share?: boolean;
  /** Names in use (variables, definitions): introduced names avoid their letters. */
  avoid?: Iterable<string>;
}


/** Shared subexpressions smaller than this (in printed nodes) are repeated rather than named. */
const MIN_NAMED_SIZE = 6;
/** Beyond this many printed nodes, the largest arguments of an expression are named (one short line each). */
const MAX_INLINE_SIZE = 40;
const PREFIXES = ['u', 'v', 'p', 'q', 'r', 'h', 'g', 'ξ'];

/** A letter for introduced names that no name in use starts with (u, then v, …). */
function freshPrefix(taken: ReadonlySet<string>): string {
  const used = new Set<string>();
  for (const t of taken) used.add(t.replace(/[₀-₉]+$/, ''));
  return PREFIXES.find((c) => !used.has(c)) ?? 'ξ';
}

/** Decides which nodes get introduced names: shared ones worth naming, and pieces of long expressions. */
function introduceNames(root: Node, userNames: NameLookup, options: PrintOptions): Map<Node, string> {
  const introduced = new Map<Node, string>();
  const order = topoOrder([root], (n) => n === root || !userNames.has(n));
  const isUser = (n: Node) => n !== root && userNames.has(n);
  const uses = new Map<Node, number>();
  for (const n of order) {
    if (isUser(n)) continue;
    for (const a of n.args) uses.set(a, (uses.get(a) ?? 0) + 1);
  }
  const taken = new Set(options.avoid ?? []);
  if (userNames instanceof Map) for (const s of userNames.values()) taken.add(s);
  const preferred = options.preferred;
  let prefix: string | undefined;
  let k = 0;
  const name = (n: Node) => {
    let s = preferred?.get(n);
    if (s === undefined) {
      prefix ??= freshPrefix(new Set([...taken, ...(preferred instanceof Map ? preferred.values() : [])]));
      do s = `${prefix}${subscriptDigits(++k)}`;
      while (taken.has(s));
    }
    introduced.set(n, s);
  };
  const inline = new Map<Node, number>();
  const sizeOf = (a: Node) => (isUser(a) || introduced.has(a) ? 1 : (inline.get(a) ?? 1));
  for (const n of order) {
    if (isUser(n)) continue;
    let size = 1;
    for (const a of n.args) size += sizeOf(a);
    while (size > MAX_INLINE_SIZE) {
      let biggest: Node | undefined;
      for (const a of n.args) if (sizeOf(a) > 1 && (!biggest || sizeOf(a) > sizeOf(biggest))) biggest = a;
      if (!biggest) break;
      size -= sizeOf(biggest) - 1;
      name(biggest);
    }
    inline.set(n, size);
    if (n !== root && size >= MIN_NAMED_SIZE && (uses.get(n) ?? 0) >= 2) name(n);
  }
  return introduced;
}

export function printExpr(root: Node, mode: 'text' | 'latex', options: PrintOptions = {}): Printed {
  const userNames: NameLookup = options.names ?? new Map<Node, string>();
  const introduced = options.share === false ? new Map<Node, string>() : introduceNames(root, userNames, options);
  return renderNamed(root, mode, userNames, introduced);
}

/** Both modes at once, with the same introduced names: `where` entries carry their text and LaTeX. */
export function printBoth(root: Node, options: PrintOptions = {}): PrintedBoth {
  const userNames: NameLookup = options.names ?? new Map<Node, string>();
  const introduced = options.share === false ? new Map<Node, string>() : introduceNames(root, userNames, options);
  const text = renderNamed(root, 'text', userNames, introduced);
  const latex = renderNamed(root, 'latex', userNames, introduced);
  const nodes = [...introduced.keys()];
  return {
    main: { text: text.main, latex: latex.main },
    where: text.where.map((w, i) => ({ name: w.name, ...boldFlag(nodes[i]), text: w.text, latex: latex.where[i].text })),
  };
}

export interface PrintedBoth {
  main: { text: string; latex: string };
  where: WhereEntry[];
}

function boldFlag(n: Node): { bold?: true } {
  return n.shape.kind === 'scalar' ? {} : { bold: true };
}

function renderNamed(root: Node, mode: 'text' | 'latex', userNames: NameLookup, introduced: Map<Node, string>): Printed {
  const nameOf = (n: Node, top: Node): string | undefined => (n === top ? undefined : (userNames.get(n) ?? introduced.get(n)));
  const render = (top: Node): string => {
    // Iterative post-order so that very deep expressions cannot overflow the stack.
    const memo = new Map<Node, { text: string; prec: number }>();
    const nameText = (name: string, n: Node) => (mode === 'latex' ? latexName(name, n.shape) : name);
    const stack: Array<{ node: Node; expanded: boolean }> = [{ node: top, expanded: false }];
    while (stack.length) {
      const item = stack[stack.length - 1];
      const n = item.node;
      if (memo.has(n)) {
        stack.pop();
        continue;
      }
      const name = nameOf(n, top);
      if (name !== undefined) {
        memo.set(n, { text: nameText(name, n), prec: PREC.atom });
        stack.pop();
        continue;
      }
      if (!item.expanded) {
        item.expanded = true;
        for (const a of n.args) if (!memo.has(a)) stack.push({ node: a, expanded: false });
        continue;
      }
      const def = opDef(n.op);
      const printer: Printer = {
        mode,
        arg: (a, minPrec) => {
          const r = memo.get(a)!;
          if (r.prec >= minPrec) return r.text;
          // \left( … \right) only around tall content (fractions, matrices): plain parentheses read the same.
          if (mode === 'latex') return /\\frac|\\begin|\\left|\\sum|\\prod/.test(r.text) ? `\\left(${r.text}\\right)` : `(${r.text})`;
          return `(${r.text})`;
        },
        plain: (a) => memo.get(a)!.text,
        named: (a) => nameOf(a, top) !== undefined,
      };
      memo.set(n, { text: def.format(n, printer), prec: def.prec(n) });
      stack.pop();
    }
    return memo.get(top)!.text;
  };
  const where = [...introduced.entries()].map(([n, name]) => ({ name: mode === 'latex' ? latexName(name, n.shape) : name, text: render(n) }));
  return { main: render(root), where };
}

/**
 * Prints one node with its arguments' names (share off), or undefined when the unnamed part below it has more
 * than `budget` nodes: a record line that would spell out a large subexpression is left out instead.
 */
export function printLocal(root: Node, mode: 'text' | 'latex', names: NameLookup, budget: number): string | undefined {
  let count = 0;
  const within = topoOrder([root], (n) => (n === root || !names.has(n)) && ++count <= budget);
  if (count > budget || within.length > budget * 2) return undefined;
  return printExpr(root, mode, { names, share: false }).main;
}

/** One-line text: `main` plus `where u₁ = …; u₂ = …` when shared parts were named. */
export function toText(root: Node, options: PrintOptions = {}): string {
  return joinText(printExpr(root, 'text', options));
}

/** LaTeX: the expression, followed by `\text{where } u_1 = …` when shared parts were named. */
export function toLatex(root: Node, options: PrintOptions = {}): string {
  return joinLatex(printExpr(root, 'latex', options));
}

/** A view of `names` without one node (so a definition prints its own expression, not its name). */
export function namesExcept(names: NameLookup, hidden: Node): NameLookup {
  return { get: (n) => (n === hidden ? undefined : names.get(n)), has: (n) => n !== hidden && names.has(n) };
}
