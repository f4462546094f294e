// What a check looks at: the claims and derivative forms of a document, filtered by --of/--wrt, or d(of)/d(wrt)
// built on the spot when nothing written matches.

import { type Analysis, type DerivativeInfo, derivativeOf } from '../../analyze.ts';
import { type CheckOptions, type CheckTarget, CheckUsageError } from './types.ts';

function matchesOf(a: Analysis, info: DerivativeInfo, of: string): boolean {
  if (info.ofText.trim() === of) return true;
  const def = a.definition(of);
  return !!def?.node && def.node === info.of;
}

/** The claims and derivative forms to check (claims' own derivative forms are checked as claims). */
export function checkTargets(a: Analysis, options: Pick<CheckOptions, 'of' | 'wrt'> = {}): CheckTarget[] {
  const { of, wrt } = options;
  if (wrt !== undefined && !a.variable(wrt)) {
    throw new CheckUsageError(`There is no variable named '${wrt}'${a.variables.length ? ` (variables: ${a.variables.map((v) => v.name).join(', ')})` : ''}.`);
  }
  const claimed = new Set<DerivativeInfo>();
  const targets: CheckTarget[] = [];
  for (const c of a.claims) {
    if (!c.derivative) continue;
    claimed.add(c.derivative);
    targets.push({ kind: 'claim', info: c.derivative, claim: c, range: c.range });
  }
  for (const d of a.derivatives) if (!claimed.has(d)) targets.push({ kind: 'derivative', info: d, range: d.range });
  targets.sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
  const selected = targets.filter((t) => (of === undefined || matchesOf(a, t.info, of)) && (wrt === undefined || t.info.wrt.name === wrt));
  if (selected.length || (of === undefined && wrt === undefined)) return selected;
  // Nothing written matches: check d(of)/d(wrt) itself.
  if (of !== undefined && !a.definition(of)) {
    const known = a.definitions.map((d) => d.name);
    throw new CheckUsageError(`There is no definition named '${of}' and no derivative of it${known.length ? ` (definitions: ${known.join(', ')})` : ''}.`);
  }
  const ofNames = of !== undefined ? [of] : a.definitions.filter((d) => d.node && !d.derivative && d.node.vars.has(wrt!)).map((d) => d.name);
  const out: CheckTarget[] = [];
  for (const name of ofNames) {
    const def = a.definition(name)!;
    const wrts = wrt !== undefined ? [wrt] : a.variables.filter((v) => def.node?.vars.has(v.name)).map((v) => v.name);
    for (const w of wrts) {
      const info = derivativeOf(a, name, w);
      if (typeof info === 'string') throw new CheckUsageError(info);
      out.push({ kind: 'derivative', info, range: info.range, synthesized: true });
    }
  }
  return out;
}
