// Tokens of the mcalc language. Unicode spellings are folded into one canonical kind per operator,
// so the parser never sees `⊗` and `.*` as different things.
//
// The lexer reads character codes, not one-character strings, and gives operators their text from a table:
// every keystroke tokenizes the edited line, and a full analysis the whole document, so it allocates only the
// tokens and the texts of names and numbers.

export type TokenKind =
  | 'number'
  | 'name'
  | '+' | '-' | '*' | '/' | '^'
  | 'hadamard' // ⊗ .*
  | 'ediv' // ⊘ ./
  | 'epow' // .^ (element-wise power with a non-scalar exponent)
  | 'dot' // · ⋅
  | 'transpose' // ' ᵀ ^T
  | 'partial' // ∂
  | 'inverse' // ⁻¹
  | 'inverseTranspose' // ⁻ᵀ
  | 'glyph' // 𝟎 𝟏 𝐈 𝐞₁ 𝐞_j: constants written with their size, e.g. 𝟏[n]
  | '>' | '<' | '>=' | '<='
  | '=' | ',' | ':' | ';' | '(' | ')' | '[' | ']'
  | 'newline'
  | 'invalid'
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  /** Parsed value for numbers (undefined for the other kinds: every token has the same fields). */
  value: number | undefined;
}

const SINGLE: Record<string, TokenKind> = {
  '+': '+', '-': '-', '−': '-', '*': '*', '×': '*', '/': '/', '^': '^',
  '⊗': 'hadamard', '⊙': 'hadamard', '⊘': 'ediv', '·': 'dot', '⋅': 'dot', '∙': 'dot',
  "'": 'transpose', 'ᵀ': 'transpose', '∂': 'partial',
  '>': '>', '<': '<', '≥': '>=', '≤': '<=',
  '=': '=', ',': ',', ':': ':', ';': ';', '(': '(', ')': ')', '[': '[', ']': ']',
  '𝟎': 'glyph', '𝟏': 'glyph',
};

/** The kind and text of each one-character ASCII operator, by character code. */
const ASCII_KIND: (TokenKind | undefined)[] = [];
const ASCII_TEXT: string[] = [];
for (const [text, kind] of Object.entries(SINGLE)) {
  if (text.length === 1 && text.charCodeAt(0) < 128) {
    ASCII_KIND[text.charCodeAt(0)] = kind;
    ASCII_TEXT[text.charCodeAt(0)] = text;
  }
}

/** Bold letters that are constants rather than names: the identity 𝐈 and unit vectors 𝐞₁, 𝐞₂, …, 𝐞_j. */
const GLYPH_NAME = /^(?:𝐈|𝐞(?:[₀-₉]+|_[\p{L}\p{N}]+))$/u;

const NAME_START = /[\p{L}_]/u;
const NAME_PART = /[\p{L}\p{N}_]/u;
/** Letters that are operators, not name characters. */
const NOT_NAME = new Set(['ᵀ']);

const TRANSPOSE = 0x1d40; // ᵀ
const SUPERSCRIPT_MINUS = 0x207b; // ⁻
const SUPERSCRIPT_ONE = 0xb9; // ¹

export function isNameStart(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return isAsciiNameStart(c);
  return NAME_START.test(ch) && !NOT_NAME.has(ch);
}
export function isNamePart(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return isAsciiNameStart(c) || isDigit(c);
  return NAME_PART.test(ch) && !NOT_NAME.has(ch);
}

function isAsciiNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Whether the code point at text[j] continues a name. */
function continuesName(text: string, j: number): boolean {
  const c = text.charCodeAt(j);
  if (c < 128) return isAsciiNameStart(c) || isDigit(c);
  return isNamePart(String.fromCodePoint(text.codePointAt(j)!));
}

function token(kind: TokenKind, text: string, start: number, end: number, value?: number): Token {
  return { kind, text, start, end, value };
}

/**
 * Tokenizes text[from, to) (offsets stay absolute); never throws. Comments (`#` to end of line) are dropped.
 * The last token is `eof` at `to`.
 */
