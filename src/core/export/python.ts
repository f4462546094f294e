// Export a scalar function's gradient as a self-contained Python module (NumPy, PyTorch or JAX):
// `value_and_grad(**values) -> (value, {name: gradient})` computed from the engine's symbolic formulas (not the
// library's autodiff), shared intermediates computed once, shape checks with plain messages, the formulas in
// docstrings, and a self-check (`python3 F.py`) against central differences and, for PyTorch and JAX, the
// library's own gradients. The road for users who outgrow one machine: the same gradient in distributed training.

import type { Analysis } from '../analyze.ts';
import { type Node, topoOrder } from '../ir.ts';
import { opDef } from '../ops/registry.ts';
import type { PythonContext } from '../ops/types.ts';
import type { Dim, Shape } from '../shape.ts';
import { formatShape } from '../shape.ts';
import { namesExcept, toText } from '../print.ts';
import { definitionNames } from '../diff/result.ts';
import { type Variable, gradient, lowerDerivatives } from '../diff/engine.ts';
import { type Backend, type BackendCode, backendCode } from './backends.ts';
import { selfCheckCode } from './selfCheck.ts';
import { notADefinition, notAVariable } from '../commandNames.ts';

/** Why a module cannot be exported: the command line asks for something the document does not have (`usage`), or the document cannot be exported as it is (`input`). */
export class ExportError extends Error {
  constructor(
    message: string,
    readonly kind: 'usage' | 'input',
  ) {
    super(message);
  }
}

export interface ExportOptions {
  /** The scalar definition to differentiate. */
  of: string;
  /** Variables to take the gradient with respect to (default: every variable `of` depends on). */
  wrt?: readonly string[];
  backend: Backend;
  /** The document's file name, for the module's docstring. */
  source: string;
}

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
/** Names the module itself uses. */
const RESERVED = new Set(['xp', 'np', 'DTYPE', 'dims', 'value', 'value_and_grad', 'torch', 'jax', 'sys', 'SHAPES', 'GRADIENT_OF', 'LIBRARY']);

/** A Python identifier for a document name: letters (Greek included), digits and _, never a keyword. */
function pyIdentifier(name: string, taken: Set<string>): string {
  let id = name.replace(/[₀-₉]/g, (d) => String(d.charCodeAt(0) - 0x2080)).replace(/[^\p{L}\p{Nd}_]/gu, '_');
  if (/^[\d_]/.test(id)) id = `v${id}`; // a leading _ would read as one of the module's own helpers
  while (PY_KEYWORDS.has(id) || RESERVED.has(id) || taken.has(id)) id = `${id}_`;
  taken.add(id);
  return id;
}

