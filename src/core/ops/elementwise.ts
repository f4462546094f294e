// Element-wise functions: each has a diagonal Jacobian diag(f'(u)). Adding one (e.g. gelu) is one entry
// in UNARY below: its derivative, LaTeX, reference and compiled kernels, Python, range and domain; the rest of
// its registry entry (syntax, batch rewrite, kinks) follows from being element-wise.

import type { Builder } from '../builder.ts';
import { type Node, constValue, isConst } from '../ir.ts';
import { PREC, type Interval, type OpDef, type Printer } from './types.ts';
import { elementwiseShape } from './arithmetic.ts';
import { increasing } from './intervals.ts';
import { map1, map2, type Tensor } from '../numeric/tensor.ts';

interface UnaryFunction {
  aliases?: string[];
  doc: string;
  /** f'(u), built from u and the node y = f(u) itself. */
  derivative(u: Node, y: Node, b: Builder): Node;
  /** The derivative as text, for docs/rules.md (in terms of u). */
  derivativeText: string;
  latex(arg: string, p: Printer): string;
  /** The reference kernel. */
  fn(x: number): number;
  /** The compiled kernel: the same arithmetic as `fn` as JavaScript, over an atom `a` (see OpDef.emitElement). */
  js(a: string): string;
  /** The Python lowering (OpDef.python), over an atom. */
  python(a: string): string;
  /** Grammar scope of the name (default 'math'). */
  highlight?: 'activation';
  /** Not differentiable at 0 (gradient checks stay away from it and sample both sides). */
  kinkAtZero?: boolean;
  /** Zero for u ≤ 0 and u for u > 0 (OpDef.hinge). */
  hinge?: boolean;
  /** The range of f over an interval of arguments (default: all reals), for which kink sides can be reached. */
  range?(x: Interval): Interval;
  domain?: OpDef['domain'];
}

// log(1 + eᵘ) without overflow: u + log(1 + e⁻ᵘ) for u > 0.
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const POSITIVE = { text: 'u > 0', contains: (x: number) => x > 0, into: (e: string) => `(1 + (${e})^2)` };
/** arcsin and arccos: defined on [−1, 1], differentiable inside; generated arguments stay in (−0.9, 0.9). */
const UNIT_INTERVAL = { text: '−1 ≤ u ≤ 1 (differentiable for −1 < u < 1)', contains: (x: number) => Math.abs(x) < 1, into: (e: string) => `(0.9 * tanh(${e}))` };
const clampUnit = (x: number) => Math.max(-1, Math.min(1, x));
/** 1 / sqrt(1 − u²), the derivative of arcsin. */
const arcsinSlope = (u: Node, b: Builder) => b.div(b.constant(1), b.call('sqrt', b.sub(b.constant(1), b.pow(u, b.constant(2)))));
const xp = (fn: string) => (a: string) => `xp.${fn}(${a})`;
const helper = (fn: string) => (a: string) => `${fn}(${a})`;

/** The element-wise functions (part of OpName); UNARY holds exactly one entry for each. */
type UnaryName = 'sin' | 'cos' | 'tan' | 'arcsin' | 'arccos' | 'arctan' | 'sinh' | 'cosh' | 'exp' | 'log' | 'sqrt' | 'abs' | 'tanh' | 'sigmoid' | 'softplus' | 'relu' | 'sign';

