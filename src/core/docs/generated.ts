// The parts of docs/language.md and of the grammar (syntaxes/mcalc.tmLanguage.json) that are generated from
// the operator registry by `npm run docs`, so a new operator's entry is all a contributor writes: the function
// table between the markers, and the names each `support.function.<highlight>.mcalc` pattern matches.
// A test fails when the committed files are out of date.

import { ALL_OPS } from '../ops/registry.ts';
import type { SurfaceFunction } from '../ops/types.ts';

export const TABLE_START = '<!-- functions: generated from the operator registry by `npm run docs`; do not edit by hand -->';
export const TABLE_END = '<!-- /functions -->';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The table's order: functions first, then reductions, matrix functions and products. */
const FAMILY_ORDER = ['element-wise functions', 'reductions', 'matrix functions', 'products'];

/** The function table of docs/language.md: every surface function with its aliases, description and domain. */
export function renderFunctionTable(): string {
  const rank = (family: string) => (FAMILY_ORDER.indexOf(family) + FAMILY_ORDER.length + 1) % (FAMILY_ORDER.length + 1);
  const ops = [...ALL_OPS].sort((p, q) => rank(p.family) - rank(q.family));
  const rows = ops.flatMap((def) => {
    const f = def.syntax;
    if (!f) return [];
    const aliases = f.aliases?.length ? ` (also ${f.aliases.map((a) => `\`${a}\``).join(', ')})` : '';
    return [`| \`${cell(f.signature)}\`${aliases} | ${cell(f.doc)} | ${def.domain ? cell(def.domain.text) : 'everywhere'} |`];
  });
  return [TABLE_START, '', '| function | what it is | defined for |', '|---|---|---|', ...rows, '', TABLE_END].join('\n');
}

/** docs/language.md with its function table regenerated. */
export function withFunctionTable(markdown: string): string {
  const start = markdown.indexOf(TABLE_START);
  const end = markdown.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error('docs/language.md has no function table markers');
  return markdown.slice(0, start) + renderFunctionTable() + markdown.slice(end + TABLE_END.length);
}

/** The surface names of each highlight scope, in registry order. */
export function highlightNames(): Map<SurfaceFunction['highlight'], string[]> {
  const out = new Map<SurfaceFunction['highlight'], string[]>();
  for (const def of ALL_OPS) {
    const f = def.syntax;
    if (!f) continue;
    const names = out.get(f.highlight) ?? [];
    names.push(f.name, ...(f.aliases ?? []));
    out.set(f.highlight, names);
  }
  return out;
}

/** The grammar's text with each built-in scope's pattern matching exactly the registry's names. */
export function withGrammarNames(grammar: string): string {
  let out = grammar;
  for (const [scope, names] of highlightNames()) {
    const rule = new RegExp(`("match": ")\\(\\?:[^)]*\\)(\\(\\?!\\[A-Za-z0-9_₀-₉\\\\\\\\p\\{Greek\\}\\]\\)",\\s*"name": "support\\.function\\.${scope}\\.mcalc")`);
    if (!rule.test(out)) throw new Error(`the grammar has no support.function.${scope}.mcalc pattern`);
    out = out.replace(rule, (_m, head: string, tail: string) => `${head}(?:${names.join('|')})${tail}`);
  }
  return out;
}