function pyNumber(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? 'float("inf")' : v < 0 ? 'float("-inf")' : 'float("nan")';
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function pyDim(d: Dim): string {
  return typeof d === 'number' ? String(d) : `dims[${JSON.stringify(d)}]`;
}

function shapeTuple(s: Shape): string {
  if (s.kind === 'scalar') return '()';
  if (s.kind === 'matrix') return `(${pyDim(s.m)}, ${pyDim(s.n)})`;
  return `(${pyDim(s.n)},)`;
}

/** The shape of a variable as the module declares it: a tuple of dimension names or sizes. */
function declaredShape(s: Shape): string {
  const d = (x: Dim) => (typeof x === 'number' ? String(x) : JSON.stringify(x));
  if (s.kind === 'scalar') return '()';
  if (s.kind === 'matrix') return `(${d(s.m)}, ${d(s.n)})`;
  return `(${d(s.n)},)`;
}

/** Long inline expressions get their own line, as do shared ones and the user's definitions. */
const MAX_INLINE = 72;

interface Emitted {
  lines: string[];
  atoms: Map<Node, string>;
}

/** Straight-line code computing `roots`; every node is computed once. */
function emit(roots: readonly Node[], params: Map<string, string>, userNames: Map<Node, string>, taken: Set<string>): Emitted {
  const order = topoOrder(roots);
  const uses = new Map<Node, number>();
  for (const n of order) for (const a of n.args) uses.set(a, (uses.get(a) ?? 0) + 1);
  const rootSet = new Set(roots);
  const atoms = new Map<Node, string>();
  const lines: string[] = [];
  let temps = 0;
  const temp = () => {
    let t: string;
    do t = `t${++temps}`;
    while (taken.has(t));
    taken.add(t);
    return t;
  };
  for (const n of order) {
    const expr = nodeCode(n, atoms, params);
    const user = userNames.get(n);
    const leaf = n.args.length === 0 && (n.op !== 'const' || n.shape.kind === 'scalar');
    if (leaf || (!rootSet.has(n) && !user && (uses.get(n) ?? 0) <= 1 && expr.length <= MAX_INLINE)) {
      atoms.set(n, expr);
      continue;
    }
    const name = user ? pyIdentifier(user, taken) : temp();
    lines.push(`${name} = ${expr}`);
    atoms.set(n, name);
  }
  return { lines, atoms };
}

function nodeCode(n: Node, atoms: Map<Node, string>, params: Map<string, string>): string {
  const lower = opDef(n.op).python;
  const py: PythonContext = { param: (name) => params.get(name)!, number: pyNumber, dim: pyDim, shape: shapeTuple };
  const code = typeof lower === 'function' ? lower(n.args.map((a) => atoms.get(a)!), n, py) : undefined;
  if (code === undefined) throw new ExportError(`mcalc cannot write ${n.op} in Python: it appears only in directional or index-form results, which are not gradients.`, 'input');
  return code;
}

/** The module's source text. */
export function exportGradient(analysis: Analysis, opts: ExportOptions): string {
  const def = analysis.definition(opts.of);
  if (!def) throw new ExportError(notADefinition(analysis, opts.of)!, 'usage');
  if (!def.node) throw new ExportError(`'${opts.of}' has errors; fix them before exporting.`, 'input');
  const b = analysis.builder;
  const f = lowerDerivatives(b, def.node, analysis.layout, (name) => analysis.variable(name));
  if (f.shape.kind !== 'scalar') {
    throw new ExportError(`'${opts.of}' is ${formatShape(f.shape)}: export writes the gradient of a scalar function (a loss). Export a scalar such as sum(${opts.of}) or a loss built from it.`, 'usage');
  }
  const inputs = analysis.variables.filter((v) => f.vars.has(v.name));
  const wrt = resolveWrt(analysis, opts.wrt ?? inputs.map((v) => v.name));
  const grads = wrt.map((x) => gradient(b, f, x));
  const names = definitionNames(analysis);
  const taken = new Set<string>();
  const params = new Map(inputs.map((v) => [v.name, pyIdentifier(v.name, taken)]));
  for (const x of wrt) if (!params.has(x.name)) params.set(x.name, pyIdentifier(x.name, taken));
  const allInputs: Variable[] = [...inputs, ...wrt.filter((x) => !inputs.some((v) => v.name === x.name))];
  const full = emit([f, ...grads], params, names, new Set(taken));
  const valueOnly = emit([f], params, names, new Set(taken));
  const code = backendCode(opts.backend);
  const signature = allInputs.map((v) => params.get(v.name)!).join(', ');
  const py = (v: Variable) => JSON.stringify(params.get(v.name)!);
  const unpack = `${signature}${allInputs.length === 1 ? ',' : ''} = (v[k] for k in (${allInputs.map(py).join(', ')}${allInputs.length === 1 ? ',' : ''}))`;
  const formulas = [...definitionLines(f, names), ...wrt.map((x, k) => `grad(${opts.of}, ${x.name}) = ${toText(grads[k], { names })}`)];
  const gradDict = wrt.map((x, k) => `${py(x)}: _asarray(${full.atoms.get(grads[k])})`).join(', ');
  return [
    `"""Value and gradient of ${opts.of} with respect to ${wrt.map((x) => x.name).join(', ')}, exported by mcalc from ${opts.source} (${code.library}).`,
    '',
    'Computed from the symbolic formulas (numerator layout; each gradient has its variable\'s shape):',
    '',
    ...formulas.map((l) => `    ${docText(l)}`),
    '',
    'Run `python3 <this file>` for a self-check against central differences.',
    '"""',
    'import importlib.util',
    'import sys',
    '',
    ...requirements(code),
    '',
    'import numpy as np',
    code.prelude,
    '',
    `SHAPES = {${allInputs.map((v) => `${py(v)}: ${declaredShape(v.shape)}`).join(', ')}}`,
    `GRADIENT_OF = (${wrt.map(py).join(', ')}${wrt.length === 1 ? ',' : ''})`,
    `LIBRARY = ${JSON.stringify(code.library)}`,
    '',
    INPUTS_CODE,
    '',
    `def value(*, ${signature}):`,
    `    """${docText(`The value of ${opts.of}.`)}"""`,
    `    v, dims = _inputs(${dictOf(allInputs, params)})`,
    `    ${unpack}`,
    ...valueOnly.lines.map((l) => `    ${l}`),
    `    return ${valueOnly.atoms.get(f)}`,
    '',
    '',
    `def value_and_grad(*, ${signature}):`,
    `    """(${opts.of}, {name: gradient}) with ${wrt.map((x) => `grad(${opts.of}, ${x.name})`).join(', ')}."""`,
    `    v, dims = _inputs(${dictOf(allInputs, params)})`,
    `    ${unpack}`,
    ...full.lines.map((l) => `    ${l}`),
    `    return ${full.atoms.get(f)}, {${gradDict}}`,
    '',
    '',
    code.autodiff,
    '',
    selfCheckCode(code.toNumpy),
  ].join('\n');
}

/** The document's definitions that f is built from, innermost first, each in terms of the others. */
function definitionLines(f: Node, names: Map<Node, string>): string[] {
  const lines: string[] = [];
  for (const n of topoOrder([f])) {
    const name = names.get(n);
    if (name !== undefined) lines.push(`${name} = ${toText(n, { names: namesExcept(names, n) })}`);
  }
  return lines;
}

function dictOf(vars: readonly Variable[], params: Map<string, string>): string {
  return `{${vars.map((v) => `${JSON.stringify(params.get(v.name))}: ${params.get(v.name)}`).join(', ')}}`;
}

/** Text safe inside a triple-quoted docstring. */
function docText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
}