const UNARY: Record<UnaryName, UnaryFunction> = {
  sin: {
    doc: 'Sine.', derivative: (u, _y, b) => b.call('cos', u), derivativeText: 'cos(u)', latex: (a) => `\\sin\\left(${a}\\right)`,
    fn: Math.sin, js: (a) => `Math.sin(${a})`, python: xp('sin'), range: () => [-1, 1],
  },
  cos: {
    doc: 'Cosine.', derivative: (u, _y, b) => b.neg(b.call('sin', u)), derivativeText: '−sin(u)', latex: (a) => `\\cos\\left(${a}\\right)`,
    fn: Math.cos, js: (a) => `Math.cos(${a})`, python: xp('cos'), range: () => [-1, 1],
  },
  tan: {
    doc: 'Tangent.', derivative: (u, _y, b) => b.div(b.constant(1), b.pow(b.call('cos', u), b.constant(2))),
    derivativeText: '1 / cos(u)²', latex: (a) => `\\tan\\left(${a}\\right)`, fn: Math.tan, js: (a) => `Math.tan(${a})`, python: xp('tan'),
    // Away from the poles: generated arguments stay in (−1.2, 1.2).
    domain: { text: 'u ≠ π/2 + kπ', contains: (x) => Math.abs(Math.cos(x)) > 1e-3, into: (e) => `(1.2 * tanh(${e}))` },
  },
  arcsin: {
    aliases: ['asin'], doc: 'Inverse sine, in [−π/2, π/2].', derivative: (u, _y, b) => arcsinSlope(u, b), derivativeText: '1 / sqrt(1 − u²)',
    latex: (a) => `\\arcsin\\left(${a}\\right)`, fn: Math.asin, js: (a) => `Math.asin(${a})`, python: xp('arcsin'), domain: UNIT_INTERVAL,
    range: ([a, b]) => [Math.asin(clampUnit(a)), Math.asin(clampUnit(b))],
  },
  arccos: {
    aliases: ['acos'], doc: 'Inverse cosine, in [0, π].', derivative: (u, _y, b) => b.neg(arcsinSlope(u, b)), derivativeText: '−1 / sqrt(1 − u²)',
    latex: (a) => `\\arccos\\left(${a}\\right)`, fn: Math.acos, js: (a) => `Math.acos(${a})`, python: xp('arccos'), domain: UNIT_INTERVAL,
    range: ([a, b]) => [Math.acos(clampUnit(b)), Math.acos(clampUnit(a))],
  },
  arctan: {
    aliases: ['atan'], doc: 'Inverse tangent, in (−π/2, π/2).', derivative: (u, _y, b) => b.div(b.constant(1), b.add(b.constant(1), b.pow(u, b.constant(2)))),
    derivativeText: '1 / (1 + u²)', latex: (a) => `\\arctan\\left(${a}\\right)`, fn: Math.atan, js: (a) => `Math.atan(${a})`, python: xp('arctan'),
    range: increasing(Math.atan),
  },
  sinh: {
    doc: 'Hyperbolic sine.', derivative: (u, _y, b) => b.call('cosh', u), derivativeText: 'cosh(u)', latex: (a) => `\\sinh\\left(${a}\\right)`,
    fn: Math.sinh, js: (a) => `Math.sinh(${a})`, python: xp('sinh'), range: increasing(Math.sinh),
  },
  cosh: {
    doc: 'Hyperbolic cosine.', derivative: (u, _y, b) => b.call('sinh', u), derivativeText: 'sinh(u)', latex: (a) => `\\cosh\\left(${a}\\right)`,
    fn: Math.cosh, js: (a) => `Math.cosh(${a})`, python: xp('cosh'),
    range: ([a, b]) => (a >= 0 ? [Math.cosh(a), Math.cosh(b)] : b <= 0 ? [Math.cosh(b), Math.cosh(a)] : [1, Math.max(Math.cosh(a), Math.cosh(b))]),
  },
  exp: {
    doc: 'Exponential eᵘ.', derivative: (_u, y) => y, derivativeText: 'exp(u)', latex: (a) => `\\exp\\left(${a}\\right)`,
    fn: Math.exp, js: (a) => `Math.exp(${a})`, python: xp('exp'), range: increasing(Math.exp),
  },
  log: {
    aliases: ['ln'], doc: 'Natural logarithm.', derivative: (u, _y, b) => b.div(b.constant(1), u),
    derivativeText: '1 / u', latex: (a) => `\\log\\left(${a}\\right)`, fn: Math.log, js: (a) => `Math.log(${a})`, python: xp('log'), domain: POSITIVE,
  },
  sqrt: {
    doc: 'Square root.', derivative: (_u, y, b) => b.div(b.constant(1), b.mul(b.constant(2), y)),
    derivativeText: '1 / (2 sqrt(u))', latex: (a) => `\\sqrt{${a}}`, fn: Math.sqrt, js: (a) => `Math.sqrt(${a})`, python: xp('sqrt'),
    range: ([, b]) => [0, Math.sqrt(Math.max(0, b))], domain: { ...POSITIVE, text: 'u ≥ 0 (differentiable for u > 0)' },
  },
  abs: {
    doc: 'Absolute value.', derivative: (u, _y, b) => b.call('sign', u), derivativeText: 'sign(u) (0 at u = 0)', latex: (a) => `\\left|${a}\\right|`,
    fn: Math.abs, js: (a) => `Math.abs(${a})`, python: xp('abs'), kinkAtZero: true,
    range: ([a, b]) => (a >= 0 ? [a, b] : b <= 0 ? [-b, -a] : [0, Math.max(-a, b)]),
  },
  tanh: {
    doc: 'Hyperbolic tangent.', derivative: (_u, y, b) => b.sub(b.constant(1), b.pow(y, b.constant(2))),
    derivativeText: '1 − tanh(u)²', latex: (a) => `\\tanh\\left(${a}\\right)`, fn: Math.tanh, js: (a) => `Math.tanh(${a})`, python: xp('tanh'), range: () => [-1, 1],
  },
  sigmoid: {
    aliases: ['σ'], doc: 'Logistic sigmoid σ(u) = 1 / (1 + e⁻ᵘ).', derivative: (_u, y, b) => b.mul(y, b.sub(b.constant(1), y)),
    highlight: 'activation', derivativeText: 'σ(u)(1 − σ(u))', latex: (a) => `\\sigma\\left(${a}\\right)`, fn: sigmoid,
    js: (a) => `(${a} >= 0 ? 1 / (1 + Math.exp(-${a})) : Math.exp(${a}) / (1 + Math.exp(${a})))`, python: helper('_sigmoid'), range: () => [0, 1],
  },
  softplus: {
    doc: 'Softplus log(1 + eᵘ), a smooth ReLU (computed without overflow).', derivative: (u, _y, b) => b.call('sigmoid', u),
    highlight: 'activation', derivativeText: 'σ(u)', latex: (a) => `\\operatorname{softplus}\\left(${a}\\right)`, fn: softplus,
    js: (a) => `(${a} > 0 ? ${a} + Math.log1p(Math.exp(-${a})) : Math.log1p(Math.exp(${a})))`,
    python: (a) => `(_relu(${a}) + xp.log1p(xp.exp(-xp.abs(${a}))))`, range: increasing(softplus),
  },
  relu: {
    doc: 'Rectified linear unit max(0, u).', derivative: (u, _y, b) => b.compare('gt', u, b.constant(0)),
    highlight: 'activation', derivativeText: '1[u > 0] (subgradient 0 at u = 0)', latex: (a) => `\\operatorname{relu}\\left(${a}\\right)`, fn: (x) => (x > 0 ? x : 0),
    js: (a) => `(${a} > 0 ? ${a} : 0)`, python: helper('_relu'), kinkAtZero: true, hinge: true, range: ([a, b]) => [Math.max(0, a), Math.max(0, b)],
  },
  sign: {
    doc: 'Sign: −1, 0 or 1.', derivative: (u, _y, b) => b.zero(u.shape), derivativeText: '0 (undefined at u = 0)',
    latex: (a) => `\\operatorname{sign}\\left(${a}\\right)`, fn: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
    js: (a) => `(${a} > 0 ? 1 : ${a} < 0 ? -1 : 0)`, python: xp('sign'), kinkAtZero: true, range: () => [-1, 1],
  },
};

