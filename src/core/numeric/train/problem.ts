// Setting up a training problem from a document: which variables are parameters and which are data, the
// training objective (the per-sample loss averaged over rows, rewritten into batch form, or a batch loss used
// as is), the engine's symbolic gradients of it, the data (CSV or synthetic), the dimension sizes and the
// initial parameter values. Everything the trainer needs, or a TrainError saying what is wrong.

import { availableParallelism } from 'node:os';
import type { Analysis, VariableInfo } from '../../analyze.ts';
import { analyzeDocument } from '../../document.ts';
import { gradient, lowerDerivatives } from '../../diff/engine.ts';
import { type Node, topoOrder } from '../../ir.ts';
import { opDef } from '../../ops/registry.ts';
import { toText } from '../../print.ts';
import { type Dim, type Shape, dimsOf, formatShape } from '../../shape.ts';
import { bounded, concernsOnlyAClaim } from '../../source.ts';
import { closestName } from '../../suggest.ts';
import { ValueError, bindValues } from '../../values.ts';
import { elementCount, formatCount, formatSizes } from '../budget.ts';
import { createRng } from '../random.ts';
import { EvalError, type Tensor, shapeDims } from '../tensor.ts';
import { Unbatchable, batchRewriter } from './batch.ts';
import { type ColumnSpec, type Dataset, DataError, gatherRows, readCsv, readCsvFile } from './data.ts';
import { type Evaluator, crossCheck, makeEvaluator } from './evaluator.ts';
import { onePassObjective } from './fusedObjective.ts';
import type { OptimizerName } from './optimizers.ts';

/** A value as JSON: a number (scalar), an array (vector) or an array of rows (matrix). */
export type ParamValue = number | number[] | number[][];

export type DataSource =
  /** A CSV file read by the trainer (in the worker, so large files never cross threads). */
  | { csvPath: string }
  /** CSV text already in memory; `fileName` names it in messages. */
  | { csvText: string; fileName?: string }
  /** `rows` samples from a seeded teacher: the document's own model with random parameters, plus noise. */
  | { synthetic: number; noise?: number };

export interface TrainOptions {
  /** The document's text (.mcalc, or Markdown with ```mcalc blocks when `language` is 'markdown'). */
  source: string;
  language?: 'mcalc' | 'markdown';
  /** The document's file name, for messages. */
  fileName?: string;
  /** Name of the (scalar) loss definition. */
  loss: string;
  /** Variables to train; every other declared variable is data. */
  params: readonly string[];
  /** Required unless the loss uses no data variables. */
  data?: DataSource;
  optimizer?: OptimizerName;
  /** Learning rate (PyTorch's default 1e-3). */
  lr?: number;
  /** Momentum factor (0 for 'sgd', 0.9 for 'momentum' unless given). */
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** Adam's (β₁, β₂), default (0.9, 0.999). */
  betas?: readonly [number, number];
  /** Adam's ε, default 1e-8. */
  eps?: number;
  weightDecay?: number;
  /** Default 100. */
  epochs?: number;
  /** 'full' (default) or the mini-batch size (rows are reshuffled every epoch with the seed). */
  batch?: 'full' | number;
  /** Seed of every random choice (init, shuffling, synthetic data); default 0. */
  seed?: number;
  /** 'zeros', 'random' (default) or explicit values per parameter. */
  init?: 'zeros' | 'random' | { values: Record<string, unknown>; fileName?: string };
  /** Sizes of symbolic dimensions (`--dim n=100`); a Map keeps any name (`__proto__` included) a name. */
  dims?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Stop early when the epoch loss changes by at most tol·max(1, |loss|) from one epoch to the next. */
  tol?: number;
  /** 'auto' (batch rewrite when possible) or 'per-row' (always evaluate the per-sample gradient row by row). */
  strategy?: 'auto' | 'per-row';
  /** 'compiled' (default; falls back to the reference interpreter for what it cannot compile) or 'reference'. */
  evaluator?: 'compiled' | 'reference';
  /**
   * 'auto' (default): a loss of the form c·Σ φ(X w, y, b) is evaluated in one fused pass over the data per
   * step; 'plan': always the plain compiled plan (for comparison).
   */
  kernel?: 'auto' | 'plan';
  /** Threads of the one-pass kernel, this one included (default: every core; used only on large data). */
  threads?: number;
}

/** A training request that cannot run: `usage` (bad options, exit code 2) or `input` (document, data; 1). */
export class TrainError extends Error {
  constructor(
    message: string,
    readonly kind: 'usage' | 'input',
  ) {
    super(message);
  }
}

