// Semantic classification of names by shape, so that themes can follow the paper's convention (bold vectors,
// capital — here: distinct — matrices, plain scalars). The token types are declared in package.json.

import type { Analysis } from '../analyze.ts';
import type { Shape } from '../shape.ts';
import { completed, type Steps } from '../steps.ts';
import { nameIndexSteps, type DeclaredName } from './names.ts';

export const SEMANTIC_TOKEN_TYPES = ['scalar', 'vector', 'matrix', 'dimension'] as const;
export type SemanticTokenType = (typeof SEMANTIC_TOKEN_TYPES)[number];
export const SEMANTIC_TOKEN_MODIFIERS = ['declaration'] as const;

/** Integers per token in the editor's encoding (LSP's): Δline, Δstart (or start on a new line), length, type, modifiers. */
const TOKEN = 5;
const DECLARATION = 1 << SEMANTIC_TOKEN_MODIFIERS.indexOf('declaration');

const SHAPE_TYPE: Record<Shape['kind'], SemanticTokenType> = { scalar: 'scalar', vector: 'vector', row: 'vector', matrix: 'matrix' };

/** A name's token type (its index in SEMANTIC_TOKEN_TYPES), or -1 when its shape is not known. */
function typeOf(n: DeclaredName): number {
  const type = n.kind === 'dimension' ? 'dimension' : n.shape && SHAPE_TYPE[n.shape.kind];
  return type ? SEMANTIC_TOKEN_TYPES.indexOf(type) : -1;
}

/**
 * One token per occurrence of a name whose shape is known, in document order, encoded as the editor takes them
 * (relative to the token before: an edit changes the tokens of its lines and the first one after them).
 * `realLine` maps a line of the analysed text to the document's (Markdown: the blocks' lines).
 */
export function semanticTokens(a: Analysis, realLine: (line: number) => number = (line) => line): Uint32Array {
  return completed(semanticTokensSteps(a, realLine));
}

/** `semanticTokens` in steps (see steps.ts): the editor makes a long document's in slices. */
export function* semanticTokensSteps(a: Analysis, realLine: (line: number) => number = (line) => line): Steps<Uint32Array> {
  const { names, occurrences } = yield* nameIndexSteps(a);
  const { lines } = a;
  /** Per name: its token type and where it is declared (computed once per name, not per occurrence). */
  const info = new Map<string, { type: number; declaredAt: number }>();
  const data = new Uint32Array(occurrences.length * TOKEN);
  let n = 0;
  let line = 0;
  let nextLine = lines.lineCount > 1 ? lines.lineStart(1) : Infinity;
  let [lastLine, lastCharacter] = [0, 0];
  for (let k = 0; k < occurrences.length; k++) {
    if (k % 4096 === 4095) yield;
    const o = occurrences[k];
    let i = info.get(o.name);
    if (!i) {
      const declared = names.get(o.name)!;
      info.set(o.name, (i = { type: typeOf(declared), declaredAt: lines.offsetAt(declared.declaration.start) }));
    }
    if (i.type < 0) continue;
    // Occurrences come in document order: the line only moves forward.
    while (o.start >= nextLine) nextLine = ++line + 1 < lines.lineCount ? lines.lineStart(line + 1) : Infinity;
    const real = realLine(line);
    const character = o.start - lines.lineStart(line);
    data[n++] = real - lastLine;
    data[n++] = real === lastLine ? character - lastCharacter : character;
    data[n++] = o.end - o.start;
    data[n++] = i.type;
    data[n++] = o.start === i.declaredAt ? DECLARATION : 0;
    [lastLine, lastCharacter] = [real, character];
  }
  return data.slice(0, n);
}
