// Signature help: the innermost call (or derivative form) whose parentheses are open at the cursor, and
// which argument the cursor is in. Calls never span lines (one statement per line), so only the line is read.

import type { Analysis } from '../analyze.ts';
import { tokenize } from '../lexer.ts';
import { callables, type Callable } from './builtins.ts';

export interface SignatureAt {
  callable: Callable;
  /** 0-based index of the argument at the cursor. */
  activeParameter: number;
}

export function signatureAt(a: Analysis, offset: number): SignatureAt | undefined {
  const line = a.lines.positionAt(offset).line;
  const tokens = tokenize(a.text, a.lines.lineStart(line), offset);
  /** Each open parenthesis: the index of the name before it (-1 if none) and the commas seen inside. */
  const open: { callee: number; commas: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === '(') open.push({ callee: tokens[i - 1]?.kind === 'name' ? i - 1 : -1, commas: 0 });
    else if (t.kind === ')') open.pop();
    else if (t.kind === ',' && open.length) open[open.length - 1].commas++;
  }
  for (let k = open.length - 1; k >= 0; k--) {
    const { callee, commas } = open[k];
    const callable = callee >= 0 ? callables().get(tokens[callee].text) : undefined;
    if (!callable) continue;
    // In `d(f)/d(x)` the argument is told by which `d(` is open: the one after the `/` is x.
    const activeParameter = callable.name === 'd' ? (tokens[callee - 1]?.kind === '/' ? 1 : 0) : Math.min(commas, callable.parameters.length - 1);
    return { callable, activeParameter };
  }
  return undefined;
}

/** Where each parameter sits in the signature's label, `[start, end)`, for highlighting the active one. */
export function parameterSpans(callable: Callable): [number, number][] {
  let from = callable.signature.indexOf('(') + 1;
  return callable.parameters.map((p) => {
    const start = callable.signature.indexOf(p, from);
    from = start + p.length;
    return [start, start + p.length];
  });
}
