// Tokens of the mcalc language. Unicode spellings are folded into one canonical kind per operator,
// so the parser never sees `⊗` and `.*` as different things.

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
  /** Parsed value for numbers. */
  value?: number;
}

const SINGLE: Record<string, TokenKind> = {
  '+': '+', '-': '-', '−': '-', '*': '*', '×': '*', '/': '/', '^': '^',
  '⊗': 'hadamard', '⊙': 'hadamard', '⊘': 'ediv', '·': 'dot', '⋅': 'dot', '∙': 'dot',
  "'": 'transpose', 'ᵀ': 'transpose', '∂': 'partial',
  '>': '>', '<': '<', '≥': '>=', '≤': '<=',
  '=': '=', ',': ',', ':': ':', ';': ';', '(': '(', ')': ')', '[': '[', ']': ']',
  '𝟎': 'glyph', '𝟏': 'glyph',
};

/** Bold letters that are constants rather than names: the identity 𝐈 and unit vectors 𝐞₁, 𝐞₂, …, 𝐞_j. */
const GLYPH_NAME = /^(?:𝐈|𝐞(?:[₀-₉]+|_[\p{L}\p{N}]+))$/u;

const NAME_START = /[\p{L}_]/u;
const NAME_PART = /[\p{L}\p{N}_]/u;
/** Letters that are operators, not name characters. */
const NOT_NAME = new Set(['ᵀ']);

export function isNameStart(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
  return NAME_START.test(ch) && !NOT_NAME.has(ch);
}
export function isNamePart(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
  return NAME_PART.test(ch) && !NOT_NAME.has(ch);
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
    const ch = text[i];
    if (ch === '\n') {
      tokens.push({ kind: 'newline', text: '\n', start: i, end: i + 1 });
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\u00a0') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (isDigit(ch) || (ch === '.' && i + 1 < n && isDigit(text[i + 1]))) {
      const m = /^(?:\d+\.\d+|\d+\.(?![*\/^])|\d+|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i, Math.min(n, i + 64)));
      const lit = m ? m[0] : ch;
      tokens.push({ kind: 'number', text: lit, start: i, end: i + lit.length, value: Number(lit) });
      i += lit.length;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const full = cp < 128 ? ch : String.fromCodePoint(cp);
    if (isNameStart(full)) {
      let j = i + full.length;
      while (j < n) {
        const code = text.charCodeAt(j);
        if (code < 128) {
          if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || (code >= 48 && code <= 57)) {
            j++;
            continue;
          }
          break;
        }
        const c = String.fromCodePoint(text.codePointAt(j)!);
        if (!isNamePart(c)) break;
        j += c.length;
      }
      const word = text.slice(i, j);
      // 0xd835 starts every Mathematical Alphanumeric Symbol (𝐈, 𝐞): a cheap test before the pattern.
      const glyph = word.charCodeAt(0) === 0xd835 && GLYPH_NAME.test(word);
      tokens.push({ kind: glyph ? 'glyph' : 'name', text: word, start: i, end: j });
      i = j;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '⁻¹' || two === '⁻ᵀ') {
      tokens.push({ kind: two === '⁻¹' ? 'inverse' : 'inverseTranspose', text: two, start: i, end: i + 2 });
      i += 2;
      continue;
    }
    if (two === '.*' || two === './' || two === '.^') {
      tokens.push({ kind: two === '.*' ? 'hadamard' : two === './' ? 'ediv' : 'epow', text: two, start: i, end: i + 2 });
      i += 2;
      continue;
    }
    if (two === '>=' || two === '<=') {
      tokens.push({ kind: two, text: two, start: i, end: i + 2 });
      i += 2;
      continue;
    }
    // `^T` is a transpose unless the T starts a longer name (`x^Tau`).
    if (two === '^T' && !(i + 2 < n && isNamePart(String.fromCodePoint(text.codePointAt(i + 2)!)))) {
      tokens.push({ kind: 'transpose', text: two, start: i, end: i + 2 });
      i += 2;
      continue;
    }
    const kind = SINGLE[full];
    tokens.push({ kind: kind ?? 'invalid', text: full, start: i, end: i + full.length });
    i += full.length;
  }
  tokens.push({ kind: 'eof', text: '', start: n, end: n });
  return tokens;
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}
