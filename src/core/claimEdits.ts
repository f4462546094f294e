// Edits that put mcalc's results into the document as claims: "Replace with mcalc's result" on a claim that
// fails, "Insert result as a claim" under a derivative form. A printed result is a sentence in the language,
// so the edited document reads back and its new claim passes its check. Pure (no `vscode`), for the editor's
// code actions and their unit tests. Ranges are in the analysed text's coordinates.

import type { Analysis, ClaimInfo, DerivativeInfo } from './analyze.ts';
import { deriveResult, formatResult } from './diff/derivation.ts';
import type { TextEdit } from './source.ts';

/** Per derivative form (an analysis has one layout): code actions are asked for on every cursor move. */
const claimable = new WeakMap<DerivativeInfo, string | null>();

/**
 * mcalc's result for a derivative form in the analysis's layout, as a claim's right side; undefined when it
 * is shown in index form (tensors of order ≥ 3, and Jacobians the engine finds no matrix form for) and when it
 * could not be computed.
 */
export function claimableResult(a: Analysis, info: DerivativeInfo): string | undefined {
  if (!info.shapes[a.layout].shape) return undefined;
  if (!claimable.has(info)) {
    try {
      const { f, result } = deriveResult(a, info, a.layout);
      claimable.set(info, result.kind === 'matrix' ? formatResult(a, info, f, result).text : null);
    } catch {
      claimable.set(info, null); // the hover and the check report what went wrong
    }
  }
  return claimable.get(info) ?? undefined;
}

/** Replaces a claim's formula (with its where-clause) by mcalc's result. */
export function replaceWithResult(a: Analysis, claim: ClaimInfo): TextEdit | undefined {
  const result = claim.derivative && claimableResult(a, claim.derivative);
  return result === undefined ? undefined : replaceClaimWith(claim, result);
}

/** The edit that makes `result` (a printed result, where-clause included) the claim's formula. */
export function replaceClaimWith(claim: ClaimInfo, result: string): TextEdit {
  return { range: claim.formulaRange, newText: result };
}

/** Whether a claim could be inserted for the form: its result is at most a matrix and no claim states it yet. */
export function mayClaim(a: Analysis, info: DerivativeInfo): boolean {
  return info.shapes[a.layout].shape !== undefined && !a.claims.some((c) => c.derivative === info);
}

/** Inserts `check <form> = <result>` on a new line after the derivative form's line, indented like it. */
export function insertResultAsClaim(a: Analysis, info: DerivativeInfo): TextEdit | undefined {
  if (!mayClaim(a, info)) return undefined;
  const result = claimableResult(a, info);
  return result === undefined ? undefined : insertClaimWith(a, info, result);
}

/** The edit that inserts `check <form> = <result>` for a result printed elsewhere (e.g. by the derivation worker). */
export function insertClaimWith(a: Analysis, info: DerivativeInfo, result: string): TextEdit {
  const line = info.range.end.line;
  const text = a.lines.lineText(line);
  const indent = /^\s*/.exec(text)![0];
  const end = { line, character: text.length };
  return { range: { start: end, end }, newText: `\n${indent}check ${info.text} = ${result}` };
}

/** The claim whose range contains the given one (a diagnostic on it). */
export function claimAt(a: Analysis, range: TextEdit['range']): ClaimInfo | undefined {
  const before = (p: TextEdit['range']['start'], q: TextEdit['range']['start']) => p.line < q.line || (p.line === q.line && p.character <= q.character);
  return a.claims.find((c) => before(c.range.start, range.start) && before(range.end, c.range.end));
}
