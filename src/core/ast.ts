// The syntax tree. Every node carries its source span (offsets into the document text).

export interface Span {
  start: number;
  end: number;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '^' | 'hadamard' | 'ediv' | 'dot' | '>' | '<' | '>=' | '<=';

/** Filled in by the analysis: the expression's node, when it analysed cleanly. */
export interface Resolved {
  ir?: import('./ir.ts').Node;
}

export type Expr = (
  | { kind: 'number'; span: Span; value: number; text: string }
  | { kind: 'name'; span: Span; name: string }
  | { kind: 'vector'; span: Span; elements: Expr[] }
  | { kind: 'index'; span: Span; target: Expr; index: Expr }
  | { kind: 'transpose'; span: Span; operand: Expr }
  | { kind: 'neg'; span: Span; operand: Expr }
  | { kind: 'binary'; span: Span; op: BinaryOp; opSpan: Span; left: Expr; right: Expr }
  | { kind: 'call'; span: Span; callee: string; calleeSpan: Span; args: Expr[] }
  | DerivativeExpr
  /** Placeholder for text that did not parse; its diagnostic is already reported. */
  | { kind: 'error'; span: Span }
) &
  Resolved;

export type DerivativeKind = 'jacobian' | 'grad' | 'hessian';

export interface DerivativeExpr extends Resolved {
  kind: 'derivative';
  span: Span;
  form: DerivativeKind;
  /** How it was written: `d(f)/d(x)`, `∂f/∂x`, or a call like `grad(f, x)`. */
  syntax: 'd' | 'partial' | 'call';
  of: Expr;
  wrt: { name: string; span: Span };
}

export interface NameRef {
  name: string;
  span: Span;
}

export type TypeExpr =
  | { kind: 'scalar'; span: Span }
  | { kind: 'vector'; span: Span; size: DimRef }
  | { kind: 'matrix'; span: Span; rows: DimRef; cols: DimRef };

export type DimRef = { kind: 'name'; name: string; span: Span } | { kind: 'literal'; value: number; span: Span };

export type Statement =
  | { kind: 'dim'; span: Span; names: NameRef[] }
  | { kind: 'declare'; span: Span; names: NameRef[]; type: TypeExpr }
  | { kind: 'define'; span: Span; name: NameRef; expr: Expr }
  | { kind: 'claim'; span: Span; keywordSpan: Span; left: Expr; right: Expr };

export function forEachChild(e: Expr, f: (child: Expr) => void): void {
  switch (e.kind) {
    case 'vector':
      e.elements.forEach(f);
      break;
    case 'index':
      f(e.target);
      f(e.index);
      break;
    case 'transpose':
    case 'neg':
      f(e.operand);
      break;
    case 'binary':
      f(e.left);
      f(e.right);
      break;
    case 'call':
      e.args.forEach(f);
      break;
    case 'derivative':
      f(e.of);
      break;
    default:
      break;
  }
}
