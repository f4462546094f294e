// Element-wise functions: each has a diagonal Jacobian diag(f'(u)). Adding one (e.g. softplus) is one entry
// in UNARY below: its derivative, LaTeX and numeric kernel.

import type { Builder } from '../builder.ts';
import { type Node, constValue, isConst } from '../ir.ts';
import { PREC, type OpDef, type Printer, type SurfaceFunction } from './types.ts';
import { elementwiseShape } from './arithmetic.ts';
import { map1, map2, type Tensor } from '../numeric/tensor.ts';

interface UnaryFunction {
  name: string;
  aliases?: string[];
  doc: string;
  /** f'(u), built from u and the node y = f(u) itself. */
  derivative(u: Node, y: Node, b: Builder): Node;
  /** The derivative as text, for docs/rules.md (in terms of u). */
  derivativeText: string;
  latex(arg: string, p: Printer): string;
  fn(x: number): number;
  /** Points where f is not differentiable (gradient checks stay away from them). */
  kinkAtZero?: boolean;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

const UNARY: UnaryFunction[] = [
  { name: 'sin', doc: 'Sine.', derivative: (u, _y, b) => b.call('cos', u), derivativeText: 'cos(u)', latex: (a) => `\\sin\\left(${a}\\right)`, fn: Math.sin },
  { name: 'cos', doc: 'Cosine.', derivative: (u, _y, b) => b.neg(b.call('sin', u)), derivativeText: '−sin(u)', latex: (a) => `\\cos\\left(${a}\\right)`, fn: Math.cos },
  {
    name: 'tan', doc: 'Tangent.', derivative: (u, _y, b) => b.div(b.constant(1), b.pow(b.call('cos', u), b.constant(2))),
    derivativeText: '1 / cos(u)²', latex: (a) => `\\tan\\left(${a}\\right)`, fn: Math.tan,
  },
  { name: 'exp', doc: 'Exponential eᵘ.', derivative: (_u, y) => y, derivativeText: 'exp(u)', latex: (a) => `\\exp\\left(${a}\\right)`, fn: Math.exp },
  {
    name: 'log', aliases: ['ln'], doc: 'Natural logarithm.', derivative: (u, _y, b) => b.div(b.constant(1), u),
    derivativeText: '1 / u', latex: (a) => `\\log\\left(${a}\\right)`, fn: Math.log,
  },
  {
    name: 'sqrt', doc: 'Square root.', derivative: (_u, y, b) => b.div(b.constant(1), b.mul(b.constant(2), y)),
    derivativeText: '1 / (2 sqrt(u))', latex: (a) => `\\sqrt{${a}}`, fn: Math.sqrt,
  },
  { name: 'abs', doc: 'Absolute value.', derivative: (u, _y, b) => b.call('sign', u), derivativeText: 'sign(u) (0 at u = 0)', latex: (a) => `\\left|${a}\\right|`, fn: Math.abs, kinkAtZero: true },
  {
    name: 'tanh', doc: 'Hyperbolic tangent.', derivative: (_u, y, b) => b.sub(b.constant(1), b.pow(y, b.constant(2))),
    derivativeText: '1 − tanh(u)²', latex: (a) => `\\tanh\\left(${a}\\right)`, fn: Math.tanh,
  },
  {
    name: 'sigmoid', aliases: ['σ'], doc: 'Logistic sigmoid σ(u) = 1 / (1 + e⁻ᵘ).', derivative: (_u, y, b) => b.mul(y, b.sub(b.constant(1), y)),
    derivativeText: 'σ(u)(1 − σ(u))', latex: (a) => `\\sigma\\left(${a}\\right)`, fn: sigmoid,
  },
  {
    name: 'relu', doc: 'Rectified linear unit max(0, u).', derivative: (u, _y, b) => b.compare('gt', u, b.constant(0)),
    derivativeText: '1[u > 0] (subgradient 0 at u = 0)', latex: (a) => `\\operatorname{relu}\\left(${a}\\right)`, fn: (x) => (x > 0 ? x : 0), kinkAtZero: true,
  },
  {
    name: 'sign', doc: 'Sign: −1, 0 or 1.', derivative: (u, _y, b) => b.zero(u.shape), derivativeText: '0 (undefined at u = 0)',
    latex: (a) => `\\operatorname{sign}\\left(${a}\\right)`, fn: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), kinkAtZero: true,
  },
];

