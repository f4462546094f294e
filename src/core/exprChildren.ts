// The children of an expression whose nodes the analysis builds, in source order: what building an expression
// (analyze.ts's buildExpr) and finding the innermost expression at an offset (hovers) walk.

import type { Expr } from './ast.ts';

/** How many children of an expression have their nodes built (an index's literal is not a value). */
export function childCount(e: Expr): number {
  switch (e.kind) {
    case 'vector':
      return e.elements.length;
    case 'call':
      return e.args.length;
    case 'binary':
      return 2;
    case 'index':
    case 'transpose':
    case 'neg':
    case 'derivative':
      return 1;
    default:
      return 0;
  }
}

/** The k-th of those children (see childCount). */
export function child(e: Expr, k: number): Expr {
  switch (e.kind) {
    case 'vector':
      return e.elements[k];
    case 'call':
      return e.args[k];
    case 'binary':
      return k ? e.right : e.left;
    case 'index':
      return e.target;
    case 'transpose':
    case 'neg':
      return e.operand;
    case 'derivative':
      return e.of;
    default:
      throw new Error(`${e.kind} has no children`);
  }
}

/** The built children of an expression (see childCount), as a list. */
export function children(e: Expr): Expr[] {
  const out: Expr[] = [];
  for (let k = 0; k < childCount(e); k++) out.push(child(e, k));
  return out;
}