export interface ParamSlot {
  name: string;
  shape: Shape;
  variable: VariableInfo;
  /** The current value (rows × cols), updated in place by the optimiser. */
  value: Tensor;
}

/** How the loss over the data is evaluated. */
export type Method =
  /** Per-sample loss rewritten into batch form (one matrix expression over all rows). */
  | 'batch-rewrite'
  /** The document's loss already takes the whole batch (e.g. X: matrix[N, n]). */
  | 'as-is'
  /** Per-sample gradient evaluated row by row and averaged (when the rewrite does not apply). */
  | 'per-row'
  /** The loss uses no data. */
  | 'no-data';

/** The mean loss (and its gradient) over a set of rows. */
export interface Objective {
  readonly rows: number;
  /**
   * Mean loss over rows idx[start..end) — all rows in order when idx is null — at the current parameter
   * values; the gradients are written into `grads` (one array per parameter) when given.
   */
  evaluate(idx: Int32Array | null, start: number, end: number, grads: Float64Array[] | null): number;
  /** Values of `nodes` (pre-activations, as returned by `kinks`) over every row, flattened. */
  values(nodes: readonly Node[]): Float64Array[];
  /** The evaluator implementations used for the loss and gradients so far ('compiled', 'reference'). */
  readonly evaluators: ReadonlySet<'compiled' | 'reference'>;
  /** Set when the compiled evaluator was found to disagree with the reference interpreter (and is not used). */
  readonly evaluatorNote?: string;
  /** 'one-pass' when a linear-form loss is evaluated in one pass over the data (fusedObjective.ts). */
  readonly kernel?: 'one-pass';
  /** Threads evaluating it right now (1 unless between startThreads and stopThreads). */
  readonly threads?: number;
  /** Chunks of rows the helper threads computed in the last training run. */
  readonly helperChunks?: number;
  /** Start and stop helper threads around a training run (objectives that use them). */
  startThreads?(): void;
  stopThreads?(): void;
}

export interface Kink {
  /** Node whose values decide the ReLU (evaluable by `Objective.values`). */
  pre: Node;
  /** The pre-activation as the user wrote it, e.g. `z = w · x + b`. */
  text: string;
}

export interface Problem {
  analysis: Analysis;
  fileName: string;
  params: ParamSlot[];
  dataVars: string[];
  method: Method;
  /** Why the batch rewrite did not apply (method 'per-row'). */
  methodNote?: string;
  rowDim?: string;
  dims: Map<string, number>;
  dataset: Dataset | null;
  objective: Objective;
  /** The symbolic gradient of the training loss per parameter, as text. */
  gradientText: Record<string, string>;
  /**
   * In the batch form, what the data variables' names stand for: "x is matrix[N, n] and y is vector[N]: the
   * data, a row per sample" (the gradient keeps the per-sample names for the stacked data).
   */
  dataNote?: string;
  /** The training loss (batch form), as text. */
  lossText: string;
  kinks: Kink[];
  warnings: string[];
  teacher?: Record<string, ParamValue>;
  seed: number;
}

// ---- entry point ------------------------------------------------------------------------------------------