function resolveWrt(analysis: Analysis, names: readonly string[]): Variable[] {
  if (!names.length) throw new ExportError('The function depends on no variable: there is no gradient to export.', 'input');
  return names.map((name) => {
    const v = analysis.variable(name);
    if (!v) throw new ExportError(`${notAVariable(analysis, name)} --wrt takes variables, e.g. --wrt w,b.`, 'usage');
    return v;
  });
}

const INPUTS_CODE = `def _inputs(values):
    """Converts the inputs and checks their shapes; returns them with the sizes of the dimensions."""
    dims = {}
    out = {}
    for name, shape in SHAPES.items():
        v = _asarray(values[name])
        if v.ndim != len(shape):
            want = "a scalar" if not shape else f"an array of shape {shape}"
            raise ValueError(f"{name} should be {want}, but it has shape {tuple(v.shape)}")
        for axis, d in enumerate(shape):
            size = int(v.shape[axis])
            if isinstance(d, int) and size != d:
                raise ValueError(f"{name} should have size {d} along axis {axis}, but it has {size}")
            if isinstance(d, str) and dims.setdefault(d, size) != size:
                raise ValueError(f"{name} has size {size} along axis {axis}, but {d} = {dims[d]} from an earlier input")
        out[name] = v
    return out, dims
`;

/**
 * Lines that stop the module with one plain sentence when a package it imports is missing (the self-check run as
 * `python3 <file>` exits with it; an import raises ImportError with it), instead of Python's traceback.
 */
function requirements(code: BackendCode): string[] {
  const packages = [...new Set(['numpy', code.package])];
  return [
    `for _package in (${packages.map((p) => JSON.stringify(p)).join(', ')},):`,
    '    if importlib.util.find_spec(_package) is None:',
    `        _message = f"This module needs {_package} (pip install {_package}), which is not installed for {sys.executable}."`,
    '        if __name__ == "__main__":',
    '            sys.exit(_message)',
    '        raise ImportError(_message)',
  ];
}
