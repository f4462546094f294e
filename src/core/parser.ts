// Line-oriented recursive-descent (Pratt) parser. One statement per line; an error abandons only its own
// line, so one bad line never hides the rest. Never throws.

import type { BinaryOp, ConstantExpr, DerivativeExpr, DimRef, Expr, LocalDefinition, NameRef, Span, Statement, TypeExpr } from './ast.ts';
import { tokenize, type Token, type TokenKind } from './lexer.ts';

export interface ParseProblem {
  span: Span;
  message: string;
  code: string;
  hint?: string;
}

export interface ParseResult {
  statements: Statement[];
  problems: ParseProblem[];
}

/** Deeper nesting than this is reported instead of risking the call stack. */
export const MAX_NESTING = 50_000;

const BINARY: Partial<Record<TokenKind, { op: BinaryOp; bp: number }>> = {
  '>': { op: '>', bp: 10 },
  '<': { op: '<', bp: 10 },
  '>=': { op: '>=', bp: 10 },
  '<=': { op: '<=', bp: 10 },
  '+': { op: '+', bp: 20 },
  '-': { op: '-', bp: 20 },
  '*': { op: '*', bp: 30 },
  '/': { op: '/', bp: 30 },
  hadamard: { op: 'hadamard', bp: 30 },
  ediv: { op: 'ediv', bp: 30 },
  dot: { op: 'dot', bp: 30 },
  '^': { op: '^', bp: 50 },
  epow: { op: 'epow', bp: 50 },
};
const UNARY_BP = 40;
/** Above every binary operator: parses an operand and its postfix transposes and indices only. */
const POSTFIX_BP = 55;

const DERIVATIVE_CALLS: Record<string, DerivativeExpr['form']> = {
  grad: 'grad',
  jacobian: 'jacobian',
  hessian: 'hessian',
};

class LineError extends Error {
  constructor(readonly problem: ParseProblem) {
    super(problem.message);
  }
}

export function parse(text: string): ParseResult {
  const statements: Statement[] = [];
  const problems: ParseProblem[] = [];
  // Line by line: each line's tokens are short-lived, which keeps the garbage collector's work small.
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = parseLine(text, start, end);
    start = end + 1;
    if (line.statement) statements.push(line.statement);
    if (line.problem) problems.push(line.problem);
  }
  return { statements, problems };
}

/** The statement on the line text[start, end) (without its newline), or its problem; neither for a blank line. */
export function parseLine(text: string, start: number, end: number): { statement?: Statement; problem?: ParseProblem } {
  const line = tokenize(text, start, end);
  if (line.length <= 1) return {};
  try {
    return { statement: new LineParser(line).statement() };
  } catch (e) {
    if (e instanceof LineError) return { problem: e.problem };
    throw e;
  }
}

/** Parses a single expression (used for `mcalc eval --expr`). */
export function parseExpression(text: string): { expr?: Expr; problems: ParseProblem[] } {
  const tokens = tokenize(text).filter((t) => t.kind !== 'newline');
  try {
    const p = new LineParser(tokens);
    const expr = p.expression(0);
    p.expectEnd();
    return { expr, problems: [] };
  } catch (e) {
    if (e instanceof LineError) return { problems: [e.problem] };
    throw e;
  }
}

class LineParser {
  private pos = 0;
  private depth = 0;
  /** > 0 while parsing an exponent: `x^2ᵀ` transposes x^2, as in MATLAB, not the 2. */
  private inExponent = 0;
  /**
   * The name references read so far, in source order: the nodes of the tree itself (a definition keeps the list
   * of its expression's, which the dependency order and the patch read without walking the tree).
   */
  private readonly refs: NameRef[] = [];
  constructor(private readonly toks: Token[]) {}

  /** The references made since the last call, from the next one on (an exact-size copy: definitions keep it). */
  private takeRefs(): NameRef[] {
    const refs = this.refs.slice();
    this.refs.length = 0;
    return refs;
  }