function unaryOp<N extends UnaryName>(name: N, f: UnaryFunction): OpDef<N> {
  const kink: Partial<OpDef<N>> = f.kinkAtZero ? kinkAtZero(name) : {};
  return {
    op: name,
    family: 'element-wise functions',
    doc: f.doc,
    syntax: { name, aliases: f.aliases, arity: 1, highlight: f.highlight ?? 'math', signature: `${name}(u)`, doc: f.doc, build: (b, [u]) => b.raw(name, [u]) },
    shape: ([a]) => a,
    simplify([x], _attr, b, shape) {
      if (isConst(x) && x.shape.kind === 'scalar') return (b.fired('constant folding'), b.constant(f.fn(constValue(x)!), shape));
      return undefined;
    },
    jvp: (n, [t], b) => (t ? b.mul(f.derivative(n.args[0], n, b), t) : null),
    vjp: (n, s, _k, b) => b.mul(s, f.derivative(n.args[0], n, b)),
    examples: [{ expr: `${name}(x)`, wrt: 'x' }],
    rule: {
      name: `${name} rule (element-wise: diagonal Jacobian)`,
      text: `d ${name}(u) = ${f.derivativeText} ⊗ du; ∂${name}(u)/∂u = diag(${f.derivativeText})`,
      latex: `\\mathrm{d}\\,${f.latex('u', { mode: 'latex', arg: () => 'u', plain: () => 'u', named: () => true })} = f'(u) \\otimes \\mathrm{d}u`,
    },
    prec: () => PREC.atom,
    format: (n, p) => (p.mode === 'latex' ? f.latex(p.plain(n.args[0]), p) : `${f.aliases?.[0] === 'σ' ? 'σ' : name}(${p.plain(n.args[0])})`),
    evaluate: (_n, [a]) => map1(a, f.fn),
    emitElement: ([a]) => f.js(a),
    batch: 'elementwise',
    python: ([a]) => f.python(a),
    ...(f.range ? { range: ([x]) => f.range!(x) } : {}),
    ...(f.domain ? { domain: f.domain } : {}),
    ...(f.hinge ? { hinge: (n: Node) => n.args[0] } : {}),
    ...kink,
  };
}

/** Kinks of an operator `name` that is not differentiable where an element of its argument is 0 (abs, relu, norm1…). */
export function kinkAtZero(name: string): Required<Pick<OpDef, 'kinkDistance' | 'kinkNote' | 'branch'>> {
  return {
    kinkDistance: (_n, [a]) => minAbs(a.data),
    kinkNote: `${name} is not differentiable where an element of its argument is 0`,
    branch: (_n, [a]) => a.data.map((v) => (v > 0 ? 1 : 0)),
  };
}

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

