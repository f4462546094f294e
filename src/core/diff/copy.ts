// A derivation to paste elsewhere: as LaTeX (an aligned block per step), as Markdown (`$$…$$` for the
// result, one `$…$` item per line of each step), or as mcalc (the result as a claim the document can check).

import type { Derivation } from './derivation.ts';
import { joinResult } from './printedResult.ts';
import { STEP_TITLES, type Step, stepLines } from './steps.ts';

export const COPY_FORMATS = ['latex', 'markdown', 'mcalc'] as const;
export type CopyFormat = (typeof COPY_FORMATS)[number];

const STEPS: readonly Step[] = [1, 2, 3, 4];

/** `check <form> = <result>`: the line that makes the result a claim of the document. */
export function resultAsClaim(d: Derivation, formText: string): string {
  return `check ${formText} = ${joinResult(d.result).text}`;
}

function latexText(s: string): string {
  return `\\text{${s.replace(/[\\{}$&#^_%~]/g, (c) => `\\${c === '\\' ? 'textbackslash ' : c}`)}}`;
}

export function derivationAsLatex(d: Derivation, formText: string): string {
  const result = joinResult(d.result).latex;
  const out = [`% ${formText} in ${d.layout} layout (${d.shape}), derived by mcalc`, `% ${d.rule}: ${d.ruleReason}`, `\\[ ${result} \\]`];
  for (const step of STEPS) {
    const lines = stepLines(d, step);
    if (!lines.length) continue;
    out.push(`% ${step}. ${STEP_TITLES[step]}`, '\\begin{aligned}');
    out.push(lines.map((l) => `  & ${l.kind === 'formula' ? l.latex : latexText(l.text)}`).join(' \\\\\n'));
    out.push('\\end{aligned}');
  }
  return out.join('\n') + '\n';
}

export function derivationAsMarkdown(d: Derivation, formText: string): string {
  const out = [`**${formText}** (${d.layout} layout, ${d.shape})`, '', `$$${joinResult(d.result).latex}$$`, '', `*${d.rule}*: ${d.ruleReason}`];
  for (const step of STEPS) {
    const lines = stepLines(d, step);
    if (!lines.length) continue;
    out.push('', `${step}. ${STEP_TITLES[step]}`, '');
    for (const l of lines) out.push(`   - ${l.kind === 'formula' ? `$${l.latex}$` : l.text}`);
  }
  return out.join('\n') + '\n';
}

export function formatDerivation(d: Derivation, formText: string, format: CopyFormat): string {
  if (format === 'latex') return derivationAsLatex(d, formText);
  if (format === 'markdown') return derivationAsMarkdown(d, formText);
  return resultAsClaim(d, formText) + '\n';
}
