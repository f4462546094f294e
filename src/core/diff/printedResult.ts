// A printed result as data: the main expression and the where-clause's definitions, each in text and LaTeX.
// Pure (no operator registry), so the preview's script can join and typeset a result it received.

import { latexName } from '../ops/format.ts';
import { NOT_SCALAR } from '../shape.ts';

export interface WhereEntry {
  name: string;
  /** Marks names of vectors and matrices (typeset bold, as in the paper). */
  bold?: true;
  text: string;
  latex: string;
}

/** One line of text: `main   where u₁ = …; u₂ = …` — the form the language reads back. */
export function joinText(p: { main: string; where: readonly { name: string; text: string }[] }): string {
  return p.where.length ? `${p.main}   where ${p.where.map((w) => `${w.name} = ${w.text}`).join('; ')}` : p.main;
}

/** LaTeX: the expression, followed by `\text{where } u_1 = …` when parts were named. */
export function joinLatex(p: { main: string; where: readonly { name: string; text: string }[] }): string {
  if (!p.where.length) return p.main;
  return `${p.main} \\quad \\text{where } ${p.where.map((w) => `${w.name} = ${w.text}`).join(',\\; ')}`;
}

/** A where-clause name in LaTeX. */
export function whereNameLatex(w: Pick<WhereEntry, 'name' | 'bold'>): string {
  return latexName(w.name, w.bold ? NOT_SCALAR : undefined);
}

/**
 * `text` and `latex` join the parts on demand and are not serialised, so a record's JSON carries each
 * definition once.
 */
export class PrintedResult {
  private joined?: { text: string; latex: string };
  constructor(
    readonly main: { text: string; latex: string },
    readonly where: readonly WhereEntry[],
    /** Said after the where-clause in text, e.g. `(for each j)` of an index-form result. */
    readonly suffix = '',
  ) {}
  /** The whole result as one line of mcalc, pasteable as a claim. */
  get text(): string {
    return this.join().text;
  }
  get latex(): string {
    return this.join().latex;
  }
  private join(): { text: string; latex: string } {
    this.joined ??= joinResult(this);
    return this.joined;
  }
  /** JSON carries the parts once; `joinResult` gives the one-line text and the LaTeX back. */
  toJSON(): { main: PrintedResult['main']; where: PrintedResult['where']; suffix?: string } {
    return { main: this.main, where: this.where, ...(this.suffix ? { suffix: this.suffix } : {}) };
  }
}

/** `text` and `latex` of a result's parts (also for a record that went through JSON or postMessage). */
export function joinResult(r: Pick<PrintedResult, 'main' | 'where'> & { suffix?: string }): { text: string; latex: string } {
  return {
    text: joinText({ main: r.main.text, where: r.where }) + (r.suffix ?? ''),
    latex: joinLatex({ main: r.main.latex, where: r.where.map((w) => ({ name: whereNameLatex(w), text: w.latex })) }),
  };
}
