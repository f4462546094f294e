// Compiled evaluation: expression and derivative DAGs become straight-line JavaScript over Float64Arrays,
// generated once per (roots, sizes) with `new Function` and reused across calls.
//
//  - Every node is lowered to one of: a scalar statement, an element-wise "map" over a loop of L elements,
//    a "reduction" over such a loop (sum, mean, norm, dot, Xᵀg accumulated row by row), or a kernel call on
//    whole buffers (matrix products, inverse, determinant; runtime helpers, not inlined).
//  - Loops of the same length are fused across producer → consumer edges, so `z = X w + b`, `max(0, z)`,
//    `(y − a) ⊗ 1[z > 0]` and the gradient `Xᵀ(…)` run in ONE pass over the rows of X, the intermediate
//    vectors living in locals (no buffer) when nothing outside the loop needs them.
//  - Structured operators are never materialised: transposes are strided views (Xᵀv reads X row by row),
//    `I` disappears from products, diag(d)·M scales rows, element-wise Jacobians stay vectors; an N×N matrix
//    is only built when it is itself a requested result.
//  - Buffers are preallocated once per plan. Names from the document never reach the generated source:
//    variables and index symbols are slots (array positions), nodes are numbered, and numbers are emitted
//    only after checking they are numbers.

import { type Node, topoOrder } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import { tangentKey } from '../ops/leaves.ts';
import { type EvalEnv, type Tensor, EvalError, detT, finiteRows, invT, resolveDim, shapeDims } from './tensor.ts';

/** A variable's value: its data (row-major), a number for scalars, or a Tensor. */
export type InputValue = Float64Array | number | Tensor;

export interface PlanInput {
  /** The variable's name (or `tangentKey(name)` for a direction dx). */
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
}

export interface CompiledPlan {
  /** The inputs the plan reads, in slot order (`runSlots` takes them in this order). */
  readonly inputs: readonly PlanInput[];
  /** Free index symbols (e_j) the plan reads, in slot order. */
  readonly indexNames: readonly string[];
  /** The generated function's source (for tests and debugging). */
  readonly source: string;
  /** How many fused loops and kernels the plan runs (for tests and reports). */
  readonly stats: { loops: number; kernels: number; buffers: number; bufferElements: number; largestBuffer: number };
  /**
   * Values of the roots. The tensors are the plan's own buffers: the next call overwrites them (copy what
   * you keep, or use `evaluate`).
   */
  run(vars: ReadonlyMap<string, InputValue>, indices?: ReadonlyMap<string, number>): Tensor[];
  /** Like `run`, with the results copied. */
  evaluate(vars: ReadonlyMap<string, InputValue>, indices?: ReadonlyMap<string, number>): Tensor[];
  /** The fast path: inputs by slot (see `inputs`), no look-ups; results as for `run`. */
  runSlots(inputs: readonly Float64Array[], indices?: readonly number[]): Tensor[];
}

export interface CompileOptions {
  /** Fuse loops across operators (default true; false gives one loop per operator, for testing). */
  fuse?: boolean;
}

// ---- lowered nodes -----------------------------------------------------------------------------------------

type Access = 'point' | 'whole' | 'scalar';
type Kind = 'input' | 'inline' | 'scalar' | 'map' | 'reduce' | 'kernel';

interface Dep {
  l: L;
  access: Access;
}

interface L {
  node: Node;
  id: number;
  kind: Kind;
  rows: number;
  cols: number;
  size: number;
  /** Loop length (map, reduce). */
  len: number;
  deps: Dep[];
  order: number;
  /** Scalar-valued (its value is `s<id>`), else an array. */
  scalar: boolean;
  /** Input slot. */
  slot?: number;
  /** Inline element (index expression → JS expression), for constants, I and e_j. */
  inlineAt?: (idx: string) => string;
  /** Inline scalar literal. */
  inlineScalar?: string;
  /** map: statements defining t<id> (loop index `i`); scalar/kernel: statements defining s<id> or filling the buffer. */
  body?: (c: Ctx) => string;
  /** reduce: before the loop, in the loop, after the loop. */
  init?: (c: Ctx) => string;
  step?: (c: Ctx) => string;
  finish?: (c: Ctx) => string;
  /** Set during planning. */
  needed: boolean;
  users: Dep[];
  buffer?: number;
  constBuffer?: number;
  unitIndexBuffer?: boolean;
}

interface Ctx {
  /** Element `idx` of an array value (in-loop locals when idx is the loop index and the value is fused). */
  at(l: L, idx?: string): string;
  /** The array holding a value (materialised). */
  arr(l: L): string;
  /** A scalar value as an atom. */
  sc(l: L): string;
  /** The buffer of this node. */
  buf(l: L): string;
}