  private peek(k = 0): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)];
  }
  private next(): Token {
    const t = this.peek();
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  private fail(t: Token | Span, message: string, code = 'syntax', hint?: string): never {
    const span = 'kind' in t ? spanOfToken(t) : t;
    throw new LineError({ span, message, code, ...(hint ? { hint } : {}) });
  }
  private expect(kind: TokenKind, what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(t, `Expected ${what} but found ${describe(t)}.`);
    return this.next();
  }
  expectEnd(): void {
    const t = this.peek();
    if (t.kind === 'invalid') this.fail(t, `Unexpected character '${t.text}'.`, 'invalid-character');
    if (t.kind === 'name' && t.text === 'where') this.fail(t, 'Only a claim can end in a where-clause.', 'syntax', 'Write `check d(f)/d(x) = u₁ * xᵀ   where u₁ = …`, or give the part its own definition.');
    if (t.kind !== 'eof') {
      const hint = t.kind === '(' || t.kind === 'name' || t.kind === 'number' ? 'Write `*` between factors: implicit multiplication is not supported.' : undefined;
      this.fail(t, `Unexpected ${describe(t)} after the end of the expression.`, 'syntax', hint);
    }
  }

  statement(): Statement {
    const first = this.peek();
    const start = first.start;
    const end = this.toks[this.toks.length - 1].start;
    if (first.kind === 'name' && first.text === 'dim' && this.peek(1).kind === 'name') {
      this.next();
      const names = this.nameList();
      this.expectEnd();
      return { kind: 'dim', start, end: lastEnd(this.toks), names };
    }
    // `layout` followed by a word: a name followed by `=` or `:` is still a definition or declaration.
    if (first.kind === 'name' && first.text === 'layout' && this.peek(1).kind === 'name') {
      this.next();
      const word = this.next();
      if (word.text !== 'numerator' && word.text !== 'denominator') {
        this.fail(word, `'${word.text}' is not a layout.`, 'unknown-layout', 'Write `layout numerator` or `layout denominator`.');
      }
      this.expectEnd();
      return { kind: 'layout', start, end: lastEnd(this.toks), keywordSpan: spanOfToken(first), layout: word.text, valueSpan: spanOfToken(word) };
    }
    if (first.kind === 'name' && first.text === 'check') {
      this.next();
      const left = this.expression(0);
      if (this.peek().kind !== '=') this.fail(this.peek(), `Expected \`=\` in the claim but found ${describe(this.peek())}.`, 'syntax', 'A claim reads `check d(f)/d(x) = <your formula>`.');
      this.next();
      const right = this.expression(0);
      const where = this.whereClause();
      this.expectEnd();
      return { kind: 'claim', start, end: lastEnd(this.toks), keywordSpan: spanOfToken(first), left, right, ...(where ? { where } : {}) };
    }
    if (first.kind === 'name' && (this.peek(1).kind === ',' || this.peek(1).kind === ':')) {
      const names = this.nameList();
      this.expect(':', '`:` and a type');
      const type = this.type();
      this.expectEnd();
      return { kind: 'declare', start, end: lastEnd(this.toks), names, type };
    }
    if (first.kind === 'name' && this.peek(1).kind === '=') {
      this.next();
      this.next();
      if (this.peek().kind === 'eof') this.fail(this.peek(), `The definition of '${first.text}' has no expression after \`=\`.`);
      const expr = this.expression(0);
      this.expectEnd();
      return { kind: 'define', start, end: lastEnd(this.toks), name: { name: first.text, start: first.start, end: first.end }, expr, refs: this.takeRefs() };
    }
    return this.fail(
      { start, end: Math.max(end, first.end) },
      'Expected a declaration, a definition, `dim`, `layout` or `check` here.',
      'statement',
      'Write `x: vector[n]` to declare, `z = w · x + b` to define, `dim n` for a dimension, `layout denominator` for the layout, or `check d(f)/d(x) = …` for a claim.',
    );
  }

  /** `where u₁ = …; u₂ = …` after a claim's formula (how mcalc prints shared parts), or undefined. */
  private whereClause(): LocalDefinition[] | undefined {
    const keyword = this.peek();
    if (keyword.kind !== 'name' || keyword.text !== 'where') return undefined;
    this.next();
    const hint = 'Write `where u₁ = …; u₂ = …`.';
    const defs: LocalDefinition[] = [];
    for (;;) {
      const name = this.peek();
      if (name.kind !== 'name' || this.peek(1).kind !== '=') this.fail(name, `Expected a name and \`=\` in the where-clause but found ${describe(name)}.`, 'syntax', hint);
      this.next();
      this.next();
      this.takeRefs();
      defs.push({ name: { name: name.text, start: name.start, end: name.end }, expr: this.expression(0), refs: this.takeRefs() });
      if (this.peek().kind !== ';') return defs;
      this.next();
    }
  }

  private nameList(): NameRef[] {
    const names: NameRef[] = [];
    for (;;) {
      const t = this.expect('name', 'a name');
      names.push({ name: t.text, start: t.start, end: t.end });
      if (this.peek().kind !== ',') return names;
      this.next();
    }
  }

  private type(): TypeExpr {
    const t = this.peek();
    if (t.kind === 'name' && t.text === 'scalar') {
      this.next();
      return { kind: 'scalar', start: t.start, end: t.end };
    }
    if (t.kind === 'name' && (t.text === 'vector' || t.text === 'matrix')) {
      this.next();
      const sizes = t.text === 'vector' ? 'vector[n]' : 'matrix[m, n]';
      if (this.peek().kind !== '[') this.fail(this.peek(), `\`${t.text}\` needs its size in brackets.`, 'syntax', `Write \`${sizes}\`.`);
      this.next();
      const first = this.dim();
      if (t.text === 'vector') {
        if (this.peek().kind === ',') this.fail(this.peek(), 'A vector has one size.', 'syntax', 'Use `matrix[m, n]` for two sizes.');
        const close = this.expect(']', '`]`');
        return { kind: 'vector', start: t.start, end: close.end, size: first };
      }
      this.expect(',', '`,` and the number of columns');
      const second = this.dim();
      const close = this.expect(']', '`]`');
      return { kind: 'matrix', start: t.start, end: close.end, rows: first, cols: second };
    }
    return this.fail(t, `Expected a type (\`scalar\`, \`vector[n]\` or \`matrix[m, n]\`) but found ${describe(t)}.`, 'syntax');
  }

  private dim(): DimRef {
    const t = this.next();
    if (t.kind === 'name') return { kind: 'name', name: t.text, start: t.start, end: t.end };
    if (t.kind === 'number' && Number.isInteger(t.value) && t.value! >= 1 && /^\d+$/.test(t.text)) {
      return { kind: 'literal', value: t.value!, start: t.start, end: t.end };
    }
    return this.fail(t, `A size must be a dimension name or a positive integer, not ${describe(t)}.`, 'bad-size');
  }

  /**
   * An expression, parsed with an explicit stack of frames (a Pratt parser turned inside out): nesting is bounded
   * by memory, not by the call stack (a depth-1,000 nest must parse), and costs one small frame, not a generator
   * per sub-expression. Each frame is a construct waiting for an expression inside it; a step is either a finished
   * expression, handed to the frame below, or a request to open a new expression above it. `fresh` marks a
   * bracketed context (parentheses, arguments, elements, indices), where a transpose belongs to the bracketed
   * expression even inside an exponent.
   */
  expression(minBp: number, fresh = false): Expr {
    const frames: Frame[] = [];
    let step: Expr | Request = new Request(minBp, fresh);
    for (;;) {
      if (step instanceof Request) {
        step = this.open(frames, step.minBp, step.fresh);
        continue;
      }
      const next = this.resume(frames[frames.length - 1], step);
      if (next instanceof Request) {
        step = next;
        continue;
      }
      // The frame is finished: its expression goes to the frame below.
      frames.pop();
      if (!frames.length) return next;
      step = next;
    }
  }

  /** Opens an expression: its frame, then its first operand (a lone number or name is read at once). */
  private open(frames: Frame[], minBp: number, fresh: boolean): Expr | Request {
    if (++this.depth > MAX_NESTING) this.fail(this.peek(), 'This expression is nested too deeply to analyse.', 'too-deep');
    frames.push({ kind: 'expression', minBp, savedExponent: this.inExponent, left: undefined, awaiting: 'first', comparisons: 0, op: undefined });
    if (fresh) this.inExponent = 0;
    const first = this.peek();
    if (first.kind === 'number' || (first.kind === 'name' && this.peek(1).kind !== '(')) {
      this.next();
      return this.leaf(first);
    }
    return this.operand(frames);
  }

  /** The frame `f` goes on with the expression it waited for: done (an expression), or waiting again. */
  private resume(f: Frame, value: Expr): Expr | Request {
    switch (f.kind) {
      case 'expression':
        return this.operators(f, value);
      case 'sign':
        return f.sign.kind === '+' ? value : { kind: 'neg', operand: value, start: f.sign.start, end: value.end };
      case 'group': {
        const close = this.expect(')', '`)`');
        // Widen the span so hovering the parentheses shows the parenthesised expression (in place: a name stays
        // the object its definition's references list).
        value.start = f.open.start;
        value.end = close.end;
        return value;
      }
      case 'vector':
        return this.vectorElement(f, value);
      case 'call':
        f.args.push(value);
        // (An exact-size copy: the tree keeps it, an array grown by pushing has room for 17.)
        if (this.peek().kind !== ',') return this.finishCall(f.name, f.args.slice());
        this.next();
        return new Request(0, true);
      case 'dForm':
        return this.finishDForm(f.d, value);
      case 'partial':
        return this.finishPartialForm(f.partial, value);
    }
  }

  /**
   * The Pratt loop of an expression frame, given the expression it waited for (its first operand, an index or a
   * right operand): postfix operators, then binary operators binding tighter than the frame's `minBp`.
   * Simple right operands (numbers and names) are read inline; any other opens an expression above the frame.
   */
  private operators(f: ExpressionFrame, value: Expr): Expr | Request {
    let left: Expr;
    if (f.awaiting === 'first') left = value;
    else if (f.awaiting === 'index') {
      const close = this.expect(']', '`]` after the index');
      left = { kind: 'index', target: f.left!, index: value, start: f.left!.start, end: close.end };
    } else {
      const { op, token, power } = f.op!;
      if (power) this.inExponent--;
      left = binary(op, token, f.left!, value);
    }
    for (;;) {
      const t = this.peek();
      if (t.kind === 'transpose' && this.inExponent === 0) {
        this.next();
        left = { kind: 'transpose', operand: left, start: left.start, end: t.end };
        continue;
      }
      if ((t.kind === 'inverse' || t.kind === 'inverseTranspose') && this.inExponent === 0) {
        this.next();
        left = inverse(left, t);
        continue;
      }
      if (t.kind === '[') {
        this.next();
        f.left = left;
        f.awaiting = 'index';
        return new Request(0, true);
      }
      if (t.kind === '(') this.fail(t, 'Write `*` between factors: implicit multiplication is not supported.', 'syntax');
      const info = BINARY[t.kind];
      if (!info || info.bp <= f.minBp) break;
      if (info.bp === 10 && (f.minBp === 10 || f.comparisons++ > 0)) this.fail(t, 'Comparisons cannot be chained.', 'syntax', 'Use parentheses, e.g. `(a > 0) ⊗ (b > 0)`.');
      this.next();
      // Powers (`^`, `.^`) are right-associative; the others are left-associative.
      const power = info.op === '^' || info.op === 'epow';
      const rightBp = power ? info.bp - 1 : info.bp;
      const right = this.simpleOperand(rightBp);
      if (!right) {
        if (power) this.inExponent++;
        f.left = left;
        f.awaiting = 'right';
        f.op = { op: info.op, token: t, power };
        return new Request(rightBp, false);
      }
      left = binary(info.op, t, left, right);
    }
    this.inExponent = f.savedExponent;
    this.depth--;
    return left;
  }

  /**
   * A right operand that is a lone number or name (nothing after it binds tighter than `minBp`), read without
   * opening an expression: most operands are like that.
   */
  private simpleOperand(minBp: number): Expr | undefined {
    const t = this.peek();
    const after = this.peek(1);
    if (t.kind !== 'number' && t.kind !== 'name') return undefined;
    if (after.kind === '(' || after.kind === '[' || after.kind === 'transpose' || after.kind === 'inverse' || after.kind === 'inverseTranspose') return undefined;
    const info = BINARY[after.kind];
    if (info && info.bp > minBp) return undefined;
    if (this.depth + 1 > MAX_NESTING) this.fail(t, 'This expression is nested too deeply to analyse.', 'too-deep');
    this.next();
    return this.leaf(t);
  }

  /** A number or a name as an expression (a name recorded as a reference). */
  private leaf(t: Token): Expr {
    if (t.kind === 'number') return { kind: 'number', value: t.value!, text: t.text, start: t.start, end: t.end };
    const ref = { kind: 'name' as const, name: t.text, start: t.start, end: t.end };
    this.refs.push(ref);
    return ref;
  }

  /** The variable a derivative form is taken with respect to, recorded as a reference. */
  private wrt(name: string, at: Span): NameRef {
    const ref = { name, start: at.start, end: at.end };
    this.refs.push(ref);
    return ref;
  }

  /**
   * Operands other than plain numbers and names: signs, groups, vector literals, calls, derivative forms. A
   * constant is read at once; the others push their frame and open the first expression inside them.
   */
  private operand(frames: Frame[]): Expr | Request {
    const t = this.next();
    switch (t.kind) {
      case '-':
      case '+':
        frames.push({ kind: 'sign', sign: t });
        return new Request(UNARY_BP, false);
      case 'name':
        // A name followed by `(`: a call, or the `d` of d(f)/d(x).
        this.expect('(', '`(`');
        if (t.text === 'd') {
          frames.push({ kind: 'dForm', d: t });
          return new Request(0, false);
        }
        if (this.peek().kind === ')') return this.finishCall(t, []);
        frames.push({ kind: 'call', name: t, args: [] });
        return new Request(0, true);
      case '(':
        frames.push({ kind: 'group', open: t });
        return new Request(0, true);
      case '[':
        if (this.peek().kind === ']') this.fail(this.peek(), 'A vector literal needs at least one element.');
        frames.push({ kind: 'vector', open: t, elements: [], separator: undefined });
        return new Request(0, true);
      case 'glyph':
        return this.constant(t);
      case 'partial':
        // Only postfix operators bind tighter than the `/` of ∂f/∂x.
        frames.push({ kind: 'partial', partial: t });
        return new Request(POSTFIX_BP, false);
      case 'eof':
        return this.fail(t, 'The expression ends too early.', 'syntax');
      case 'invalid':
        return this.fail(t, `Unexpected character '${t.text}'.`, 'invalid-character');
      default: {
        // `x ** 2`, as Python writes a power: the second `*` is where an operand was expected.
        const before = this.toks[this.toks.indexOf(t) - 1];
        const power = t.kind === '*' && before?.kind === '*' && before.end === t.start;
        return this.fail(t, `Expected an expression but found ${describe(t)}.`, 'syntax', power ? 'Powers are written x^2 (and x .^ y element by element).' : undefined);
      }
    }
  }

  /** An element of a vector literal `[a, b, c]` or `[xᵀ; yᵀ]`, and the separator after it. */
  private vectorElement(f: Extract<Frame, { kind: 'vector' }>, element: Expr): Expr | Request {
    f.elements.push(element);
    const sep = this.next();
    if (sep.kind === ']') return { kind: 'vector', elements: f.elements.slice(), start: f.open.start, end: sep.end, ...(f.separator === ';' ? { rows: true as const } : {}) };
    if (sep.kind !== ',' && sep.kind !== ';') this.fail(sep, `Expected \`,\`, \`;\` or \`]\` in the vector literal but found ${describe(sep)}.`);
    if (f.separator && sep.kind !== f.separator) this.fail(sep, 'A literal uses `,` between the scalars of a vector or `;` between rows, not both.', 'syntax', 'Write [a, b, c] for a vector, or [xᵀ; yᵀ] for a matrix with rows xᵀ and yᵀ.');
    f.separator = sep.kind;
    return new Request(0, true);
  }

  /** `𝟎[m, n]`, `𝟏[n]`, `𝐈[n]`, `𝐞₂[n]`: a constant and its size, in the brackets of the type syntax. */
  private constant(t: Token): ConstantExpr {
    const constant = t.text === '𝟎' ? 'zeros' : t.text === '𝟏' ? 'ones' : t.text === '𝐈' ? 'identity' : 'unit';
    const one = constant === 'identity' || constant === 'unit';
    const example = one ? `${t.text}[n]` : `${t.text}[n] or ${t.text}[m, n]`;
    if (this.peek().kind !== '[') this.fail(this.peek(), `${t.text} needs its size in brackets.`, 'syntax', `Write ${example}.`);
    this.next();
    const dims = [this.dim()];
    if (!one && this.peek().kind === ',') {
      this.next();
      dims.push(this.dim());
    }
    const close = this.expect(']', `\`]\` after the size of ${t.text} (${example})`);
    const index = constant === 'unit' ? unitIndex(t.text.slice('𝐞'.length)) : undefined;
    return { kind: 'constant', constant, ...(index !== undefined ? { index } : {}), dims, start: t.start, end: close.end };
  }


  /** The end of a call `name(args…)`: `grad`, `jacobian` and `hessian` are derivative forms. */
  private finishCall(name: Token, args: Expr[]): Expr {
    const close = this.expect(')', `\`)\` to close the call of ${name.text}`);
    const [start, end] = [name.start, close.end];
    const form = DERIVATIVE_CALLS[name.text];
    if (form) {
      if (args.length !== 2) this.fail({ start, end }, `${name.text}(f, x) takes 2 arguments, not ${args.length}.`, 'arity', `Write ${name.text}(f, x).`);
      const wrt = args[1];
      if (wrt.kind !== 'name') this.fail(wrt, `The second argument of ${name.text} must be the name of a declared variable.`, 'wrt-not-variable');
      // The argument is not part of the tree: the derivative's own reference stands for it.
      this.refs.pop();
      return { kind: 'derivative', form, syntax: 'call', of: args[0], wrt: this.wrt(wrt.name, wrt), start, end };
    }
    return { kind: 'call', callee: name.text, calleeSpan: spanOfToken(name), args, start, end };
  }

  /** The rest of `d(f)/d(x)` after f. */
  private finishDForm(d: Token, of: Expr): Expr {
    this.expect(')', '`)`');
    const hint = 'A derivative is written d(f)/d(x), ∂f/∂x or grad(f, x).';
    if (this.peek().kind !== '/') this.fail(this.peek(), 'd(…) must be followed by /d(x).', 'syntax', hint);
    this.next();
    const d2 = this.peek();
    if (!(d2.kind === 'name' && d2.text === 'd' && this.peek(1).kind === '(')) this.fail(d2, 'Expected d(x) after `/` in the derivative.', 'syntax', hint);
    this.next();
    this.next();
    const x = this.peek();
    if (x.kind !== 'name' || this.peek(1).kind !== ')') {
      const close = this.toks.findIndex((tk, k) => k >= this.pos && tk.kind === ')');
      const span = { start: x.start, end: close >= 0 ? this.toks[close].start : x.end };
      this.fail(span, 'You can only differentiate with respect to a declared variable, not an expression.', 'wrt-not-variable', 'Write d(f)/d(x) with x declared, e.g. `x: vector[n]`.');
    }
    this.next();
    const close = this.next();
    return { kind: 'derivative', form: 'jacobian', syntax: 'd', of, wrt: this.wrt(x.text, x), start: d.start, end: close.end };
  }

  /** The rest of `∂f/∂x` or `∂(expr)/∂x` after f. */
  private finishPartialForm(p: Token, of: Expr): Expr {
    const hint = 'Write ∂f/∂x or ∂(expression)/∂x.';
    if (this.peek().kind !== '/') this.fail(this.peek(), '∂f must be followed by /∂x.', 'syntax', hint);
    this.next();
    this.expect('partial', '`∂` in the denominator of the derivative');
    const x = this.peek();
    if (x.kind !== 'name') this.fail(x, 'You can only differentiate with respect to a declared variable, not an expression.', 'wrt-not-variable', hint);
    this.next();
    return { kind: 'derivative', form: 'jacobian', syntax: 'partial', of, wrt: this.wrt(x.text, x), start: p.start, end: x.end };
  }
}

