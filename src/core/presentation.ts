// What hovers and the outline say, as plain data and Markdown text, shared by the editor and tests.

import type { Analysis, DerivativeInfo, HoverEntry } from './analyze.ts';
import { type Layout, LAYOUTS, formatJacobianDims, formatShape } from './shape.ts';
import type { Range } from './source.ts';
import type { PrintedResult } from './diff/printedResult.ts';
import { completed, STEP, type Steps } from './steps.ts';

function code(s: string): string {
  const ticks = s.includes('`') ? '``' : '`';
  return `${ticks}${s}${ticks}`;
}

const FORM_NAMES: Record<DerivativeInfo['form'], string> = { jacobian: 'Jacobian', grad: 'Gradient', hessian: 'Hessian' };

/** Shape line for a derivative form in a layout, e.g. `1×n`. */
export function derivativeShapeText(d: DerivativeInfo, layout: Layout): string {
  const s = d.shapes[layout];
  if (d.form === 'grad' && s.shape) return formatShape(s.shape);
  return formatJacobianDims(s.dims);
}

/** A result longer than this (in characters, with its where-clause) is left to the derivation preview. */
const MAX_HOVER_RESULT = 6000;

/** The result lines of a hover: `= main`, then one `where` line per named part, every name defined. */
function resultMarkdown(result: Pick<PrintedResult, 'main' | 'where'>): string[] {
  const size = result.main.text.length + result.where.reduce((n, w) => n + w.name.length + w.text.length + 3, 0);
  if (size > MAX_HOVER_RESULT) {
    return [`The result is ${size.toLocaleString('en-US')} characters long with ${result.where.length} named parts: *Show Derivation* shows it whole.`];
  }
  return [code(`= ${result.main.text}`), ...result.where.map((w) => `${code(`where ${w.name} = ${w.text}`)}  `)];
}

/** Markdown for a hover entry. The first line is always `` `<text> : <shape>` ``. */
export function hoverMarkdown(h: HoverEntry & { text: string }, layout: Layout, result?: Pick<PrintedResult, 'main' | 'where'>): string {
  const lines: string[] = [];
  const d = h.derivative;
  if (d) {
    lines.push(code(`${h.text} : ${derivativeShapeText(d, layout)}`));
    lines.push('');
    const wrt = `${d.wrt.name}: ${formatShape(d.wrt.shape)}`;
    if (d.form === 'grad') lines.push(`${FORM_NAMES.grad} of ${code(d.ofText)} with respect to ${code(wrt)} — always the shape of ${d.wrt.name}.`);
    else if (d.form === 'hessian') lines.push(`${FORM_NAMES.hessian} of ${code(d.ofText)} with respect to ${code(wrt)} (symmetric, the same in both layouts).`);
    else lines.push(`${FORM_NAMES.jacobian} of ${code(d.ofText)} (${formatShape(d.of.shape)}) with respect to ${code(wrt)}:`);
    if (d.form === 'jacobian') {
      lines.push('');
      for (const l of LAYOUTS) lines.push(`- ${l} layout: ${code(derivativeShapeText(d, l))}${l === layout ? ' **(active)**' : ''}`);
    }
    if (result) lines.push('', ...resultMarkdown(result));
    return lines.join('\n');
  }
  lines.push(code(`${h.text} : ${h.shape ? formatShape(h.shape) : '?'}`));
  if (h.note) lines.push('', h.note.startsWith('defined as') ? `defined as ${code(h.note.slice('defined as '.length))}` : h.note);
  return lines.join('\n');
}

export type OutlineKind = 'dimension' | 'variable' | 'definition' | 'claim';

export interface OutlineItem {
  name: string;
  kind: OutlineKind;
  detail: string;
  range: Range;
  selectionRange: Range;
}

export function outline(a: Analysis): OutlineItem[] {
  return completed(outlineSteps(a));
}

/** `outline` in steps (see steps.ts): the editor makes a long document's in slices. */
export function* outlineSteps(a: Analysis): Steps<OutlineItem[]> {
  const items: OutlineItem[] = [];
  for (const d of a.dims) items.push({ name: d.name, kind: 'dimension', detail: d.explicit ? 'dimension' : 'dimension (implicit)', range: d.range, selectionRange: d.range });
  for (const v of a.variables) items.push({ name: v.name, kind: 'variable', detail: formatShape(v.shape), range: v.range, selectionRange: v.range });
  for (const d of a.definitions) {
    if (items.length % STEP === 0) yield;
    const detail = d.derivative ? derivativeShapeText(d.derivative, a.layout) : d.shape ? formatShape(d.shape) : '';
    items.push({ name: d.name, kind: 'definition', detail, range: d.range, selectionRange: d.nameRange });
  }
  yield;
  for (const c of a.claims) {
    const name = `check ${c.derivative?.text ?? '…'}`;
    items.push({ name, kind: 'claim', detail: c.formulaText, range: c.range, selectionRange: c.keywordRange });
  }
  items.sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
  return items;
}

/**
 * The derivative form at an offset: the innermost one containing it, else the first on its line (so a cursor
 * anywhere on `g = d(loss)/d(w)` finds it).
 */
export function derivativeAt(a: Analysis, offset: number): DerivativeInfo | undefined {
  const pos = a.lines.positionAt(offset);
  let best: DerivativeInfo | undefined;
  let bestLength = Infinity;
  for (const d of a.derivatives) {
    const start = a.lines.offsetAt(d.range.start);
    const end = a.lines.offsetAt(d.range.end);
    if (start <= offset && offset <= end && end - start < bestLength) {
      best = d;
      bestLength = end - start;
    }
  }
  return best ?? a.derivatives.find((d) => d.range.start.line === pos.line);
}