export function prepareProblem(o: TrainOptions): Problem {
  const fileName = o.fileName ?? 'document';
  const { analysis, toRealLine } = analyzeSource(o);
  // Problems that only concern `check` lines change no value, so they do not stop training.
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error' && !concernsOnlyAClaim(d));
  if (errors.length) {
    const lines = errors.slice(0, 10).map((d) => `${fileName}:${toRealLine(d.range.start.line) + 1}:${d.range.start.character + 1}: error: ${bounded(d.message)}`);
    if (errors.length > 10) lines.push(`… and ${errors.length - 10} more`);
    throw new TrainError(`the document has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}`, 'input');
  }
  const b = analysis.builder;
  const seed = o.seed ?? 0;
  if (!Number.isFinite(seed)) throw new TrainError(`--seed must be a number, not ${seed}`, 'usage');
  const warnings: string[] = [];

  // ---- loss and parameters
  const lossDef = analysis.definition(o.loss);
  if (!lossDef) {
    if (analysis.variable(o.loss)) throw new TrainError(`'${o.loss}' is a variable; --loss names a definition such as \`loss = (y - a)^2\``, 'usage');
    const close = closestName(o.loss, analysis.definitions.map((d) => d.name));
    throw new TrainError(`no definition named '${o.loss}' to use as the loss${close ? `; did you mean '${close}'?` : ''}`, 'usage');
  }
  if (!lossDef.node) throw new TrainError(`the loss '${o.loss}' is a tensor of order ≥ 3, not a scalar`, 'usage');
  if (lossDef.node.shape.kind !== 'scalar') throw new TrainError(`the loss '${o.loss}' must be a scalar, but it is ${formatShape(lossDef.node.shape)}`, 'usage');
  if (o.params.length === 0) throw new TrainError('--params names no parameters', 'usage');
  const paramVars: VariableInfo[] = [];
  for (const p of o.params) {
    const v = analysis.variable(p);
    if (!v) {
      if (analysis.definition(p)) throw new TrainError(`'${p}' is a definition, not a variable: only declared variables can be parameters`, 'usage');
      const close = closestName(p, analysis.variables.map((x) => x.name));
      throw new TrainError(`unknown parameter '${p}'${close ? `; did you mean '${close}'?` : ''} (variables: ${analysis.variables.map((x) => x.name).join(', ')})`, 'usage');
    }
    if (paramVars.includes(v)) throw new TrainError(`the parameter '${p}' is listed twice`, 'usage');
    paramVars.push(v);
  }
  const loss = lowerDerivatives(b, lossDef.node, analysis.layout, (name) => analysis.variable(name));
  for (const v of paramVars) if (!loss.vars.has(v.name)) warnings.push(`the loss '${o.loss}' does not depend on ${v.name}, so training leaves it unchanged`);
  const isParam = new Set(paramVars.map((v) => v.name));
  const dataInfos = analysis.variables.filter((v) => !isParam.has(v.name) && loss.vars.has(v.name));

  // ---- sizes bound by the user
  const docDims = new Set(analysis.dims.map((d) => d.name));
  const dims = new Map<string, number>();
  /** Where each bound size came from, for messages about sizes that disagree with the data. */
  const sources = new Map<string, string>();
  for (const [k, v] of o.dims instanceof Map ? o.dims : Object.entries(o.dims ?? {})) {
    if (!docDims.has(k)) {
      const close = closestName(k, docDims);
      throw new TrainError(`--dim ${k}=${v}: the document has no dimension '${k}'${close ? `; did you mean '${close}'?` : ''}${docDims.size ? ` (dimensions: ${[...docDims].join(', ')})` : ''}`, 'usage');
    }
    if (!Number.isInteger(v) || v < 1) throw new TrainError(`--dim ${k}=${v}: a size must be a whole number ≥ 1`, 'usage');
    dims.set(k, v);
    sources.set(k, `--dim ${k}=${v}`);
  }

  // ---- per-sample or batch document?
  const paramDims = new Set(paramVars.flatMap((v) => dimsOf(v.shape)).filter((d): d is string => typeof d === 'string'));
  const rowDim = batchRowDim(dataInfos, paramDims);
  let method: Method = dataInfos.length === 0 ? 'no-data' : rowDim ? 'as-is' : 'batch-rewrite';
  for (const v of dataInfos) {
    if (method === 'batch-rewrite' && v.shape.kind === 'matrix') {
      throw new TrainError(
        `the data variable ${v.name} is ${formatShape(v.shape)}: one CSV row holds a scalar or a vector per variable. Declare per-sample values (x: vector[n], y: scalar) or a whole batch (X: matrix[N, n], y: vector[N]); or list ${v.name} in --params`,
        'usage',
      );
    }
  }
  const batchDim = method === 'batch-rewrite' ? freshName('N', analysis) : rowDim;

  // ---- init values may bind dimensions (so --init w.json can stand in for --dim)
  let initTensors: ReadonlyMap<string, Tensor> | undefined;
  if (typeof o.init === 'object') {
    const file = o.init.fileName ?? 'init';
    const extra = Object.keys(o.init.values).filter((k) => !isParam.has(k));
    if (extra.length) throw new TrainError(`${file}: ${extra.map((k) => `'${k}'`).join(', ')} ${extra.length === 1 ? 'is' : 'are'} not among the parameters (${paramVars.map((v) => v.name).join(', ')})`, 'input');
    try {
      const env = bindValues(analysis, o.init.values as Parameters<typeof bindValues>[1], isParam, dims);
      for (const [k, v] of env.dims) {
        if (dims.has(k)) continue;
        dims.set(k, v);
        sources.set(k, `the initial values in ${file}`);
      }
      initTensors = env.vars;
    } catch (e) {
      if (e instanceof ValueError) throw new TrainError(`${file}: ${e.message}`, 'input');
      throw e;
    }
  }

  // ---- the objective's expression
  const perSampleData = new Map(dataInfos.map((v) => [v.name, v.shape] as const));
  let methodNote: string | undefined;
  let trainLoss = loss;
  let lift: ((n: Node) => Node) | null = null; // per-sample node → its batch form
  if (method === 'batch-rewrite') {
    if (o.strategy === 'per-row') {
      method = 'per-row';
      methodNote = 'the per-row strategy was requested';
    } else {
      try {
        const rw = batchRewriter(b, perSampleData, batchDim!);
        const l = rw.get(loss);
        trainLoss = rw.batched(loss) ? b.call('mean', l) : l;
        lift = (n) => rw.get(n);
      } catch (e) {
        if (!(e instanceof Unbatchable)) throw e;
        method = 'per-row';
        methodNote = `the per-sample loss has no batch form (${e.message}), so its gradient is evaluated row by row`;
      }
    }
  }
  // The engine's reverse-mode gradients of the training loss (per sample when evaluated row by row).
  const grads = paramVars.map((v) => gradient(b, trainLoss, v));
  const dataNote = lift && method === 'batch-rewrite' ? stackedData(dataInfos, lift) : undefined;

  // ---- data
  const specs: ColumnSpec[] = dataInfos.map((v) => columnSpec(v, method));
  let dataset: Dataset | null = null;
  let teacher: Record<string, ParamValue> | undefined;
  if (dataInfos.length > 0) {
    if (!o.data) throw new TrainError(`the loss uses the data variable${dataInfos.length > 1 ? 's' : ''} ${dataInfos.map((v) => v.name).join(', ')}: give --data FILE.csv or --synthetic N`, 'usage');
    if ('synthetic' in o.data) {
      const rows = o.data.synthetic;
      if (!Number.isInteger(rows) || rows < 1) throw new TrainError(`--synthetic needs a whole number of rows ≥ 1, not ${rows}`, 'usage');
      if (method === 'as-is' && dims.has(batchDim!) && dims.get(batchDim!) !== rows) throw new TrainError(`--synthetic ${rows} and --dim ${batchDim}=${dims.get(batchDim!)} disagree on the number of rows`, 'usage');
      for (const s of specs) {
        if (typeof s.width === 'string' && !dims.has(s.width)) {
          throw new TrainError(`--synthetic needs the size of ${s.width} (the length of ${s.name}): add --dim ${s.width}=…`, 'usage');
        }
      }
      for (const s of specs) ensureAffordable(`the synthetic ${s.name}`, rows * (typeof s.width === 'number' ? s.width : dims.get(s.width)!), dims);
      for (const v of paramVars) if (dimsOf(v.shape).every((d) => typeof d === 'number' || dims.has(d))) ensureAffordable(v.name, elementCount(v.shape, dims), dims);
      const made = synthetic({ loss, lift, method, specs, dims, rows, rowDim: batchDim, paramVars, seed, noise: o.data.noise ?? 0.1, dataNames: new Set(perSampleData.keys()) });
      dataset = made.dataset;
      teacher = made.teacher;
    } else {
      const file = 'csvPath' in o.data ? o.data.csvPath : (o.data.fileName ?? 'data.csv');
      const r = readData(o.data, file, specs, dims, sources);
      for (const [k, v] of r.inferred) dims.set(k, v);
      if (r.unused.length) warnings.push(unusedColumnsWarning(file, r.unused, paramVars.map((v) => v.name)));
      dataset = r.dataset;
      if (method === 'as-is') {
        if (dims.has(batchDim!) && dims.get(batchDim!) !== dataset.rows) throw new TrainError(`${file} has ${dataset.rows} rows but --dim ${batchDim}=${dims.get(batchDim!)}`, 'usage');
      }
    }
  }

  // ---- every size must be known now
  const needed = [...paramVars, ...dataInfos].flatMap((v) => dimsOf(v.shape).map((d) => ({ d, v })));
  for (const { d, v } of needed) {
    if (typeof d !== 'string' || d === batchDim || dims.has(d)) continue;
    throw new TrainError(`the size of dimension ${d} (in ${v.name}: ${formatShape(v.shape)}) is not known: add --dim ${d}=…`, 'usage');
  }
  // Sizes used only inside the loss (e.g. a size node of an unrelated dimension) surface at evaluation.

  // ---- parameters
  for (const v of paramVars) ensureAffordable(v.name, elementCount(v.shape, dims), dims);
  const params: ParamSlot[] = paramVars.map((v) => {
    const [r, c] = shapeDims(v.shape, { dims });
    return { name: v.name, shape: v.shape, variable: v, value: { rows: r, cols: c, data: new Float64Array(r * c) } };
  });
  initialise(params, initTensors ?? (o.init === 'zeros' ? 'zeros' : 'random'), seed);

  // ---- objective
  const objectiveDims = new Map(dims);
  const plain =
    method === 'per-row'
      ? perRowObjective(loss, grads, params, dataset!, dataInfos, dims, o.evaluator)
      : batchObjective(trainLoss, grads, params, dataset, method === 'no-data' ? undefined : batchDim!, objectiveDims, o.evaluator);
  // A loss that reads its data matrix only through X w is evaluated in one pass over the data (fused).
  const fusable = (method === 'batch-rewrite' || method === 'as-is') && dataset && o.evaluator !== 'reference' && o.kernel !== 'plan' && !plain.evaluatorNote;
  const threads = o.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new TrainError(`--threads must be a whole number ≥ 1, not ${threads}`, 'usage');
  const objective = (fusable && dataset && onePassObjective(b, trainLoss, params, dataset, batchDim!, dims, plain, threads)) || plain;

  // ---- ReLUs whose pre-activation decides whether the gradient is zero
  const names = new Map<Node, string>();
  for (const d of analysis.definitions) if (d.node) names.set(d.node, d.name);
  const kinks = findKinks(loss).map((z) => {
    const named = names.get(z);
    const text = named ? `${named} = ${toText(z, { names: new Map([...names].filter(([n]) => n !== z)) })}` : toText(z, { names });
    return { pre: method === 'per-row' || !lift ? z : lift(z), text };
  });

  return {
    analysis,
    fileName,
    params,
    dataVars: dataInfos.map((v) => v.name),
    ...(dataNote ? { dataNote } : {}),
    method,
    ...(methodNote ? { methodNote } : {}),
    ...(batchDim && method !== 'no-data' ? { rowDim: batchDim } : {}),
    dims,
    dataset,
    objective,
    gradientText: Object.fromEntries(
      paramVars.map((v, k) => [v.name, toText(grads[k])]),
    ),
    lossText: toText(trainLoss),
    kinks,
    warnings,
    ...(teacher ? { teacher } : {}),
    seed,
  };
}