/** Compiled element formulas (numeric/compile.ts), the same arithmetic as `fn`; `a` is an atom. */
const UNARY_JS: Record<string, (a: string) => string> = {
  sin: (a) => `Math.sin(${a})`,
  cos: (a) => `Math.cos(${a})`,
  tan: (a) => `Math.tan(${a})`,
  exp: (a) => `Math.exp(${a})`,
  log: (a) => `Math.log(${a})`,
  sqrt: (a) => `Math.sqrt(${a})`,
  abs: (a) => `Math.abs(${a})`,
  tanh: (a) => `Math.tanh(${a})`,
  sigmoid: (a) => `(${a} >= 0 ? 1 / (1 + Math.exp(-${a})) : Math.exp(${a}) / (1 + Math.exp(${a})))`,
  relu: (a) => `(${a} > 0 ? ${a} : 0)`,
  sign: (a) => `(${a} > 0 ? 1 : ${a} < 0 ? -1 : 0)`,
};

function unaryOp(f: UnaryFunction): OpDef {
  return {
    op: f.name,
    family: 'element-wise functions',
    doc: f.doc,
    shape: ([a]) => a,
    simplify([x], _attr, b, shape) {
      if (isConst(x) && x.shape.kind === 'scalar') return (b.fired('constant folding'), b.constant(f.fn(constValue(x)!), shape));
      return undefined;
    },
    jvp: (n, [t], b) => (t ? b.mul(f.derivative(n.args[0], n, b), t) : null),
    vjp: (n, s, _k, b) => b.mul(s, f.derivative(n.args[0], n, b)),
    examples: [{ expr: `${f.name}(x)`, wrt: 'x' }],
    rule: {
      name: `${f.name} rule (element-wise: diagonal Jacobian)`,
      text: `d ${f.name}(u) = ${f.derivativeText} ⊗ du; ∂${f.name}(u)/∂u = diag(${f.derivativeText})`,
      latex: `\\mathrm{d}\\,${f.latex('u', { mode: 'latex', arg: () => 'u', plain: () => 'u', named: () => true })} = f'(u) \\otimes \\mathrm{d}u`,
    },
    prec: () => PREC.atom,
    format: (n, p) => (p.mode === 'latex' ? f.latex(p.plain(n.args[0]), p) : `${f.aliases?.[0] === 'σ' ? 'σ' : f.name}(${p.plain(n.args[0])})`),
    evaluate: (_n, [a]) => map1(a, f.fn),
    ...(UNARY_JS[f.name] ? { emitElement: ([a]: readonly string[]) => UNARY_JS[f.name](a) } : {}),
    ...(f.kinkAtZero ? KINK_AT_ZERO : {}),
  } as OpDef;
}

/** Kinks of an operator that is not differentiable where an element of its argument is 0 (abs, relu, norm1…). */
export const KINK_AT_ZERO: Required<Pick<OpDef, 'kinkDistance' | 'branch'>> = {
  kinkDistance: (_n, [a]) => minAbs(a.data),
  branch: (_n, [a]) => a.data.map((v) => (v > 0 ? 1 : 0)),
};

function minAbs(d: Float64Array): number {
  let m = Infinity;
  for (let i = 0; i < d.length; i++) m = Math.min(m, Math.abs(d[i]));
  return m;
}

function minAbsDiff(a: Tensor, c: Tensor): number {
  let m = Infinity;
  const n = Math.max(a.data.length, c.data.length);
  for (let i = 0; i < n; i++) m = Math.min(m, Math.abs(a.data[a.data.length === 1 ? 0 : i] - c.data[c.data.length === 1 ? 0 : i]));
  return m;
}

// ---- max / min ----------------------------------------------------------------------------------------------

function extremumOp(name: 'max' | 'min'): OpDef {
  const winner = name === 'max' ? 'gt' : 'lt';
  const sym = name === 'max' ? '>' : '<';
  return {
    op: name,
    family: 'element-wise functions',
    doc: `Element-wise ${name}imum of two values, with scalar expansion (${name}(0, z)).`,
    shape: ([a, c]) => elementwiseShape(`take the ${name} of`, a, c),
    simplify([x, y], _attr, b, shape) {
      if (isConst(x) && isConst(y)) return (b.fired('constant folding'), b.constant(Math[name](constValue(x)!, constValue(y)!), shape));
      return undefined;
    },
    // At a tie the subgradient 0 is used for both arguments (as for relu at 0).
    jvp: (n, [ta, tb], b) => {
      const [x, y] = n.args;
      return b.addMaybe(ta && b.broadcast(b.mul(b.compare(winner, x, y), ta), n.shape), tb && b.broadcast(b.mul(b.compare(winner, y, x), tb), n.shape));
    },
    vjp: (n, s, k, b) => {
      const [x, y] = n.args;
      const mine = k === 0 ? b.compare(winner, x, y) : b.compare(winner, y, x);
      return b.unbroadcast(b.mul(s, mine), n.args[k].shape);
    },
    examples: [{ expr: `${name}(0, x)`, wrt: 'x' }],
    rule: {
      name: `${name} rule (piecewise)`,
      text: `d ${name}(u, v) = 1[u ${sym} v] ⊗ du + 1[v ${sym} u] ⊗ dv (subgradient 0 at a tie)`,
      latex: `\\mathrm{d}\\,\\${name}(u, v) = \\mathbb{I}[u ${sym} v] \\otimes \\mathrm{d}u + \\mathbb{I}[v ${sym} u] \\otimes \\mathrm{d}v`,
    },
    prec: () => PREC.atom,
    format: (n, p) =>
      p.mode === 'latex' ? `\\${name}\\left(${p.plain(n.args[0])}, ${p.plain(n.args[1])}\\right)` : `${name}(${p.plain(n.args[0])}, ${p.plain(n.args[1])})`,
    evaluate: (_n, [a, c]) => map2(a, c, Math[name]),
    emitElement: ([a, c]: readonly string[]) => `Math.${name}(${a}, ${c})`,
    kinkDistance: (_n: Node, [a, c]: readonly Tensor[]) => minAbsDiff(a, c),
    branch: (_n: Node, [a, c]: readonly Tensor[]) => map2(a, c, (x, y) => (x > y ? 1 : 0)).data,
  } as OpDef;
}