export function tokenize(text: string, from = 0, to = text.length): Token[] {
  const tokens: Token[] = [];
  let i = from;
  const n = to;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      tokens.push(token('newline', '\n', i, i + 1));
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 0xa0) {
      i++;
      continue;
    }
    if (c === 35) {
      // `#`: a comment to the end of the line.
      while (i < n && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    if (isDigit(c) || (c === 46 && i + 1 < n && isDigit(text.charCodeAt(i + 1)))) {
      const end = numberEnd(text, i, n);
      const lit = text.slice(i, end);
      tokens.push(token('number', lit, i, end, Number(lit)));
      i = end;
      continue;
    }
    if (c < 128) {
      if (isAsciiNameStart(c)) {
        i = name(text, i, i + 1, n, tokens);
        continue;
      }
      const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
      const two = twoCharacterKind(c, next, text, i, n);
      if (two) {
        tokens.push(token(two, text.slice(i, i + 2), i, i + 2));
        i += 2;
        continue;
      }
      const kind = ASCII_KIND[c];
      tokens.push(token(kind ?? 'invalid', kind ? ASCII_TEXT[c] : text[i], i, i + 1));
      i++;
      continue;
    }
    if (c === SUPERSCRIPT_MINUS && i + 1 < n) {
      const after = text.charCodeAt(i + 1);
      if (after === SUPERSCRIPT_ONE || after === TRANSPOSE) {
        tokens.push(token(after === SUPERSCRIPT_ONE ? 'inverse' : 'inverseTranspose', text.slice(i, i + 2), i, i + 2));
        i += 2;
        continue;
      }
    }
    const full = String.fromCodePoint(text.codePointAt(i)!);
    if (isNameStart(full)) {
      i = name(text, i, i + full.length, n, tokens);
      continue;
    }
    const kind = SINGLE[full];
    tokens.push(token(kind ?? 'invalid', full, i, i + full.length));
    i += full.length;
  }
  tokens.push(token('eof', '', n, n));
  return tokens;
}

/** The kind of the two-character operator at text[i] (`.*`, `./`, `.^`, `>=`, `<=`, `^T`), if it is one. */
function twoCharacterKind(c: number, next: number, text: string, i: number, n: number): TokenKind | undefined {
  if (c === 46) return next === 42 ? 'hadamard' : next === 47 ? 'ediv' : next === 94 ? 'epow' : undefined; // .* ./ .^
  if (next === 61 && (c === 62 || c === 60)) return c === 62 ? '>=' : '<='; // >= <=
  // `^T` is a transpose unless the T starts a longer name (`x^Tau`).
  if (c === 94 && next === 84 && !(i + 2 < n && continuesName(text, i + 2))) return 'transpose';
  return undefined;
}

/** Reads the name that starts at text[start] and continues from `from`; pushes its token and returns its end. */
function name(text: string, start: number, from: number, n: number, tokens: Token[]): number {
  let j = from;
  while (j < n) {
    const code = text.charCodeAt(j);
    if (code < 128) {
      if (isAsciiNameStart(code) || isDigit(code)) {
        j++;
        continue;
      }
      break;
    }
    const c = String.fromCodePoint(text.codePointAt(j)!);
    if (!isNamePart(c)) break;
    j += c.length;
  }
  const word = text.slice(start, j);
  // 0xd835 starts every Mathematical Alphanumeric Symbol (𝐈, 𝐞): a cheap test before the pattern.
  const glyph = word.charCodeAt(0) === 0xd835 && GLYPH_NAME.test(word);
  tokens.push(token(glyph ? 'glyph' : 'name', word, start, j));
  return j;
}

/**
 * Where the number starting at text[i] ends: digits, a fraction (`1.5`, `.5`, or `1.` unless an element-wise
 * operator follows: `1.*x`), and an exponent (`1e-3`).
 */
function numberEnd(text: string, i: number, n: number): number {
  let j = i;
  while (j < n && isDigit(text.charCodeAt(j))) j++;
  if (j < n && text.charCodeAt(j) === 46) {
    const after = j + 1 < n ? text.charCodeAt(j + 1) : -1;
    if (isDigit(after)) {
      j += 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
    } else if (j > i && after !== 42 && after !== 47 && after !== 94) {
      j += 1; // `1.`
    }
  }
  if (j < n && (text.charCodeAt(j) === 101 || text.charCodeAt(j) === 69)) {
    let k = j + 1;
    if (k < n && (text.charCodeAt(k) === 43 || text.charCodeAt(k) === 45)) k++;
    if (k < n && isDigit(text.charCodeAt(k))) {
      while (k < n && isDigit(text.charCodeAt(k))) k++;
      j = k;
    }
  }
  return j;
}
