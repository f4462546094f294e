// `mcalc eval FILE --expr EXPR [--at VALUES.json]`: the numeric value of any expression, derivative forms
// included, with the declared variables bound from a JSON file.

import type { Analysis, DerivativeInfo } from '../core/analyze.ts';
import { deriveResult } from '../core/diff/derivation.ts';
import { lowerDerivatives } from '../core/diff/engine.ts';
import type { Node } from '../core/ir.ts';
import { BudgetError, DEFAULT_MAX_ELEMENTS, elementCount, formatCount, formatSizes, largestNode } from '../core/numeric/budget.ts';
import { evaluateDerivative } from '../core/numeric/derivative.ts';
import { evaluate, evaluateAll, rootValue } from '../core/numeric/evaluate.ts';
import { domainNote } from '../core/numeric/domain.ts';
import { definitionNames } from '../core/diff/result.ts';
import { type EvalEnv, EvalError, resolveDim, shapeDims } from '../core/numeric/tensor.ts';
import type { Layout, Shape } from '../core/shape.ts';
import { bounded } from '../core/source.ts';
import { ValueError, bindValues, nest, parseValues } from '../core/values.ts';
import { CliError, type Io, readInput } from './io.ts';
import { analyzeFile, errorsStop } from './document.ts';

export interface EvalOptions {
  expr: string;
  at?: string;
  maxElements?: string;
  layout?: Layout;
  json?: boolean;
}

/** JSON dims of a plain value: scalar [], vector[n] [n], row [1, n], matrix [m, n]. */
function valueDims(shape: Shape, env: EvalEnv): number[] {
  const [r, c] = shapeDims(shape, env);
  return shape.kind === 'scalar' ? [] : shape.kind === 'vector' ? [r] : [r, c];
}

/** A name for the expression's definition that neither the document nor the expression uses. */
function freshName(text: string): string {
  let name = '__eval__';
  while (text.includes(name)) name += '_';
  return name;
}

/** Refuses (BudgetError) an evaluation whose tensors would exceed the budget, before anything is allocated. */
function ensureAffordable(what: string, roots: readonly Node[], dense: number, env: EvalEnv, maxElements: number): void {
  const at = env.dims.size ? ` at ${formatSizes(env.dims)}` : '';
  const limit = `(the limit is ${formatCount(maxElements)} per tensor, --max-elements)`;
  if (dense > maxElements) throw new BudgetError(`${what} has ${formatCount(dense)} elements${at} ${limit}`);
  const big = largestNode(roots, env.dims);
  if (big && big.elements > maxElements) throw new BudgetError(`a part of ${what} has ${formatCount(big.elements)} elements${at} ${limit}`);
}

/** The value of the expression or derivative form; `note` says where its function leaves its domain, if it does. */
export function evalValue(analysis: Analysis, node: Node | undefined, derivative: DerivativeInfo | undefined, env: EvalEnv, layout: Layout, maxElements = DEFAULT_MAX_ELEMENTS): { shape: number[]; value: unknown; note?: string } {
  const print = { names: definitionNames(analysis) };
  if (derivative) {
    const derived = deriveResult(analysis, derivative, layout);
    const value = derivativeValue(derivative, derived, env, layout, maxElements);
    // The derivative's formula is evaluated on its own; f once more, to say whether it is defined at the point.
    const note = domainNote(evaluateAll([derived.f], env), print);
    return note ? { ...value, note: `${note}: the derivative is printed where its function is not defined` } : value;
  }
  const lowered = lowerDerivatives(analysis.builder, node!, layout, (n) => analysis.variable(n));
  ensureAffordable('the expression', [lowered], elementCount(lowered.shape, env.dims), env, maxElements);
  const values = evaluateAll([lowered], env);
  const v = rootValue(values, lowered, env);
  const dims = valueDims(node!.shape, env);
  const note = domainNote(values, print);
  return { shape: dims, value: nest(v.data, dims), ...(note ? { note } : {}) };
}

