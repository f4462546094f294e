// The difference between two encodings of a document's semantic tokens as one splice, so that after an edit the
// editor receives only the tokens that changed (provideDocumentSemanticTokensEdits) instead of all of them.
// Tokens are encoded relative to the one before (5 integers each: Δline, Δstart or start, length, type,
// modifiers), so an edit that inserts or removes lines changes the tokens it touches and the first one after
// it, and the rest of the encoding stays equal. Pure (no `vscode` import), unit-tested with node:test.

/** Integers per token in VS Code's semantic-token encoding. */
const TOKEN = 5;

export interface TokenSplice {
  /** Index into the previous data where the splice starts (a multiple of 5). */
  start: number;
  deleteCount: number;
  /** What replaces the deleted integers. */
  data: Uint32Array;
}

/** The single splice (common prefix and suffix kept, whole tokens only) that turns `previous` into `next`. */
export function tokenSplice(previous: Uint32Array, next: Uint32Array): TokenSplice {
  const shorter = Math.min(previous.length, next.length);
  let prefix = 0;
  while (prefix < shorter && previous[prefix] === next[prefix]) prefix++;
  prefix -= prefix % TOKEN;
  let suffix = 0;
  while (suffix < shorter - prefix && previous[previous.length - 1 - suffix] === next[next.length - 1 - suffix]) suffix++;
  suffix -= suffix % TOKEN;
  return { start: prefix, deleteCount: previous.length - prefix - suffix, data: next.slice(prefix, next.length - suffix) };
}