/** Training holds its data and parameters in memory: at most this many float64s per tensor (800 MB). */
const MAX_TRAINING_ELEMENTS = 1e8;

function ensureAffordable(what: string, elements: number, dims: ReadonlyMap<string, number>): void {
  if (elements <= MAX_TRAINING_ELEMENTS) return;
  throw new TrainError(`${what} would have ${formatCount(elements)} elements at ${formatSizes(dims)} (the limit is ${formatCount(MAX_TRAINING_ELEMENTS)}): use a smaller --dim or fewer rows`, 'usage');
}

// ---- document --------------------------------------------------------------------------------------------

function analyzeSource(o: TrainOptions): { analysis: Analysis; toRealLine: (l: number) => number } {
  const markdown = o.language === 'markdown' || (o.language === undefined && /\.(md|markdown)$/i.test(o.fileName ?? ''));
  const { analysis, toReal } = analyzeDocument(o.source, markdown ? 'markdown' : 'mcalc', 'numerator');
  return { analysis, toRealLine: (l) => toReal({ start: { line: l, character: 0 }, end: { line: l, character: 0 } }).start.line };
}

/**
 * The row dimension of a batch document: a symbolic dimension R such that every data variable is vector[R]
 * or matrix[R, k], and no parameter's shape mentions R (a per-sample x: vector[n] shares n with w).
 */