/** An expression to open above the frame that asked for it (with the Pratt parser's binding power). */
class Request {
  constructor(
    readonly minBp: number,
    readonly fresh: boolean,
  ) {}
}

/** An expression being parsed: waiting for its first operand, an index, or the right operand of `op`. */
interface ExpressionFrame {
  kind: 'expression';
  minBp: number;
  /** The enclosing exponent depth, restored when the expression ends. */
  savedExponent: number;
  left: Expr | undefined;
  awaiting: 'first' | 'index' | 'right';
  comparisons: number;
  op: { op: BinaryOp; token: Token; power: boolean } | undefined;
}

/** A construct waiting for an expression inside it. */
type Frame =
  | ExpressionFrame
  | { kind: 'sign'; sign: Token }
  | { kind: 'group'; open: Token }
  | { kind: 'vector'; open: Token; elements: Expr[]; separator: ',' | ';' | undefined }
  | { kind: 'call'; name: Token; args: Expr[] }
  | { kind: 'dForm'; d: Token }
  | { kind: 'partial'; partial: Token };

function binary(op: BinaryOp, t: Token, left: Expr, right: Expr): Expr {
  return { kind: 'binary', op, opSpan: spanOfToken(t), left, right, start: left.start, end: right.end };
}

/** `X⁻¹` is `inv(X)` and `X⁻ᵀ` is `inv(X)ᵀ`: the printer's glyphs read back as the functions they stand for. */
function inverse(operand: Expr, t: Token): Expr {
  const span = spanOfToken(t);
  const inv: Expr = { kind: 'call', callee: 'inv', calleeSpan: span, args: [operand], start: operand.start, end: t.end };
  return t.kind === 'inverse' ? inv : { kind: 'transpose', operand: inv, start: operand.start, end: t.end };
}

/** `₁₂` → 12, `_j` → 'j' (a symbolic index, as in index-form results). */
function unitIndex(s: string): number | string {
  const plain = s.startsWith('_') ? s.slice(1) : s.replace(/[₀-₉]/g, (d) => String(d.charCodeAt(0) - 0x2080));
  return /^\d+$/.test(plain) ? Number(plain) : plain;
}

function spanOfToken(t: Token): Span {
  return { start: t.start, end: Math.max(t.end, t.start + (t.kind === 'eof' ? 0 : 1)) };
}

function lastEnd(toks: Token[]): number {
  return toks.length > 1 ? toks[toks.length - 2].end : toks[0].end;
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the line';
    case 'number':
      return `the number ${t.text}`;
    case 'name':
      return `'${t.text}'`;
    default:
      return `'${t.text}'`;
  }
}
