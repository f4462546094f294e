// Rename: every occurrence of a declared name, refused (with the reason) when the new name would change what
// the document means — a reserved word, a built-in function, a name already in use. Rather than repeat the
// analysis's rules, the renamed text is analysed and any new error is the reason.

import { analyze, type Analysis } from '../analyze.ts';
import { tokenize } from '../lexer.ts';
import type { Range, TextEdit } from '../source.ts';
import { nameIndex, occurrenceAt } from './names.ts';

export type RenameTarget = { name: string; range: Range } | { error: string };
export type RenameResult = { edits: TextEdit[] } | { error: string };

/** The name under the cursor, if it can be renamed. */
export function renameTarget(a: Analysis, offset: number): RenameTarget {
  const o = occurrenceAt(a, offset);
  if (!o) return { error: 'Only declared names (dimensions, variables and definitions) can be renamed.' };
  return { name: o.name, range: a.lines.range(o.start, o.end) };
}

export function renameEdits(a: Analysis, offset: number, newName: string): RenameResult {
  const target = renameTarget(a, offset);
  if ('error' in target) return target;
  const tokens = tokenize(newName);
  if (tokens.length !== 2 || tokens[0].kind !== 'name' || tokens[0].text !== newName) {
    return { error: `'${newName}' is not a name: a name starts with a letter or _ and goes on with letters, digits or _.` };
  }
  if (newName === target.name) return { edits: [] };
  if (nameIndex(a).names.has(newName)) return { error: `'${newName}' is already declared in this document.` };
  const occurrences = nameIndex(a).occurrences.filter((o) => o.name === target.name);
  let renamed = '';
  let from = 0;
  for (const o of occurrences) {
    renamed += a.text.slice(from, o.start) + newName;
    from = o.end;
  }
  renamed += a.text.slice(from);
  const problem = newError(a, analyze(renamed, { layout: a.layout }));
  if (problem) return { error: `Renaming '${target.name}' to '${newName}' would break the document: ${problem}` };
  return { edits: occurrences.map((o) => ({ range: a.lines.range(o.start, o.end), newText: newName })) };
}

/** The first error of `after` whose kind `before` does not have as often. */
function newError(before: Analysis, after: Analysis): string | undefined {
  const count = new Map<string, number>();
  for (const d of before.diagnostics) if (d.severity === 'error') count.set(d.code, (count.get(d.code) ?? 0) + 1);
  for (const d of after.diagnostics) {
    if (d.severity !== 'error') continue;
    const left = count.get(d.code) ?? 0;
    if (left === 0) return d.message;
    count.set(d.code, left - 1);
  }
  return undefined;
}