/** A number as JavaScript source; throws for anything else (attributes are data, never code). */
export function numberLiteral(v: unknown): string {
  if (typeof v !== 'number') throw new EvalError(`internal: expected a number, got ${typeof v}`);
  if (Number.isNaN(v)) return '(0 / 0)';
  if (v === Infinity) return '(1 / 0)';
  if (v === -Infinity) return '(-1 / 0)';
  if (Object.is(v, -0)) return '(-0)';
  const s = String(v);
  if (!/^-?[0-9.e+-]+$/.test(s)) throw new EvalError(`internal: unexpected number text ${JSON.stringify(s)}`);
  return `(${s})`;
}

function intLiteral(v: number): string {
  if (!Number.isSafeInteger(v)) throw new EvalError(`internal: expected an integer, got ${v}`);
  return String(v);
}

// ---- runtime helpers (passed to the generated code; never inlined by name from the document) -----------------

interface Helpers {
  matmul(out: Float64Array, A: Float64Array, ars: number, acs: number, B: Float64Array, brs: number, bcs: number, M: number, K: number, P: number): void;
  det(A: Float64Array, rs: number, cs: number, n: number): number;
  inv(out: Float64Array, A: Float64Array, rs: number, cs: number, n: number): void;
  fail(k: number): never;
  ref(k: number, args: readonly (Float64Array | number)[]): Float64Array;
}

function strided(A: Float64Array, rs: number, cs: number, r: number, c: number): Tensor {
  const t = { rows: r, cols: c, data: new Float64Array(r * c) };
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t.data[i * c + j] = A[i * rs + j * cs];
  return t;
}

function makeHelpers(messages: string[], fallbacks: Array<{ node: Node; dims: [number, number][]; env: EvalEnv }>): Helpers {
  return {
    matmul(out, A, ars, acs, B, brs, bcs, M, K, P) {
      out.fill(0);
      // As in the reference (matmulT): a zero skips a row of B only when that row is finite (0·∞ is NaN).
      const finite = finiteRows(B, K, P, brs, bcs);
      for (let i = 0; i < M; i++) {
        const oo = i * P;
        for (let p = 0; p < K; p++) {
          const a = A[i * ars + p * acs];
          if (a === 0 && finite[p]) continue;
          const bo = p * brs;
          if (bcs === 1) for (let j = 0; j < P; j++) out[oo + j] += a * B[bo + j];
          else for (let j = 0; j < P; j++) out[oo + j] += a * B[bo + j * bcs];
        }
      }
    },
    det: (A, rs, cs, n) => detT(strided(A, rs, cs, n, n)),
    inv(out, A, rs, cs, n) {
      out.set(invT(strided(A, rs, cs, n, n)).data);
    },
    fail(k) {
      throw new EvalError(messages[k]);
    },
    ref(k, args) {
      const f = fallbacks[k];
      const tensors = args.map((a, i) => {
        const [r, c] = f.dims[i];
        return { rows: r, cols: c, data: typeof a === 'number' ? Float64Array.of(a) : a };
      });
      return opDef(f.node.op).evaluate(f.node, tensors, f.env).data;
    },
  };
}

// ---- the compiler ------------------------------------------------------------------------------------------