function extremumOp<N extends 'max' | 'min'>(name: N): OpDef<N> {
  const winner = name === 'max' ? 'gt' : 'lt';
  const sym = name === 'max' ? '>' : '<';
  return {
    op: name,
    family: 'element-wise functions',
    doc: `Element-wise ${name}imum of two values, with scalar expansion (${name}(0, z)).`,
    syntax: {
      name,
      arity: 2,
      highlight: 'reduction',
      signature: `${name}(a, b)`,
      doc: `Element-wise ${name}imum with scalar expansion.`,
      build: (b, [x, y]) => {
        const s = elementwiseShape(`take the ${name} of`, x.shape, y.shape);
        return 'error' in s ? s : b.raw(name, [x, y]);
      },
    },
    shape: ([a, c]) => elementwiseShape(`take the ${name} of`, a, c),
    simplify([x, y], _attr, b, shape) {
      if (isConst(x) && isConst(y)) return (b.fired('constant folding'), b.constant(Math[name](constValue(x)!, constValue(y)!), shape));
      return undefined;
    },
    // At a tie the subgradient 0 is used for both arguments (as for relu at 0). max(u, u) is u itself: a tie
    // everywhere, where the derivative is du, not the subgradient.
    jvp: (n, [ta, tb], b) => {
      const [x, y] = n.args;
      if (x === y) return ta;
      return b.addMaybe(ta && b.broadcast(b.mul(b.compare(winner, x, y), ta), n.shape), tb && b.broadcast(b.mul(b.compare(winner, y, x), tb), n.shape));
    },
    vjp: (n, s, k, b) => {
      const [x, y] = n.args;
      if (x === y) return k === 0 ? s : b.zero(s.shape);
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
    emitElement: ([a, c]) => `Math.${name}(${a}, ${c})`,
    batch: 'elementwise',
    python: ([a, c]) => `_${name}imum(${a}, ${c})`,
    kinkDistance: (_n, [a, c]) => minAbsDiff(a, c),
    kinkNote: `${name} is not differentiable where its arguments tie`,
    branch: (_n, [a, c]) => map2(a, c, (x, y) => (x > y ? 1 : 0)).data,
    ...(name === 'max' ? { hinge: ({ args: [a, c] }: Node) => (isConst(a, 0) ? c : isConst(c, 0) ? a : undefined) } : {}),
    range: ([a, c]) => [Math[name](a[0], c[0]), Math[name](a[1], c[1])],
  };
}

// ---- comparisons: 0/1 indicators with derivative 0 -------------------------------------------------------------

// `sides`: the conditions of the two sides of the indicator's kink, as messages print them.
const COMPARISONS = [
  { op: 'gt', sym: '>', fn: (x: number, y: number) => (x > y ? 1 : 0), sides: ['>', '≤'] },
  { op: 'lt', sym: '<', fn: (x: number, y: number) => (x < y ? 1 : 0), sides: ['<', '≥'] },
  { op: 'ge', sym: '>=', fn: (x: number, y: number) => (x >= y ? 1 : 0), sides: ['≥', '<'] },
  { op: 'le', sym: '<=', fn: (x: number, y: number) => (x <= y ? 1 : 0), sides: ['≤', '>'] },
] as const;

function comparisonOp<C extends (typeof COMPARISONS)[number]>(c: C): OpDef<C['op']> {
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
    emitElement: ([a, b]) => `(${a} ${c.sym} ${b} ? 1 : 0)`,
    batch: 'elementwise',
    python: ([a, b]) => `_ind(${a} ${c.sym} ${b})`,
    kinkDistance: (_n, [a, b]) => minAbsDiff(a, b),
    kinkNote: `the indicator 1[u ${c.sym} v] jumps where u = v`,
    branch: (_n, [a, b]) => map2(a, b, c.fn).data,
    sides: c.sides,
    upperBelow: c.op === 'lt' || c.op === 'le',
    range: () => [0, 1],
  };
}

export const elementwiseOps = [
  ...(Object.keys(UNARY) as UnaryName[]).map((name) => unaryOp(name, UNARY[name])),
  extremumOp('max'), extremumOp('min'), ...COMPARISONS.map(comparisonOp)];

/** The user's comparison operators. */
export function buildComparison(b: Builder, sym: '>' | '<' | '>=' | '<=', x: Node, y: Node) {
  const c = COMPARISONS.find((k) => k.sym === sym)!;
  const s = elementwiseShape('compare', x.shape, y.shape);
  return 'error' in s ? s : b.raw(c.op, [x, y]);
}