function batchRowDim(data: readonly VariableInfo[], paramDims: ReadonlySet<string>): string | undefined {
  if (data.length === 0) return undefined;
  let r: string | undefined;
  for (const v of data) {
    const s = v.shape;
    const first = s.kind === 'vector' ? s.n : s.kind === 'matrix' ? s.m : undefined;
    if (typeof first !== 'string') return undefined;
    if (r === undefined) r = first;
    else if (r !== first) return undefined;
  }
  return r && !paramDims.has(r) ? r : undefined;
}

function freshName(base: string, a: Analysis): string {
  const taken = new Set([...a.dims.map((d) => d.name), ...a.variables.map((v) => v.name), ...a.definitions.map((d) => d.name)]);
  if (!taken.has(base)) return base;
  for (let k = 1; ; k++) if (!taken.has(`${base}_${k}`)) return `${base}_${k}`;
}

function columnSpec(v: VariableInfo, method: Method): ColumnSpec {
  const s = v.shape;
  if (method === 'as-is') {
    // vector[N] → one column; matrix[N, k] → k columns.
    return s.kind === 'matrix' ? { name: v.name, width: s.n, multi: true } : { name: v.name, width: 1, multi: false };
  }
  if (s.kind === 'scalar') return { name: v.name, width: 1, multi: false };
  return { name: v.name, width: (s as { n: Dim }).n, multi: true };
}

