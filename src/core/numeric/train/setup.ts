// The Train command's questions, answered without an editor: which definition is the natural loss, which
// variables look like parameters, whether an answer is valid (with the reason when it is not), and the
// trainer's CLI-worded messages rephrased for people who are answering prompts, not typing flags.

import type { Analysis, DefinitionInfo, VariableInfo } from '../../analyze.ts';
import { topoOrder } from '../../ir.ts';
import { type TrainOptions, TrainError, prepareProblem } from './problem.ts';
import type { RunSettings } from './report.ts';

/** Loss names people use, best first (Parr & Howard write `loss`; `L`, `C`, `J`, `E` are textbook names). */
const LOSS_NAMES = ['loss', 'L', 'C', 'J', 'E', 'cost', 'objective', 'error'];
/** Variable names that usually hold data rather than parameters. */
const DATA_NAME = /^(x|y|X|Y|t|target|label|input)\w*$|^[xyXY][₀-₉0-9]*$/;
/** Variable names that usually are parameters. */
const PARAM_NAME = /^(w|b|W|B|θ|theta|beta|β|bias|weight)/;

/** The scalar definitions that can be a loss: not derivative forms, and not feeding another definition. */
export function lossCandidates(analysis: Analysis): DefinitionInfo[] {
  const values = analysis.definitions.filter((d) => d.node && !d.derivative);
  const inner = new Set<number>();
  for (const n of topoOrder(values.map((d) => d.node!))) for (const a of n.args) inner.add(a.id);
  return values.filter((d) => d.shape?.kind === 'scalar' && !inner.has(d.node!.id));
}

function nameRank(name: string): number {
  const i = LOSS_NAMES.indexOf(name);
  return i < 0 ? LOSS_NAMES.length : i;
}

/**
 * The losses to offer, the default first: a conventional loss name wins, then the definition that the most
 * variables feed. Intermediates (definitions used by other definitions, like `z` in the neuron) never lead;
 * they follow only when no other scalar definition exists.
 */
export function rankedLosses(analysis: Analysis): DefinitionInfo[] {
  const top = lossCandidates(analysis);
  const rest = analysis.definitions.filter((d) => d.node && !d.derivative && d.shape?.kind === 'scalar' && !top.includes(d));
  const order = (a: DefinitionInfo, b: DefinitionInfo) => nameRank(a.name) - nameRank(b.name) || b.node!.vars.size - a.node!.vars.size;
  return [...top.sort(order), ...rest.sort(order)];
}

/** The variables the loss depends on, and which of them to preselect as parameters. */
export function parameterChoices(analysis: Analysis, loss: string): Array<{ variable: VariableInfo; picked: boolean }> {
  const node = analysis.definition(loss)?.node;
  if (!node) return [];
  const feeding = analysis.variables.filter((v) => node.vars.has(v.name));
  const named = feeding.filter((v) => PARAM_NAME.test(v.name));
  const picked = new Set(named.length ? named : feeding.filter((v) => !DATA_NAME.test(v.name)));
  return feeding.map((variable) => ({ variable, picked: picked.has(variable) }));
}

export type Parsed<T> = { value: T } | { error: string };

/** A whole number ≥ `min`; the reason names what is being asked. */
export function parseWholeNumber(text: string, what: string, min = 1): Parsed<number> {
  const t = text.trim().replace(/[_,](?=\d{3})/g, '');
  if (!/^\d+$/.test(t)) return { error: `${what} must be a whole number ≥ ${min}, not '${text}'` };
  const n = Number(t);
  if (!Number.isSafeInteger(n) || n < min) return { error: `${what} must be a whole number ≥ ${min}, not '${text}'` };
  return { value: n };
}

/** A positive finite learning rate such as 0.01 or 1e-3. */
export function parseLearningRate(text: string): Parsed<number> {
  const t = text.trim();
  const n = t === '' ? NaN : Number(t);
  if (!Number.isFinite(n)) return { error: `the learning rate must be a number such as 0.01 or 1e-3, not '${text}'` };
  if (n <= 0) return { error: `the learning rate must be greater than 0, not ${t}` };
  return { value: n };
}

/** 'full' (every row in each step) or a mini-batch size. */
export function parseBatchSize(text: string): Parsed<'full' | number> {
  const t = text.trim().toLowerCase();
  if (t === 'full' || t === '') return { value: 'full' };
  const n = parseWholeNumber(t, 'the batch size');
  return 'error' in n ? { error: `${n.error} (or 'full' for every row in each step)` } : n;
}

/** A seed: any whole number (negative ones too, as the CLI accepts). */
export function parseSeed(text: string): Parsed<number> {
  const t = text.trim();
  if (!/^-?\d+$/.test(t) || !Number.isSafeInteger(Number(t))) return { error: `the seed must be a whole number, not '${text}'` };
  return { value: Number(t) };
}

/** The trainer's words (CLI flags) → the prompts' words. Order matters: longer phrases first. */
const EDITOR_WORDS: Array<[RegExp, string]> = [
  [/give --data FILE\.csv or --synthetic N/g, 'choose synthetic data or a CSV file'],
  [/\. Use --data FILE\.csv/g, '. Choose "CSV file…" for this loss instead'],
  [/--synthetic needs/g, 'Synthetic data needs'],
  [/add --dim (\w+)=…/g, 'give the size of $1'],
  [/--dim (\w+)=(\d+)/g, 'the size $1 = $2'],
  [/--synthetic (\d+)/g, '$1 synthetic rows'],
  [/--init random/g, 'random initialisation'],
  [/--params/g, 'the parameter choice'],
  [/--loss/g, 'the loss'],
  [/--epochs/g, 'the number of epochs'],
  [/--batch/g, 'the batch size'],
  [/--seed/g, 'the seed'],
  [/--lr/g, 'the learning rate'],
];

export function editorWords(message: string): string {
  return EDITOR_WORDS.reduce((m, [re, to]) => m.replace(re, to), message);
}

/**
 * Whether `loss` over `params` can be trained on synthetic data (the teacher needs a `y − prediction` in the
 * loss), found by preparing a tiny problem: undefined when it can, else the reason in editor words. Sizes
 * the user has not given yet are 2, and so is the row count (a batch dimension, if the loss has one, must
 * agree with it).
 */
export function syntheticProblem(base: Pick<TrainOptions, 'source' | 'language' | 'fileName'>, analysis: Analysis, loss: string, params: readonly string[]): string | undefined {
  const dims = Object.fromEntries(analysis.dims.map((d) => [d.name, 2]));
  try {
    prepareProblem({ ...base, loss, params, data: { synthetic: 2 }, dims, seed: 0 });
    return undefined;
  } catch (e) {
    if (e instanceof TrainError) return editorWords(e.message);
    throw e;
  }
}

/** The default tolerance: the loss changes by at most this·max(1, |loss|) from one epoch to the next. */
export const CONVERGENCE_TOL = 1e-9;

/** The trainer's options for a run started from the editor (the document's text and name come with `base`). */
export function toTrainOptions(s: RunSettings, base: Pick<TrainOptions, 'source' | 'language' | 'fileName'>): TrainOptions {
  return {
    ...base,
    loss: s.loss,
    params: s.params,
    data: 'csv' in s.data ? { csvPath: s.data.csv } : { synthetic: s.data.synthetic },
    dims: s.dims,
    optimizer: s.optimizer,
    lr: s.lr,
    epochs: s.epochs,
    batch: s.batch,
    seed: s.seed,
    tol: s.tol,
  };
}
