// Completion items for a position: what may be written there. In an expression: the declared names with their
// shapes, the built-in functions with signatures and result shapes, and the derivative forms; at the start of
// a line also `dim` and `check`; after the `:` of a declaration the types; inside `vector[…]` the dimensions.

import type { Analysis } from '../analyze.ts';
import { formatShape } from '../shape.ts';
import { callables, type Callable } from './builtins.ts';
import { nameIndex, type DeclaredName } from './names.ts';

export type CompletionKind = 'variable' | 'definition' | 'dimension' | 'function' | 'derivative' | 'keyword' | 'type';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  /** One line shown beside the label: a shape or a signature. */
  detail: string;
  /** Markdown. */
  documentation?: string;
  /** VS Code snippet syntax (`${1:f}`); the label is inserted when absent. */
  snippet?: string;
}

const NAME = String.raw`(?:[\p{L}_][\p{L}\p{N}_]*)`;
const TYPE_POSITION = new RegExp(String.raw`^\s*${NAME}(?:\s*,\s*${NAME})*\s*:\s*${NAME}?$`, 'u');
const DIM_POSITION = new RegExp(String.raw`^\s*${NAME}(?:\s*,\s*${NAME})*\s*:\s*(?:vector|matrix)\s*\[[^\]]*$`, 'u');
const LINE_START = new RegExp(String.raw`^\s*${NAME}?$`, 'u');

const TYPES: CompletionEntry[] = [
  { label: 'scalar', kind: 'type', detail: 'a number' },
  { label: 'vector', kind: 'type', detail: 'vector[n]: a column of n numbers', snippet: 'vector[${1:n}]' },
  { label: 'matrix', kind: 'type', detail: 'matrix[m, n]: m rows, n columns', snippet: 'matrix[${1:m}, ${2:n}]' },
];

const STATEMENT_KEYWORDS: CompletionEntry[] = [
  { label: 'dim', kind: 'keyword', detail: 'dim n, m — declare dimensions', snippet: 'dim ${1:n}' },
  { label: 'layout', kind: 'keyword', detail: 'layout numerator | denominator — the Jacobian layout of this document', snippet: 'layout ${1|numerator,denominator|}', documentation: 'Wins over the mcalc.layout setting and --layout: write it when the claims depend on the layout.' },
  { label: 'check', kind: 'keyword', detail: 'check d(f)/d(x) = formula — a hand-derived result to verify', snippet: 'check d(${1:f})/d(${2:x}) = ${3:formula}', documentation: 'Checked against the engine and central finite differences (as you type, and with the Check command).' },
];

export function completionsAt(a: Analysis, offset: number): CompletionEntry[] {
  const line = a.lines.positionAt(offset).line;
  const prefix = a.text.slice(a.lines.lineStart(line), offset);
  if (prefix.includes('#') || /^\s*dim\b/.test(prefix)) return [];
  const names = [...nameIndex(a).names.values()];
  if (DIM_POSITION.test(prefix)) return names.filter((n) => n.kind === 'dimension').map(nameEntry);
  if (TYPE_POSITION.test(prefix)) return TYPES;
  const expression = [...names.map(nameEntry), ...[...callables().values()].map(callableEntry)];
  return LINE_START.test(prefix) ? [...STATEMENT_KEYWORDS, ...expression] : expression;
}

function nameEntry(n: DeclaredName): CompletionEntry {
  if (n.kind === 'dimension') return { label: n.name, kind: 'dimension', detail: 'dimension (its size, as a scalar, in expressions)' };
  const shape = n.shape ? formatShape(n.shape) : 'shape unknown (the definition has errors)';
  if (n.kind === 'variable') return { label: n.name, kind: 'variable', detail: shape, documentation: `\`${n.name} : ${shape}\` — a declared variable` };
  return { label: n.name, kind: 'definition', detail: shape, documentation: `\`${n.name} = ${n.definedAs}\`` };
}

function callableEntry(c: Callable): CompletionEntry {
  const shapes = c.resultShapes.map((s) => `- ${s}`).join('\n');
  const documentation = `${c.aliasOf ? `Alias of \`${c.aliasOf}\`. ` : ''}${c.doc}\n\nResult shapes:\n${shapes}`;
  const snippet = c.name === 'd' ? 'd(${1:f})/d(${2:x})' : `${c.name}(${c.parameters.map((p, i) => `\${${i + 1}:${p}}`).join(', ')})`;
  return { label: c.name === 'd' ? 'd(f)/d(x)' : c.name, kind: c.derivativeForm ? 'derivative' : 'function', detail: c.signature, documentation, snippet };
}