/** Columns of the file that training does not read, with the likely reason (a parameter of the same name). */
function unusedColumnsWarning(file: string, unused: readonly string[], params: readonly string[]): string {
  const shown = unused.length > 6 ? `${unused.slice(0, 3).join(', ')}, … ${unused.at(-1)} (${unused.length} columns)` : unused.join(', ');
  const stem = (c: string) => c.replace(/(_?\d+|\[\d+\])$/, '');
  const asParams = params.filter((p) => unused.some((c) => stem(c) === p));
  const why = asParams.length ? `: ${asParams.join(', ')} ${asParams.length === 1 ? 'is a parameter' : 'are parameters'} here, not data` : `: no data variable has ${unused.length === 1 ? 'that name' : 'those names'}`;
  return `${file}: ${unused.length === 1 ? `the column ${shown} is` : `the columns ${shown} are`} not used${why}`;
}

/** The CSV rows, streamed from the file or read from the text; problems become TrainErrors. */
function readData(data: { csvPath: string } | { csvText: string }, file: string, specs: ColumnSpec[], dims: Map<string, number>, sources: ReadonlyMap<string, string>) {
  try {
    return 'csvPath' in data ? readCsvFile(data.csvPath, file, specs, dims, sources) : readCsv(data.csvText, file, specs, dims, sources);
  } catch (e) {
    if (e instanceof DataError) throw new TrainError(e.message, 'input');
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    throw new TrainError(code === 'ENOENT' ? `cannot read ${file}: no such file` : code === 'EISDIR' ? `cannot read ${file}: it is a directory` : `cannot read ${file}: ${(e as Error).message}`, 'usage');
  }
}


// ---- initial values ---------------------------------------------------------------------------------------

function initialise(params: ParamSlot[], init: 'zeros' | 'random' | ReadonlyMap<string, Tensor>, seed: number): void {
  if (init === 'zeros') return;
  if (init === 'random') {
    // nn.Linear's rule: U(−1/√fan_in, 1/√fan_in); a scalar (a bias) uses the largest fan-in among the parameters.
    const fanIn = (p: ParamSlot) => (p.shape.kind === 'scalar' ? 0 : p.shape.kind === 'vector' ? p.value.rows : p.value.cols);
    const biggest = Math.max(1, ...params.map(fanIn));
    const rng = createRng(seed, 'init');
    for (const p of params) {
      const k = 1 / Math.sqrt(fanIn(p) || biggest);
      for (let i = 0; i < p.value.data.length; i++) p.value.data[i] = rng.uniform(-k, k);
    }
    return;
  }
  for (const p of params) p.value.data.set(init.get(p.name)!.data);
}

export function paramValue(p: ParamSlot): ParamValue {
  const { rows, cols, data } = p.value;
  if (p.shape.kind === 'scalar') return data[0];
  if (p.shape.kind !== 'matrix') return Array.from(data);
  return Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols)));
}

// ---- synthetic data ---------------------------------------------------------------------------------------

/**
 * The teacher: the document's own model with seeded random parameters. The target is the data variable the
 * loss compares with a prediction (`y` in (y − a)², |a − y|…); the other data variables are standard normal;
 * target = prediction + noise·N(0, 1).
 */
function synthetic(args: {
  loss: Node;
  lift: ((n: Node) => Node) | null;
  method: Method;
  specs: ColumnSpec[];
  dims: Map<string, number>;
  rows: number;
  rowDim: string | undefined;
  paramVars: VariableInfo[];
  seed: number;
  noise: number;
  dataNames: Set<string>;
}): { dataset: Dataset; teacher: Record<string, ParamValue> } {
  const { loss, specs, dims, rows, paramVars, seed, noise } = args;
  const found = findPrediction(loss, args.dataNames);
  if (!found) {
    throw new TrainError(
      `--synthetic needs a loss that compares a data variable with a prediction, like (y - a)^2; ${neverCompared([...args.dataNames])}. Use --data FILE.csv`,
      'usage',
    );
  }
  const values = new Map<string, Tensor>();
  const rng = createRng(seed, 'data');
  const width = (s: ColumnSpec) => (typeof s.width === 'number' ? s.width : dims.get(s.width)!);
  for (const s of specs) {
    const w = width(s);
    const t: Tensor = { rows, cols: w, data: new Float64Array(rows * w) };
    if (s.name !== found.target) for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal();
    values.set(s.name, t);
  }
  // Teacher parameters: N(0, 1/fan_in) for vectors and matrices (so w·x ~ N(0, 1)), N(0, 1/4) for scalars.
  const trng = createRng(seed, 'teacher');
  const teacherSlots: ParamSlot[] = paramVars.map((v) => {
    const [r, c] = shapeDims(v.shape, { dims });
    const fan = v.shape.kind === 'scalar' ? 4 : v.shape.kind === 'vector' ? r : c;
    const data = new Float64Array(r * c);
    for (let i = 0; i < data.length; i++) data[i] = trng.normal() / Math.sqrt(fan);
    return { name: v.name, shape: v.shape, variable: v, value: { rows: r, cols: c, data } };
  });
  const vars = new Map<string, Tensor>(teacherSlots.map((p) => [p.name, p.value]));
  const target = values.get(found.target)!;
  if (args.method === 'per-row') {
    const ev = makeEvaluator([found.prediction], dims);
    for (let i = 0; i < rows; i++) {
      for (const s of specs) if (s.name !== found.target) vars.set(s.name, rowView(values.get(s.name)!, i, s));
      const p = ev.run(vars)[0];
      target.data.set(p.data.subarray(0, target.cols), i * target.cols);
    }
  } else {
    const node = args.lift ? args.lift(found.prediction) : found.prediction;
    for (const [k, v] of values) if (k !== found.target) vars.set(k, v);
    const d = new Map(dims);
    if (args.rowDim) d.set(args.rowDim, rows);
    const p = makeEvaluator([node], d).run(vars)[0];
    if (p.data.length === 1) target.data.fill(p.data[0]);
    else target.data.set(p.data);
  }
  for (let i = 0; i < target.data.length; i++) target.data[i] += noise * rng.normal();
  return { dataset: { rows, values }, teacher: Object.fromEntries(teacherSlots.map((p) => [p.name, paramValue(p)])) };
}

