// Semantic classification of names by shape, so that themes can follow the paper's convention (bold vectors,
// capital — here: distinct — matrices, plain scalars). The token types are declared in package.json.

import type { Analysis } from '../analyze.ts';
import type { Shape } from '../shape.ts';
import { nameIndex, type DeclaredName } from './names.ts';

export const SEMANTIC_TOKEN_TYPES = ['scalar', 'vector', 'matrix', 'dimension'] as const;
export type SemanticTokenType = (typeof SEMANTIC_TOKEN_TYPES)[number];
export const SEMANTIC_TOKEN_MODIFIERS = ['declaration'] as const;

export interface SemanticToken {
  line: number;
  character: number;
  length: number;
  type: SemanticTokenType;
  /** The occurrence that declares or defines the name. */
  declaration: boolean;
}

function typeOf(n: DeclaredName): SemanticTokenType | undefined {
  if (n.kind === 'dimension') return 'dimension';
  return n.shape && SHAPE_TYPE[n.shape.kind];
}

const SHAPE_TYPE: Record<Shape['kind'], SemanticTokenType> = { scalar: 'scalar', vector: 'vector', row: 'vector', matrix: 'matrix' };

/** One token per occurrence of a name whose shape is known, in document order. */
export function semanticTokens(a: Analysis): SemanticToken[] {
  const { names, occurrences } = nameIndex(a);
  const out: SemanticToken[] = [];
  for (const o of occurrences) {
    const n = names.get(o.name)!;
    const type = typeOf(n);
    if (!type) continue;
    const start = a.lines.positionAt(o.start);
    const declaration = a.lines.offsetAt(n.declaration.start) === o.start;
    out.push({ line: start.line, character: start.character, length: o.end - o.start, type, declaration });
  }
  return out;
}