function derivativeValue(derivative: DerivativeInfo, { f, result }: ReturnType<typeof deriveResult>, env: EvalEnv, layout: Layout, maxElements: number): { shape: number[]; value: unknown } {
  const dense = elementCount(derivative.form === 'hessian' ? derivative.wrt.shape : f.shape, env.dims) * elementCount(derivative.wrt.shape, env.dims);
  ensureAffordable(derivative.text, [f, ...(result.kind === 'matrix' ? [result.value] : [result.slice])], dense, env, maxElements);
  const dims = derivative.shapes[layout].dims.map((d) => resolveDim(d, env));
  if (result.kind === 'matrix') {
    const v = evaluate(result.value, env);
    if (derivative.form !== 'jacobian') return { shape: valueDims(result.value.shape, env), value: nest(v.data, valueDims(result.value.shape, env)) };
    // A Jacobian keeps its two dims (a 1×1 one is [[v]]), as `shapes` prints them.
    return { shape: dims, value: nest(v.data, dims) };
  }
  const G = evaluateDerivative(result, f, derivative.wrt, derivative.form, layout, env);
  // Canonical data is f-major (numerator order); denominator layout puts x's dims first.
  const data = layout === 'numerator' ? G.data : transposeFlat(G.data, G.fSize, G.xSize);
  return { shape: dims, value: nest(data, dims) };
}

function transposeFlat(data: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}

export function evalCommand(io: Io, file: string, opts: EvalOptions): number {
  if (/[\r\n]/.test(opts.expr)) throw new CliError('--expr must be a single line.', 2);
  const maxElements = opts.maxElements === undefined ? DEFAULT_MAX_ELEMENTS : Number(opts.maxElements);
  if (!Number.isSafeInteger(maxElements) || maxElements < 1) throw new CliError(`--max-elements expects a positive whole number, not '${opts.maxElements}'.`, 2);
  const name = freshName(readInput(file) + opts.expr);
  const { analysis, toReal } = analyzeFile(io, file, opts.layout, `${name} = ${opts.expr}`);
  const exprLine = analysis.lines.lineCount - 1;
  const exprErrors = analysis.diagnostics.filter((d) => d.severity === 'error' && d.range.start.line === exprLine);
  if (exprErrors.length) {
    const offset = `${name} = `.length;
    const plain = (m: string) => bounded(m.split(name).join('the expression'));
    for (const d of exprErrors) io.err(`--expr:${Math.max(1, d.range.start.character - offset + 1)}: error: ${plain(d.message)}${d.hint ? `\n  hint: ${plain(d.hint)}` : ''}\n`);
    return 1;
  }
  const others = { ...analysis, diagnostics: analysis.diagnostics.filter((d) => d.range.start.line !== exprLine) };
  const def = analysis.definition(name)!;
  if (errorsStop(io, file, others, toReal, !!(def.node ?? def.derivative), 'the expression')) return 1;
  const node = def.node ?? def.derivative?.of;
  const needed = new Set<string>([...(node?.vars ?? [])].filter((v) => analysis.variable(v)));
  if (def.derivative) needed.add(def.derivative.wrt.name);
  let env: EvalEnv;
  try {
    const values = opts.at ? parseValues(readInput(opts.at), opts.at) : {};
    env = bindValues(analysis, values, needed);
  } catch (e) {
    if (e instanceof ValueError) throw new CliError(e.message + (opts.at ? '' : ' Give values with --at VALUES.json.'), 1);
    throw e;
  }
  let out: { shape: number[]; value: unknown; note?: string };
  try {
    out = evalValue(analysis, def.derivative ? undefined : def.node, def.derivative, env, analysis.layout, maxElements);
  } catch (e) {
    if (e instanceof EvalError || e instanceof BudgetError) throw new CliError(e.message, 1);
    throw e;
  }
  if (opts.json) io.out(JSON.stringify({ shape: out.shape, value: out.value }) + '\n');
  else io.out(`${opts.expr} : ${out.shape.length ? out.shape.join('×') : 'scalar'}\n${formatValue(out.value)}\n`);
  if (out.note) io.err(`note: ${bounded(out.note)}\n`);
  return 0;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
}

function formatValue(v: unknown, indent = ''): string {
  if (typeof v === 'number') return formatNumber(v);
  const list = v as unknown[];
  if (list.every((x) => typeof x === 'number')) return `[${(list as number[]).map(formatNumber).join(', ')}]`;
  return `[\n${list.map((x) => indent + '  ' + formatValue(x, indent + '  ')).join(',\n')}\n${indent}]`;
}
