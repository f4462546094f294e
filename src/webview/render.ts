// DOM building blocks of the preview: elements, KaTeX typesetting (explicit, safe options; lazily, for what
// scrolls into view), and step lists with folds.

import katex from 'katex';
import type { StepLine } from '../core/diff/steps.ts';
import type { CopyFormat } from '../core/diff/copy.ts';
import { foldPlan, type Segment } from './fold.ts';

/** Explicit rather than KaTeX's defaults: no \href/\url/\htmlClass, bounded macro expansion and sizes. */
const KATEX_OPTIONS = { throwOnError: true, output: 'htmlAndMathml', trust: false, maxExpand: 1000, maxSize: 20, strict: 'ignore' } as const;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Typesets into `span`; falls back to the plain text (never a blank) if KaTeX refuses. Inline mode with
 * \displaystyle: display-sized fractions, and KaTeX may break a long formula after its top-level operators.
 */
function typeset(span: HTMLElement, latex: string, text: string, display: boolean): void {
  try {
    katex.render(display ? `\\displaystyle ${latex}` : latex, span, { ...KATEX_OPTIONS, displayMode: false });
    span.classList.remove('fallback');
  } catch {
    span.textContent = text;
    span.classList.add('fallback');
  }
  span.classList.remove('pending');
}

/** A formula typeset now (the headline). */
export function math(latex: string, text: string, display = false): HTMLElement {
  const span = el(display ? 'div' : 'span', display ? 'math display' : 'math');
  span.title = text;
  typeset(span, latex, text, display);
  return span;
}

const pendingLatex = new WeakMap<Element, string>();
/** Formulas near the screen, waiting to be typeset. */
const queue: HTMLElement[] = [];
/** Typesetting runs in slices this long (ms), so a message that arrives meanwhile is handled at once. */
const SLICE_MS = 8;
let draining = false;

function drain(): void {
  const until = performance.now() + SLICE_MS;
  while (queue.length && performance.now() < until) {
    const span = queue.shift()!;
    const latex = pendingLatex.get(span);
    if (latex !== undefined && span.isConnected) typeset(span, latex, span.textContent ?? '', false);
  }
  draining = queue.length > 0;
  if (draining) setTimeout(drain, 0);
}

const onScreen = new IntersectionObserver(
  (entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      onScreen.unobserve(e.target);
      queue.push(e.target as HTMLElement);
    }
    if (!draining && queue.length) {
      draining = true;
      setTimeout(drain, 0);
    }
  },
  { rootMargin: '300px 0px' },
);

/** A formula shown as its text until it comes near the screen, then typeset. */
export function lazyMath(latex: string, text: string): HTMLElement {
  const span = el('span', 'math pending', text);
  span.title = text;
  pendingLatex.set(span, latex);
  onScreen.observe(span);
  return span;
}

function lineItem(line: StepLine, index: number): HTMLLIElement {
  const item = el('li');
  item.value = index + 1;
  if (line.kind === 'prose') item.textContent = line.text;
  else item.append(lazyMath(line.latex, line.text));
  // The shape (and a partial's rule) beside the formula, as `mcalc derive` prints them.
  if (line.note) item.append(el('span', 'note', line.note));
  return item;
}

function foldLabel(s: Extract<Segment, { kind: 'fold' }>, total: number): string {
  return s.group !== undefined ? `… ${s.to - s.from} more, same rule (${s.group})` : `show all ${total}`;
}

/** Appends the segments' items to `list`, or inserts them before `before`. */
function renderSegments(list: HTMLOListElement, lines: readonly StepLine[], plan: Segment[], before: Element | null = null): void {
  for (const s of plan) {
    if (s.kind === 'lines') {
      for (let i = s.from; i < s.to; i++) list.insertBefore(lineItem(lines[i], i), before);
      continue;
    }
    const item = el('li', 'fold');
    const button = el('button', undefined, foldLabel(s, lines.length));
    button.addEventListener('click', () => {
      // A rule's run opens whole; "show all" opens the rest, still folding long runs.
      const inner: Segment[] = s.group !== undefined ? [{ kind: 'lines', from: s.from, to: s.to }] : shift(foldPlan(lines.slice(s.from).map((l) => l.group), Infinity), s.from);
      renderSegments(list, lines, inner, item);
      item.remove();
    });
    item.append(button);
    list.insertBefore(item, before);
  }
}

function shift(plan: Segment[], by: number): Segment[] {
  return plan.map((s) => ({ ...s, from: s.from + by, to: s.to + by }));
}

/** A numbered list of lines, folded to the visible budget. */
export function lineList(lines: readonly StepLine[]): HTMLOListElement {
  const list = el('ol');
  renderSegments(list, lines, foldPlan(lines.map((l) => l.group)));
  return list;
}

const COPY_BUTTONS: { format: CopyFormat; label: string; title: string }[] = [
  { format: 'latex', label: 'LaTeX', title: 'Copy the derivation as LaTeX (an aligned block)' },
  { format: 'markdown', label: 'Markdown', title: 'Copy the derivation as Markdown ($$…$$ blocks)' },
  { format: 'mcalc', label: 'mcalc', title: 'Copy the result as an mcalc claim (check d(f)/d(x) = …)' },
];

/** The copy buttons under the result; the extension does the copying (the webview has no clipboard access). */
export function copyButtons(copy: (format: CopyFormat) => void): HTMLElement {
  const bar = el('div', 'copy');
  bar.setAttribute('role', 'group');
  bar.setAttribute('aria-label', 'Copy the derivation');
  bar.append(el('span', undefined, 'Copy:'));
  for (const b of COPY_BUTTONS) {
    const button = el('button', `copy-${b.format}`, b.label);
    button.type = 'button';
    button.title = b.title;
    button.addEventListener('click', () => copy(b.format));
    bar.append(button);
  }
  return bar;
}