/** Compiles the roots for these sizes of the symbolic dimensions. Throws EvalError for unknown sizes. */
export function compile(roots: readonly Node[], dims: ReadonlyMap<string, number>, options: CompileOptions = {}): CompiledPlan {
  const fuse = options.fuse !== false;
  const env = { dims };
  for (const [name, v] of dims) if (!Number.isSafeInteger(v) || v < 1) throw new EvalError(`The size of dimension '${name}' must be a positive integer, not ${v}.`);

  const order = topoOrder(roots);
  const position = new Map<Node, number>(order.map((n, i) => [n, i]));
  const lOf = new Map<Node, L>();
  const alias = new Map<Node, Node>();
  const inputs: PlanInput[] = [];
  const inputSlot = new Map<string, number>();
  const indexNames: string[] = [];
  const indexSlot = new Map<string, number>();
  const messages: string[] = [];
  const fallbacks: Array<{ node: Node; dims: [number, number][]; env: EvalEnv }> = [];

  const dimsOfNode = (n: Node): [number, number] => shapeDims(n.shape, env);
  const resolve = (n: Node): Node => alias.get(n) ?? n;
  const get = (n: Node): L => lOf.get(resolve(n))!;
  const indexVar = (name: string): string => {
    let k = indexSlot.get(name);
    if (k === undefined) {
      k = indexNames.length;
      indexNames.push(name);
      indexSlot.set(name, k);
    }
    return `J${k}`;
  };
  const message = (m: string): number => messages.push(m) - 1;

  /** A matrix operand seen through transposes: base node, and whether it is read transposed. */
  const view = (n: Node): { base: L; t: boolean } => {
    let t = false;
    let m = resolve(n);
    while (m.op === 'transpose') {
      t = !t;
      m = resolve(m.args[0]);
    }
    const base = get(m);
    return { base, t: t && base.rows > 1 && base.cols > 1 };
  };

  const make = (n: Node, kind: Kind, deps: Dep[], extra: Partial<L> = {}): L => {
    const [rows, cols] = dimsOfNode(n);
    const l: L = {
      node: n, id: n.id, kind, rows, cols, size: rows * cols, len: rows * cols, deps, order: position.get(n)!,
      scalar: n.shape.kind === 'scalar', needed: false, users: [], ...extra,
    };
    lOf.set(n, l);
    return l;
  };
  const point = (l: L): Dep => ({ l, access: l.scalar ? 'scalar' : 'point' });
  const whole = (l: L): Dep => ({ l, access: l.scalar ? 'scalar' : 'whole' });

  const fallback = (n: Node): L => {
    const args = n.args.map(get);
    const k = fallbacks.push({ node: n, dims: args.map((a) => [a.rows, a.cols] as [number, number]), env: { vars: new Map(), dims, indices: new Map() } }) - 1;
    const call = (c: Ctx) => `H.ref(${k}, [${args.map((a) => (a.scalar ? c.sc(a) : c.arr(a))).join(', ')}])`;
    return make(n, n.shape.kind === 'scalar' ? 'scalar' : 'kernel', args.map(whole), {
      body: (c) => (n.shape.kind === 'scalar' ? `const s${n.id} = ${call(c)}[0];` : `${c.buf(lOf.get(n)!)}.set(${call(c)});`),
    });
  };

  /** Element-wise operator with an emitElement template. */
  const elementwise = (n: Node, emit: (args: readonly string[], node: Node) => string): L => {
    const args = n.args.map(get);
    const [rows, cols] = dimsOfNode(n);
    if (!args.every((a) => a.scalar || (a.rows * a.cols === rows * cols))) return fallback(n);
    if (n.shape.kind === 'scalar') return make(n, 'scalar', args.map(point), { body: (c) => `const s${n.id} = ${emit(args.map((a) => c.sc(a)), n)};` });
    return make(n, 'map', args.map(point), { body: (c) => `const t${n.id} = ${emit(args.map((a) => (a.scalar ? c.sc(a) : c.at(a))), n)};` });
  };

  /** Reduction of one array over its elements into a scalar. */
  const reduction = (n: Node, arg: L, stepExpr: (x: string) => string, finish: (acc: string) => string): L =>
    make(n, 'reduce', [point(arg)], {
      len: arg.size,
      init: () => `let r${n.id} = 0;`,
      step: (c) => `r${n.id} += ${stepExpr(c.at(arg))};`,
      finish: () => `const s${n.id} = ${finish(`r${n.id}`)};`,
    });

  const matmul = (n: Node): L => {
    const [x, y] = n.args.map(resolve);
    const X = get(x);
    const Y = get(y);
    if (X.scalar || Y.scalar) return elementwise(n, ([a, b]) => `(${a} * ${b})`);
    // Logical sizes come from the operands' own shapes (an aliased transpose of a vector has its target's).
    const [M, K] = dimsOfNode(n.args[0]);
    const P = dimsOfNode(n.args[1])[1];
    if (x.op === 'identity') return aliasOf(n, y);
    if (y.op === 'identity') return aliasOf(n, x);
    const self = () => lOf.get(n)!;
    if (x.op === 'diag') {
      const d = get(x.args[0]);
      if (P === 1) return make(n, 'map', [point(d), point(Y)], { body: (c) => `const t${n.id} = ${c.at(d)} * ${c.at(Y)};` });
      return make(n, 'map', [whole(d), point(Y)], { body: (c) => `const t${n.id} = ${c.at(d, `((i / ${P}) | 0)`)} * ${c.at(Y)};` });
    }
    if (y.op === 'diag') {
      const d = get(y.args[0]);
      if (M === 1) return make(n, 'map', [point(X), point(d)], { body: (c) => `const t${n.id} = ${c.at(X)} * ${c.at(d)};` });
      return make(n, 'map', [point(X), whole(d)], { body: (c) => `const t${n.id} = ${c.at(X)} * ${c.at(d, `(i % ${P})`)};` });
    }
    if (M * P === 1) {
      // row · column: a dot product, reduced over K.
      return make(n, 'reduce', [point(X), point(Y)], {
        len: K,
        init: () => `let r${n.id} = 0;`,
        step: (c) => `r${n.id} += ${c.at(X)} * ${c.at(Y)};`,
        // A 1×1 matrix result (literal sizes of 1) lives in a buffer like any non-scalar.
        finish: (c) => (n.shape.kind === 'scalar' ? `const s${n.id} = r${n.id};` : `${c.buf(self())}[0] = r${n.id};`),
      });
    }
    if (K === 1) {
      // outer product u vᵀ
      return make(n, 'map', [whole(X), whole(Y)], { body: (c) => `const t${n.id} = ${c.at(X, `((i / ${P}) | 0)`)} * ${c.at(Y, `(i % ${P})`)};` });
    }
    if (P === 1) {
      const A = view(x);
      if (!A.t) {
        // A v, A stored by rows: one dot product per output element.
        return make(n, 'map', [whole(A.base), whole(Y)], {
          body: (c) => `let t${n.id} = 0; for (let k = 0, o = i * ${K}; k < ${K}; k++) t${n.id} += ${c.at(A.base, 'o + k')} * ${c.at(Y, 'k')};`,
        });
      }
      // Bᵀ v with B (K×M) stored by rows: accumulate v_k · (row k of B) — one pass over B's rows.
      return make(n, 'reduce', [whole(A.base), point(Y)], {
        len: K,
        init: (c) => `${c.buf(self())}.fill(0);`,
        step: (c) => `{ const u = ${c.at(Y)}; if (u !== 0) { const o = i * ${M}; for (let j = 0; j < ${M}; j++) ${c.buf(self())}[j] += u * ${c.at(A.base, 'o + j')}; } }`,
        finish: () => '',
      });
    }
    if (M === 1) {
      const B = view(y);
      if (B.t) {
        // uᵀ Aᵀ with A (P×K) stored by rows: one dot product per output element.
        return make(n, 'map', [whole(B.base), whole(X)], {
          body: (c) => `let t${n.id} = 0; for (let k = 0, o = i * ${K}; k < ${K}; k++) t${n.id} += ${c.at(X, 'k')} * ${c.at(B.base, 'o + k')};`,
        });
      }
      // uᵀ B with B stored by rows: accumulate u_k · (row k of B).
      return make(n, 'reduce', [point(X), whole(B.base)], {
        len: K,
        init: (c) => `${c.buf(self())}.fill(0);`,
        step: (c) => `{ const u = ${c.at(X)}; if (u !== 0) { const o = i * ${P}; for (let j = 0; j < ${P}; j++) ${c.buf(self())}[j] += u * ${c.at(B.base, 'o + j')}; } }`,
        finish: () => '',
      });
    }
    const A = view(x);
    const B = view(y);
    const st = (v: { base: L; t: boolean }) => (v.t ? `1, ${v.base.cols}` : `${v.base.cols}, 1`);
    return make(n, 'kernel', [whole(A.base), whole(B.base)], {
      body: (c) => `H.matmul(${c.buf(self())}, ${c.arr(A.base)}, ${st(A)}, ${c.arr(B.base)}, ${st(B)}, ${M}, ${K}, ${P});`,
    });
  };

  const aliasOf = (n: Node, target: Node): L => {
    alias.set(n, resolve(target));
    return get(target);
  };

  const lower = (n: Node): void => {
    const def = opDef(n.op);
    const [rows, cols] = dimsOfNode(n);
    switch (n.op) {
      case 'const': {
        const lit = numberLiteral(n.attr);
        make(n, 'inline', [], { inlineScalar: lit, inlineAt: () => lit });
        return;
      }
      case 'size': {
        const lit = numberLiteral(resolveDim(n.attr as string, env));
        make(n, 'inline', [], { inlineScalar: lit, inlineAt: () => lit });
        return;
      }
      case 'identity':
        make(n, 'inline', [], { inlineAt: (idx) => `(${idx} % ${rows + 1} === 0 ? 1 : 0)` });
        return;
      case 'unit': {
        const literal = typeof n.attr === 'number' ? intLiteral(n.attr) : undefined;
        make(n, 'inline', [], { inlineAt: (idx) => `(${idx} + 1 === ${literal ?? indexVar(String(n.attr))} ? 1 : 0)` });
        return;
      }
      case 'var':
      case 'tangent': {
        make(n, 'input', []);
        return;
      }
      case 'transpose': {
        const a = get(n.args[0]);
        if (a.scalar || a.rows === 1 || a.cols === 1) {
          aliasOf(n, n.args[0]);
          return;
        }
        const inner = resolve(n.args[0]);
        if (inner.op === 'transpose') {
          aliasOf(n, inner.args[0]);
          return;
        }
        // A materialised transpose (only when someone needs its elements): a gather.
        const [p, q] = dimsOfNode(n.args[0]);
        make(n, 'map', [whole(a)], { body: (c) => `const t${n.id} = ${c.at(a, `(i % ${p}) * ${q} + ((i / ${p}) | 0)`)};` });
        return;
      }
      case 'matmul':
        matmul(n);
        return;
      case 'dot': {
        const [a, b] = n.args.map(get);
        make(n, 'reduce', [point(a), point(b)], {
          len: a.size,
          init: () => `let r${n.id} = 0;`,
          step: (c) => `r${n.id} += ${c.at(a)} * ${c.at(b)};`,
          finish: () => `const s${n.id} = r${n.id};`,
        });
        return;
      }
      case 'sum':
      case 'mean':
      case 'norm': {
        const a = get(n.args[0]);
        if (a.scalar) {
          if (n.op === 'norm') make(n, 'scalar', [point(a)], { body: (c) => `const s${n.id} = Math.sqrt(${c.sc(a)} * ${c.sc(a)});` });
          else aliasOf(n, n.args[0]);
          return;
        }
        if (n.op === 'sum') reduction(n, a, (x) => x, (r) => r);
        else if (n.op === 'mean') reduction(n, a, (x) => x, (r) => `${r} / ${a.size}`);
        else reduction(n, a, (x) => `${x} * ${x}`, (r) => `Math.sqrt(${r})`);
        return;
      }
      case 'tr': {
        const a = get(n.args[0]);
        if (a.scalar) return void aliasOf(n, n.args[0]);
        const { base } = view(n.args[0]);
        const stride = base.cols + 1;
        make(n, 'scalar', [whole(base)], { body: (c) => `let s${n.id} = 0; for (let k = 0; k < ${base.rows}; k++) s${n.id} += ${c.at(base, `k * ${stride}`)};` });
        return;
      }
      case 'det':
      case 'inv': {
        const a = get(n.args[0]);
        if (a.scalar) {
          // The reference's LU of a 1×1 matrix: det(a) = a; inv(a) = 1/a, singular at 0.
          if (n.op === 'det') aliasOf(n, n.args[0]);
          else {
            const m = message('The matrix is singular, so it has no inverse.');
            make(n, 'scalar', [point(a)], { body: (c) => `const s${n.id} = ${c.sc(a)} === 0 ? H.fail(${m}) : 1 / ${c.sc(a)};` });
          }
          return;
        }
        const v = view(n.args[0]);
        const st = v.t ? `1, ${v.base.cols}` : `${v.base.cols}, 1`;
        if (n.op === 'det') make(n, 'scalar', [whole(v.base)], { body: (c) => `const s${n.id} = H.det(${c.arr(v.base)}, ${st}, ${v.base.rows});` });
        else make(n, 'kernel', [whole(v.base)], { body: (c) => `H.inv(${c.buf(lOf.get(n)!)}, ${c.arr(v.base)}, ${st}, ${rows});` });
        return;
      }
      case 'diag': {
        const d = get(n.args[0]);
        const k = rows + 1;
        make(n, 'map', [whole(d)], { body: (c) => `const t${n.id} = (i % ${k} === 0 ? ${c.at(d, `((i / ${k}) | 0)`)} : 0);` });
        return;
      }
      case 'diagvec': {
        const a = get(n.args[0]);
        if (a.scalar) return void aliasOf(n, n.args[0]);
        const { base } = view(n.args[0]);
        make(n, 'map', [whole(base)], { body: (c) => `const t${n.id} = ${c.at(base, `i * ${base.cols + 1}`)};` });
        return;
      }
      case 'vec': {
        const args = n.args.map(get);
        if (n.shape.kind === 'vector') {
          make(n, 'kernel', args.map(point), { body: (c) => args.map((a, i) => `${c.buf(lOf.get(n)!)}[${i}] = ${c.sc(a)};`).join(' ') });
        } else {
          make(n, 'kernel', args.map(whole), {
            body: (c) => args.map((a, i) => `for (let j = 0; j < ${cols}; j++) ${c.buf(lOf.get(n)!)}[${i * cols} + j] = ${c.at(a, 'j')};`).join(' '),
          });
        }
        return;
      }
      case 'index': {
        const a = get(n.args[0]);
        const len = a.size;
        if (typeof n.attr === 'number') {
          const k = n.attr;
          if (!Number.isInteger(k) || k < 1 || k > len) {
            const m = message(`Index ${k} is out of range for a vector of length ${len}.`);
            make(n, 'scalar', [], { body: () => `const s${n.id} = H.fail(${m});` });
          } else {
            make(n, 'scalar', [whole(a)], { body: (c) => `const s${n.id} = ${c.at(a, intLiteral(k - 1))};` });
          }
          return;
        }
        const m = message(`Index ${String(n.attr)} is out of range for a vector of length ${len}.`);
        make(n, 'scalar', [whole(a)], {
          body: (c) => {
            const J = indexVar(String(n.attr));
            return `const s${n.id} = (${J} >= 1 && ${J} <= ${len} ? ${c.at(a, `${J} - 1`)} : H.fail(${m}));`;
          },
        });
        return;
      }
      case 'deriv':
        throw new EvalError('internal: derivative forms must be replaced by their results (lowerDerivatives) before compiling');
      default:
        if (def.emitElement) elementwise(n, def.emitElement.bind(def));
        else fallback(n);
    }
  };

  for (const n of order) lower(n);

  // ---- what is needed ------------------------------------------------------------------------------------
  const rootLs = roots.map(get);
  const needed: L[] = [];
  {
    const stack = [...rootLs];
    while (stack.length) {
      const l = stack.pop()!;
      if (l.needed) continue;
      l.needed = true;
      needed.push(l);
      for (const d of l.deps) stack.push(d.l);
    }
    needed.sort((a, b) => a.order - b.order);
    for (const l of needed) {
      if (l.kind !== 'input') continue;
      const name = l.node.op === 'var' ? String(l.node.attr) : tangentKey(String(l.node.attr));
      let slot = inputSlot.get(name);
      if (slot === undefined) {
        slot = inputs.length;
        inputs.push({ name, rows: l.rows, cols: l.cols });
        inputSlot.set(name, slot);
      } else if (inputs[slot].rows * inputs[slot].cols !== l.size) {
        throw new EvalError(`internal: '${name}' is used with two different sizes`);
      }
      l.slot = slot;
    }
    for (const l of needed) for (const d of l.deps) d.l.users.push({ l, access: d.access });
  }

  // ---- fusion: clusters of maps and reductions over the same loop ----------------------------------------------
  const parent = new Map<L, L>();
  const members = new Map<L, L[]>();
  const find = (l: L): L => {
    let r = l;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let m = l;
    while (m !== r) {
      const next = parent.get(m)!;
      parent.set(m, r);
      m = next;
    }
    return r;
  };
  const isLoop = (l: L) => l.kind === 'map' || l.kind === 'reduce';
  const unitOf = (l: L): L | undefined => (isLoop(l) ? find(l) : l.kind === 'scalar' || l.kind === 'kernel' ? l : undefined);
  // Units a unit depends on, kept per unit and normalised lazily (merged units collapse onto their root).
  const depSets = new Map<L, Set<L>>();
  const ownDeps = (l: L): Set<L> => {
    const out = new Set<L>();
    for (const d of l.deps) {
      const du = unitOf(d.l);
      if (du) out.add(du);
    }
    return out;
  };
  const unitDeps = (u: L): Set<L> => {
    const raw = depSets.get(u) ?? ownDeps(u);
    const out = new Set<L>();
    for (const d of raw) {
      const r = unitOf(d)!;
      if (r !== u) out.add(r);
    }
    depSets.set(u, out);
    return out;
  };
  /** Does any unit in `from` (transitively) depend on a unit in `targets`? */
  const reaches = (from: Iterable<L>, targets: Set<L>): boolean => {
    const seen = new Set<L>();
    const stack = [...from];
    while (stack.length) {
      const u = stack.pop()!;
      if (targets.has(u)) return true;
      if (seen.has(u)) continue;
      seen.add(u);
      for (const d of unitDeps(u)) if (!seen.has(d)) stack.push(d);
    }
    return false;
  };

  for (const l of needed) {
    if (!isLoop(l)) continue;
    parent.set(l, l);
    members.set(l, [l]);
    if (!fuse) continue;
    const cands = new Set<L>();
    for (const d of l.deps) if (d.access === 'point' && d.l.kind === 'map' && d.l.len === l.len) cands.add(find(d.l));
    for (const d of l.deps) {
      const u = unitOf(d.l);
      if (u && cands.has(u) && !(d.access === 'point' && d.l.kind === 'map')) cands.delete(u);
    }
    const chosen = new Set<L>();
    const sorted = [...cands].sort((a, b) => b.order - a.order);
    for (const c of sorted) {
      const trial = new Set([...chosen, c]);
      const ext = new Set<L>();
      let ok = true;
      for (const d of l.deps) {
        const u = unitOf(d.l);
        if (u && !trial.has(u)) ext.add(u);
        if (u && trial.has(u) && !(d.access === 'point' && d.l.kind === 'map')) ok = false;
      }
      for (const t of trial) for (const u of unitDeps(t)) {
        if (trial.has(u)) ok = false;
        else ext.add(u);
      }
      if (ok && !reaches(ext, trial)) chosen.add(c);
    }
    if (!chosen.size) continue;
    // Union by size: the largest cluster stays the root, the others (and l) move into it.
    const group = [l, ...chosen];
    const root = group.reduce((best, c) => (members.get(c)!.length > members.get(best)!.length ? c : best));
    const merged = new Set<L>();
    const mine = members.get(root)!;
    for (const c of group) {
      for (const d of unitDeps(c)) merged.add(d);
      if (c === root) continue;
      for (const m of members.get(c)!) mine.push(m);
      members.delete(c);
      depSets.delete(c);
      parent.set(c, root);
    }
    depSets.set(root, merged);
  }

  // ---- buffers ---------------------------------------------------------------------------------------------
  const buffers: Float64Array[] = [];
  const consts: Float64Array[] = [];
  const rootSet = new Set(rootLs);
  const newBuffer = (size: number) => buffers.push(new Float64Array(size)) - 1;
  for (const l of needed) {
    if (l.kind === 'map') {
      const u = find(l);
      if (rootSet.has(l) || l.users.some((d) => d.access !== 'point' || unitOf(d.l) !== u)) l.buffer = newBuffer(l.size);
    } else if ((l.kind === 'reduce' || l.kind === 'kernel') && !l.scalar) {
      l.buffer = newBuffer(l.size);
    }
  }
  const constBuffer = (l: L): string => {
    if (l.constBuffer === undefined) {
      const data = new Float64Array(l.size);
      if (l.node.op === 'const') data.fill(l.node.attr as number);
      else if (l.node.op === 'identity') for (let i = 0; i < l.rows; i++) data[i * l.rows + i] = 1;
      else l.unitIndexBuffer = true; // e_j: filled at the start of each run
      l.constBuffer = consts.push(data) - 1;
    }
    return `c${l.constBuffer}`;
  };

  // ---- code generation -----------------------------------------------------------------------------------
  let currentUnit: L | undefined;
  const ctx: Ctx = {
    at(l, idx = 'i') {
      switch (l.kind) {
        case 'inline':
          // Templates splice the index into arithmetic (`idx % (n + 1)`), so it goes in as one operand.
          return l.inlineAt!(/^\w+$/.test(idx) ? idx : `(${idx})`);
        case 'input':
          return `x${l.slot}[${idx}]`;
        default:
          if (idx === 'i' && l.kind === 'map' && currentUnit && find(l) === currentUnit) return `t${l.id}`;
          if (l.buffer === undefined) throw new EvalError(`internal: node ${l.id} has no buffer`);
          return `b${l.buffer}[${idx}]`;
      }
    },
    arr(l) {
      if (l.kind === 'input') return `x${l.slot}`;
      if (l.kind === 'inline') return constBuffer(l);
      if (l.buffer === undefined) throw new EvalError(`internal: node ${l.id} has no buffer`);
      return `b${l.buffer}`;
    },
    sc(l) {
      if (l.kind === 'inline') {
        if (l.inlineScalar === undefined) throw new EvalError(`internal: node ${l.id} is not a scalar`);
        return l.inlineScalar;
      }
      return `s${l.id}`;
    },
    buf(l) {
      return `b${l.buffer!}`;
    },
  };

  // Units in dependency order (ties: original order).
  const units: L[] = [];
  {
    const all = new Set<L>();
    for (const l of needed) {
      const u = unitOf(l);
      if (u) all.add(u);
    }
    const minOrder = new Map<L, number>();
    for (const u of all) {
      let min = Infinity;
      for (const m of members.get(u) ?? [u]) min = Math.min(min, m.order);
      minOrder.set(u, min);
    }
    const deps = new Map<L, Set<L>>();
    const waiting = new Map<L, number>();
    const users = new Map<L, L[]>();
    for (const u of all) {
      const ds = unitDeps(u);
      deps.set(u, ds);
      waiting.set(u, ds.size);
      for (const d of ds) {
        const us = users.get(d);
        if (us) us.push(u);
        else users.set(d, [u]);
      }
    }
    // Kahn's algorithm with a binary heap on the original order.
    const heap: L[] = [];
    const key = (u: L) => minOrder.get(u)!;
    const push = (u: L) => {
      heap.push(u);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (key(heap[p]) <= key(heap[i])) break;
        [heap[p], heap[i]] = [heap[i], heap[p]];
        i = p;
      }
    };
    const pop = (): L => {
      const top = heap[0];
      const last = heap.pop()!;
      if (heap.length) {
        heap[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && key(heap[l]) < key(heap[m])) m = l;
          if (r < heap.length && key(heap[r]) < key(heap[m])) m = r;
          if (m === i) break;
          [heap[m], heap[i]] = [heap[i], heap[m]];
          i = m;
        }
      }
      return top;
    };
    for (const u of all) if (waiting.get(u) === 0) push(u);
    while (heap.length) {
      const u = pop();
      units.push(u);
      for (const v of users.get(u) ?? []) {
        const w = waiting.get(v)! - 1;
        waiting.set(v, w);
        if (w === 0) push(v);
      }
    }
    if (units.length !== all.size) throw new EvalError('internal: the compiled plan has a cycle');
  }

  const lines: string[] = [];
  let loops = 0;
  let kernels = 0;
  for (const u of units) {
    if (!isLoop(u)) {
      currentUnit = undefined;
      lines.push(`  ${u.body!(ctx)}`);
      if (u.kind === 'kernel') kernels++;
      continue;
    }
    loops++;
    currentUnit = u;
    const ms = [...members.get(u)!].sort((a, b) => a.order - b.order);
    const len = ms[0].len;
    const pre: string[] = [];
    const body: string[] = [];
    const post: string[] = [];
    for (const m of ms) {
      if (m.kind === 'map') {
        body.push(m.body!(ctx));
        if (m.buffer !== undefined) body.push(`b${m.buffer}[i] = t${m.id};`);
      } else {
        pre.push(m.init!(ctx));
        body.push(m.step!(ctx));
        const f = m.finish!(ctx);
        if (f) post.push(f);
      }
    }
    for (const p of pre) if (p) lines.push(`  ${p}`);
    lines.push(`  for (let i = 0; i < ${len}; i++) {`);
    for (const b of body) lines.push(`    ${b}`);
    lines.push('  }');
    for (const p of post) lines.push(`  ${p}`);
  }
  currentUnit = undefined;

  // Outputs: plan buffers where the value already lives in one, else a copy into an output buffer.
  const outLines: string[] = [];
  const outputs: Tensor[] = [];
  const outputOf = new Map<L, Tensor>();
  for (const l of rootLs) {
    let t = outputOf.get(l);
    if (!t) {
      if (l.buffer !== undefined) {
        t = { rows: l.rows, cols: l.cols, data: buffers[l.buffer] };
      } else {
        const k = newBuffer(l.size);
        t = { rows: l.rows, cols: l.cols, data: buffers[k] };
        if (l.scalar) outLines.push(`  b${k}[0] = ${ctx.sc(l)};`);
        else if (l.kind === 'input') outLines.push(`  b${k}.set(x${l.slot});`);
        else outLines.push(`  b${k}.set(${ctx.arr(l)});`);
      }
      outputOf.set(l, t);
    }
    outputs.push(t);
  }

  const unitFills: string[] = [];
  for (const l of lOf.values()) {
    if (l.unitIndexBuffer) unitFills.push(`  for (let i = 0; i < ${l.size}; i++) c${l.constBuffer}[i] = ${l.inlineAt!('i')};`);
  }
  const head: string[] = [];
  for (let k = 0; k < inputs.length; k++) head.push(`  const x${k} = X[${k}];`);
  for (const l of needed) if (l.kind === 'input' && l.scalar) head.push(`  const s${l.id} = x${l.slot}[0];`);
  for (let k = 0; k < indexNames.length; k++) head.push(`  const J${k} = I[${k}];`);
  head.push(...unitFills);

  const source = [
    "'use strict';",
    ...buffers.map((_, k) => `const b${k} = B[${k}];`),
    ...consts.map((_, k) => `const c${k} = C[${k}];`),
    'return function run(X, I) {',
    ...head,
    ...lines,
    ...outLines,
    '};',
  ].join('\n');

  const helpers = makeHelpers(messages, fallbacks);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const fn = new Function('H', 'B', 'C', source)(helpers, buffers, consts) as (X: readonly Float64Array[], I: readonly number[]) => void;

  const scratch = inputs.map((i) => new Float64Array(i.rows * i.cols));
  const inputArrays: Float64Array[] = new Array(inputs.length);
  const indexValues: number[] = new Array(indexNames.length).fill(0);

  const runSlots = (xs: readonly Float64Array[], is: readonly number[] = indexValues): Tensor[] => {
    if (xs.length !== inputs.length) throw new EvalError(`internal: expected ${inputs.length} inputs, got ${xs.length}`);
    for (let k = 0; k < inputs.length; k++) {
      if (xs[k].length !== inputs[k].rows * inputs[k].cols) {
        throw new EvalError(`'${inputs[k].name}' has ${xs[k].length} elements, but ${inputs[k].rows}×${inputs[k].cols} are expected.`);
      }
    }
    fn(xs, is);
    return outputs;
  };

  const bind = (vars: ReadonlyMap<string, InputValue>, indices?: ReadonlyMap<string, number>) => {
    for (let k = 0; k < inputs.length; k++) {
      const v = vars.get(inputs[k].name);
      if (v === undefined) throw new EvalError(inputs[k].name.startsWith('d:') ? `No direction for d${inputs[k].name.slice(2)}.` : `No value for '${inputs[k].name}'.`);
      if (typeof v === 'number') {
        scratch[k][0] = v;
        inputArrays[k] = scratch[k];
      } else {
        inputArrays[k] = v instanceof Float64Array ? v : v.data;
      }
    }
    for (let k = 0; k < indexNames.length; k++) {
      const j = indices?.get(indexNames[k]);
      if (j === undefined) throw new EvalError(`No value for the index ${indexNames[k]}.`);
      indexValues[k] = j;
    }
  };

  let bufferElements = 0;
  let largestBuffer = 0;
  for (const b of [...buffers, ...consts]) {
    bufferElements += b.length;
    largestBuffer = Math.max(largestBuffer, b.length);
  }
  return {
    inputs,
    indexNames,
    source,
    stats: { loops, kernels, buffers: buffers.length + consts.length, bufferElements, largestBuffer },
    run(vars, indices) {
      bind(vars, indices);
      return runSlots(inputArrays, indexValues);
    },
    evaluate(vars, indices) {
      bind(vars, indices);
      return runSlots(inputArrays, indexValues).map((t) => ({ rows: t.rows, cols: t.cols, data: Float64Array.from(t.data) }));
    },
    runSlots,
  };
}
