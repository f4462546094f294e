// The names a command line gives (`--of`, `--wrt`) checked against the document: the message when one names
// nothing suitable — a variable where a definition is wanted, or the other way round, or a misspelling — with
// the name it most likely meant, as the document's own diagnostics do.

import type { Analysis } from './analyze.ts';
import { closestName } from './suggest.ts';

/** Why `name` is not a definition of `a` (with what it is, or the closest definition), or undefined if it is one. */
export function notADefinition(a: Analysis, name: string): string | undefined {
  if (a.definition(name)) return undefined;
  if (a.variable(name)) return `'${name}' is a variable, not a definition.`;
  return `There is no definition named '${name}'${suggestion(name, a.definitions.map((d) => d.name), 'definitions')}`;
}

/** Why `name` is not a variable of `a` (with what it is, or the closest variable), or undefined if it is one. */
export function notAVariable(a: Analysis, name: string): string | undefined {
  if (a.variable(name)) return undefined;
  const variables = a.variables.map((v) => v.name);
  const listed = variables.length ? ` (variables: ${variables.join(', ')})` : '';
  if (a.definition(name)) return `'${name}' is a definition, not a variable: derivatives are taken with respect to declared variables${listed}.`;
  return `There is no variable named '${name}'${suggestion(name, variables, 'variables')}`;
}

/** The end of the sentence: "; did you mean 'loss'?" when a name is close, else the names there are. */
function suggestion(name: string, names: readonly string[], what: string): string {
  const close = closestName(name, names);
  if (close) return `; did you mean '${close}'?`;
  return names.length ? ` (${what}: ${names.join(', ')}).` : '.';
}