/** A `target − prediction` (or reversed) node in the loss: the data variable and what it is compared with. */
function findPrediction(loss: Node, data: ReadonlySet<string>): { target: string; prediction: Node } | undefined {
  for (const n of topoOrder([loss])) {
    if (n.op !== 'sub') continue;
    for (const k of [0, 1]) {
      const t = n.args[k];
      const p = n.args[1 - k];
      if (t.op === 'var' && data.has(String(t.attr)) && !p.vars.has(String(t.attr)) && p.vars.size > 0) return { target: String(t.attr), prediction: p };
    }
  }
  return undefined;
}

function rowView(t: Tensor, i: number, s: ColumnSpec): Tensor {
  const w = t.cols;
  return s.multi ? { rows: w, cols: 1, data: t.data.subarray(i * w, (i + 1) * w) } : { rows: 1, cols: 1, data: t.data.subarray(i, i + 1) };
}

// ---- ReLUs ------------------------------------------------------------------------------------------------

/** Pre-activations z of the hinges in the loss: max(0, z), max(z, 0), relu(z) (each entry's `hinge`). */
function findKinks(loss: Node): Node[] {
  const out: Node[] = [];
  for (const n of topoOrder([loss])) {
    const z = opDef(n.op).hinge?.(n);
    if (z) out.push(z);
  }
  return out;
}

// ---- objectives -------------------------------------------------------------------------------------------

function copyInto(dst: Float64Array, src: Tensor, what: string): void {
  if (src.data.length === dst.length) dst.set(src.data);
  else if (src.data.length === 1) dst.fill(src.data[0]);
  else throw new EvalError(`internal: the gradient of ${what} has ${src.data.length} elements, expected ${dst.length}`);
}

/** One matrix expression over the rows: full data as stored, mini-batches gathered into reused buffers. */
function batchObjective(loss: Node, grads: Node[], params: ParamSlot[], dataset: Dataset | null, rowDim: string | undefined, dims: Map<string, number>, prefer?: 'compiled' | 'reference'): Objective {
  const rows = dataset?.rows ?? 1;
  const evaluators = new Map<string, Evaluator>();
  const kinds = new Set<'compiled' | 'reference'>();
  const buffers = new Map<number, Map<string, Tensor>>();
  const dimsFor = (k: number) => {
    const d = new Map(dims);
    if (rowDim) d.set(rowDim, k);
    return d;
  };
  const evaluator = (k: number, withGrads: boolean) => {
    const key = `${k}|${withGrads}`;
    let e = evaluators.get(key);
    if (!e) evaluators.set(key, (e = makeEvaluator(withGrads ? [loss, ...grads] : [loss], dimsFor(k), prefer)));
    kinds.add(e.kind);
    return e;
  };
  const vars = new Map<string, Tensor>(params.map((p) => [p.name, p.value]));
  const fullVars = (): Map<string, Tensor> => {
    const v = new Map(vars);
    if (dataset) for (const [k, t] of dataset.values) v.set(k, t);
    return v;
  };
  const all = fullVars();
  let note: string | undefined;
  if ((prefer ?? 'compiled') === 'compiled') {
    const k = Math.min(rows, 8);
    const sample = new Map(vars);
    if (dataset) for (const [name, t] of dataset.values) sample.set(name, { rows: k, cols: t.cols, data: t.data.slice(0, k * t.cols) });
    const check = crossCheck([loss, ...grads], dimsFor(k), sample);
    prefer = check.prefer;
    note = check.note;
  }
  return {
    rows,
    evaluators: kinds,
    ...(note ? { evaluatorNote: note } : {}),
    evaluate(idx, start, end, g) {
      let v = all;
      const k = end - start;
      if (idx && dataset) {
        let buf = buffers.get(k);
        if (!buf) {
          buf = new Map([...dataset.values].map(([name, t]) => [name, { rows: k, cols: t.cols, data: new Float64Array(k * t.cols) }]));
          buffers.set(k, buf);
        }
        gatherRows(dataset, idx, start, end, buf);
        v = new Map(vars);
        for (const [name, t] of buf) v.set(name, t);
      }
      const out = evaluator(idx ? k : rows, g !== null).run(v);
      if (g) for (let j = 0; j < g.length; j++) copyInto(g[j], out[j + 1], params[j].name);
      return out[0].data[0];
    },
    values(nodes) {
      const out = makeEvaluator(nodes, dimsFor(rows), prefer).run(all);
      return out.map((t) => Float64Array.from(t.data));
    },
  };
}

