// Printing expression DAGs as Unicode text (re-parseable where possible) or LaTeX. Shared subexpressions are
// printed once and named (u₁, u₂, …, the paper's intermediate variables), so a DAG never prints as an
// exponentially large tree; nodes the user named (definitions) print as their names.

import { type Node, topoOrder } from './ir.ts';
import { opDef } from './ops/registry.ts';
import { PREC, type Printer } from './ops/types.ts';
import { latexName } from './ops/format.ts';

export interface Printed {
  /** The expression, with shared parts replaced by names. */
  main: string;
  /** Definitions of the names introduced for shared parts, innermost first. */
  where: { name: string; text: string }[];
}

export interface PrintOptions {
  /** Nodes to print as a given name (e.g. the user's definitions). */
  names?: ReadonlyMap<Node, string>;
  /** Introduce names for subexpressions used more than once (default true). */
  share?: boolean;
  /** Names in use (variables, definitions): introduced names avoid their letters. */
  avoid?: Iterable<string>;
}

const SUB = '₀₁₂₃₄₅₆₇₈₉';
export function subscriptNumber(k: number): string {
  return String(k)
    .split('')
    .map((d) => SUB[Number(d)])
    .join('');
}

/** Shared subexpressions smaller than this (in tree nodes) are repeated rather than named. */
const MIN_NAMED_SIZE = 6;

export function printExpr(root: Node, mode: 'text' | 'latex', options: PrintOptions = {}): Printed {
  const userNames = options.names ?? new Map<Node, string>();
  const introduced = new Map<Node, string>();
  const order = topoOrder([root], (n) => n === root || !userNames.has(n));
  if (options.share !== false) {
    const uses = new Map<Node, number>();
    for (const n of order) {
      if (n !== root && userNames.has(n)) continue;
      for (const a of n.args) uses.set(a, (uses.get(a) ?? 0) + 1);
    }
    const treeSize = new Map<Node, number>();
    for (const n of order) treeSize.set(n, Math.min(64, 1 + n.args.reduce((s, a) => s + (treeSize.get(a) ?? 1), 0)));
    const taken = new Set(options.avoid ?? []);
    for (const n of userNames.values()) taken.add(n);
    const prefix = ['u', 'v', 'p', 'q', 'r', 'h', 'g', 'ξ'].find((c) => !taken.has(c) && ![...taken].some((t) => t.startsWith(c + '₁'))) ?? 'ξ';
    let k = 0;
    for (const n of order) {
      if (n === root || userNames.has(n) || (treeSize.get(n) ?? 1) < MIN_NAMED_SIZE || (uses.get(n) ?? 0) < 2) continue;
      introduced.set(n, `${prefix}${subscriptNumber(++k)}`);
    }
  }
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
          return mode === 'latex' ? `\\left(${r.text}\\right)` : `(${r.text})`;
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

/** One-line text: `main` plus `where u₁ = …; u₂ = …` when shared parts were named. */
export function toText(root: Node, options: PrintOptions = {}): string {
  const p = printExpr(root, 'text', options);
  return p.where.length ? `${p.main}   where ${p.where.map((w) => `${w.name} = ${w.text}`).join('; ')}` : p.main;
}

/** LaTeX: the expression, followed by `\text{where } u_1 = …` lines when shared parts were named. */
export function toLatex(root: Node, options: PrintOptions = {}): string {
  const p = printExpr(root, 'latex', options);
  if (!p.where.length) return p.main;
  return `${p.main} \\quad \\text{where } ${p.where.map((w) => `${w.name} = ${w.text}`).join(',\\; ')}`;
}