// ---- comparisons: 0/1 indicators with derivative 0 -------------------------------------------------------------

const COMPARISONS = [
  { op: 'gt', sym: '>', fn: (x: number, y: number) => (x > y ? 1 : 0) },
  { op: 'lt', sym: '<', fn: (x: number, y: number) => (x < y ? 1 : 0) },
  { op: 'ge', sym: '>=', fn: (x: number, y: number) => (x >= y ? 1 : 0) },
  { op: 'le', sym: '<=', fn: (x: number, y: number) => (x <= y ? 1 : 0) },
] as const;

function comparisonOp(c: (typeof COMPARISONS)[number]): OpDef {
  const latexSym = c.sym === '>=' ? '\\geq' : c.sym === '<=' ? '\\leq' : c.sym;
  return {
    op: c.op,
    family: 'comparisons',
    doc: `Element-wise indicator 1[a ${c.sym} b]: 1 where it holds, else 0.`,
    shape: ([a, b]) => elementwiseShape('compare', a, b),
    simplify([x, y], _attr, b, shape) {
      if (isConst(x) && isConst(y)) return (b.fired('constant folding'), b.constant(c.fn(constValue(x)!, constValue(y)!), shape));
      return undefined;
    },
    jvp: () => null,
    vjp: (n, _s, k, b) => b.zero(n.args[k].shape),
    examples: [{ expr: `(x ${c.sym} y)`, wrt: 'x' }],
    rule: { name: 'indicator rule', text: `d 1[u ${c.sym} v] = 0 (away from u = v)`, latex: `\\mathrm{d}\\,\\mathbb{I}[u ${latexSym} v] = 0` },
    prec: () => PREC.atom,
    format: (n, p) =>
      p.mode === 'latex'
        ? `\\mathbb{I}\\left[${p.arg(n.args[0], PREC.add)} ${latexSym} ${p.arg(n.args[1], PREC.add)}\\right]`
        : `(${p.arg(n.args[0], PREC.add)} ${c.sym} ${p.arg(n.args[1], PREC.add)})`,
    evaluate: (_n, [a, b]) => map2(a, b, c.fn),
    emitElement: ([a, b]: readonly string[]) => `(${a} ${c.sym} ${b} ? 1 : 0)`,
    kinkDistance: (_n: Node, [a, b]: readonly Tensor[]) => minAbsDiff(a, b),
    branch: (_n: Node, [a, b]: readonly Tensor[]) => map2(a, b, c.fn).data,
  } as OpDef;
}

export const elementwiseOps: OpDef[] = [...UNARY.map(unaryOp), extremumOp('max'), extremumOp('min'), ...COMPARISONS.map(comparisonOp)];

export const elementwiseFunctions: SurfaceFunction[] = [
  ...UNARY.map((f) => ({
    name: f.name,
    aliases: f.aliases,
    arity: 1,
    signature: `${f.name}(u)`,
    doc: f.doc,
    build: (b: Builder, [u]: Node[]) => b.raw(f.name, [u]),
  })),
  ...(['max', 'min'] as const).map((name) => ({
    name,
    arity: 2,
    signature: `${name}(a, b)`,
    doc: `Element-wise ${name}imum with scalar expansion.`,
    build: (b: Builder, [x, y]: Node[]) => {
      const s = elementwiseShape(`take the ${name} of`, x.shape, y.shape);
      return 'error' in s ? s : b.raw(name, [x, y]);
    },
  })),
];

/** The user's comparison operators. */
export function buildComparison(b: Builder, sym: '>' | '<' | '>=' | '<=', x: Node, y: Node) {
  const c = COMPARISONS.find((k) => k.sym === sym)!;
  const s = elementwiseShape('compare', x.shape, y.shape);
  return 'error' in s ? s : b.raw(c.op, [x, y]);
}