/** The per-sample loss and gradient evaluated row by row (views into the data, no copies) and averaged. */
function perRowObjective(loss: Node, grads: Node[], params: ParamSlot[], dataset: Dataset, dataInfos: VariableInfo[], dims: Map<string, number>, prefer?: 'compiled' | 'reference'): Objective {
  const rows = dataset.rows;
  const vars = new Map<string, Tensor>(params.map((p) => [p.name, p.value]));
  const cols = dataInfos.map((v) => ({ name: v.name, kind: v.shape.kind, t: dataset.values.get(v.name)! }));
  const bindRow = (i: number) => {
    for (const c of cols) {
      const w = c.t.cols;
      const data = c.t.data.subarray(i * w, (i + 1) * w);
      vars.set(c.name, c.kind === 'scalar' ? { rows: 1, cols: 1, data } : c.kind === 'row' ? { rows: 1, cols: w, data } : { rows: w, cols: 1, data });
    }
  };
  let note: string | undefined;
  if ((prefer ?? 'compiled') === 'compiled') {
    bindRow(0);
    const check = crossCheck([loss, ...grads], dims, vars);
    prefer = check.prefer;
    note = check.note;
  }
  const withGrads = makeEvaluator([loss, ...grads], dims, prefer);
  const lossOnly = makeEvaluator([loss], dims, prefer);
  const tmp = params.map((p) => new Float64Array(p.value.data.length));
  return {
    rows,
    evaluators: new Set([withGrads.kind, lossOnly.kind]),
    ...(note ? { evaluatorNote: note } : {}),
    evaluate(idx, start, end, g) {
      const k = end - start;
      let total = 0;
      if (g) for (const a of g) a.fill(0);
      for (let r = start; r < end; r++) {
        bindRow(idx ? idx[r] : r);
        const out = (g ? withGrads : lossOnly).run(vars);
        total += out[0].data[0];
        if (g) {
          for (let j = 0; j < g.length; j++) {
            copyInto(tmp[j], out[j + 1], params[j].name);
            const a = g[j];
            const t = tmp[j];
            for (let i = 0; i < a.length; i++) a[i] += t[i];
          }
        }
      }
      if (g) for (const a of g) for (let i = 0; i < a.length; i++) a[i] /= k;
      return total / k;
    },
    values(nodes) {
      const ev = makeEvaluator(nodes, dims, prefer);
      const parts: number[][] = nodes.map(() => []);
      for (let i = 0; i < rows; i++) {
        bindRow(i);
        ev.run(vars).forEach((t, j) => parts[j].push(...t.data));
      }
      return parts.map((p) => Float64Array.from(p));
    },
  };
}

/** "'y' never appears as y − prediction", or "none of 'x', 'y' appears as …". */
function neverCompared(names: readonly string[]): string {
  const quoted = names.map((n) => `'${n}'`).join(', ');
  return `${names.length === 1 ? `${quoted} never appears` : `none of ${quoted} appears`} as y − prediction`;
}

/** What each data variable is in the batch form, e.g. "x is matrix[N, n] and y is vector[N]: the data, a row per sample". */
function stackedData(data: readonly VariableInfo[], lift: (n: Node) => Node): string {
  const parts = data.map((v) => `${v.name} is ${formatShape(lift(v.node).shape)}`);
  const listed = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  return `${listed}: the data, a row per sample`;
}
