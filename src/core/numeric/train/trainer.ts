// The training loop: epochs of full-batch or shuffled mini-batch steps with a PyTorch-semantics optimiser,
// using the engine's symbolic gradient of the training loss. Warns about a dead ReLU (or an exactly zero
// gradient) at init, stops on NaN/Inf or divergence naming the epoch, optionally stops early when the loss
// settles, reports progress per epoch and stops when asked (AbortSignal-like flag, checked every step).

import { createRng, shuffleInPlace } from '../random.ts';
import { type OptimizerName, OptimizerSettingError, makeOptimizer } from './optimizers.ts';
import { type Method, type ParamValue, type Problem, type TrainOptions, TrainError, paramValue, prepareProblem } from './problem.ts';

export interface TrainProgress {
  epoch: number;
  epochs: number;
  /** Mean training loss over the epoch's steps (each step's loss before its update, weighted by batch size). */
  loss: number;
  elapsedMs: number;
}

export interface TrainHooks {
  onProgress?(p: TrainProgress): void;
  onWarning?(message: string): void;
  /** Checked before every step; training stops with status 'cancelled' once it is aborted. */
  signal?: { readonly aborted: boolean };
  /** Same as `signal`, as a function (the worker reads a shared flag). */
  shouldStop?(): boolean;
}

export type TrainStatus = 'completed' | 'converged' | 'diverged' | 'cancelled';

export interface TrainResult {
  status: TrainStatus;
  /** Why training stopped early (converged, diverged, cancelled). */
  message?: string;
  /** Epochs completed. */
  epochs: number;
  /** Optimiser steps taken. */
  steps: number;
  /** Final parameter values: numbers, lists (vectors) or lists of rows (matrices). */
  params: Record<string, ParamValue>;
  /** Mean loss over all rows at the final parameters (the last epoch's loss when cancelled or diverged). */
  loss: number;
  /** Mean loss over all rows at the initial parameters. */
  initialLoss: number;
  history: Array<{ epoch: number; loss: number }>;
  warnings: string[];
  method: Method;
  methodNote?: string;
  /** Which evaluator computed the loss and gradients: 'compiled', 'reference' or both. */
  evaluator: string;
  /** 'one-pass': the loss and gradient in one fused pass over the data per step; 'plan': the compiled plan. */
  kernel: 'one-pass' | 'plan';
  /** Threads that evaluated the steps. */
  threads: number;
  rows: number;
  dims: Record<string, number>;
  optimizer: { name: OptimizerName; settings: Record<string, unknown> };
  batch: 'full' | number;
  seed: number;
  /** The symbolic gradient used for each parameter, as text (batch form unless evaluated per row). */
  gradients: Record<string, string>;
  /** In the batch form, what the data variables' names stand for (see Problem.dataNote). */
  dataNote?: string;
  /** The teacher's parameters when the data is synthetic. */
  teacher?: Record<string, ParamValue>;
  /** The exact minimiser when the loss is quadratic in the parameters (a linear least-squares model). */
  leastSquares?: Record<string, ParamValue>;
  /**
   * Set when the run ended with every ReLU inactive (pre-activation ≤ 0 on every row) and the gradient exactly
   * zero, though they were not dead at init: the pre-activations, as the user wrote them.
   */
  reluDiedMidRun?: string[];
  elapsedMs: number;
}

/** The loss grew beyond this multiple of max(1, initial loss): divergence. */
export const DIVERGENCE_FACTOR = 1e6;

const now = () => performance.now();

/** Prepares and runs training synchronously (call it from a worker for long runs). Throws TrainError. */
export function train(options: TrainOptions, hooks: TrainHooks = {}): TrainResult {
  const t0 = now();
  const problem = prepareProblem(options);
  return runTraining(problem, options, hooks, t0);
}

function finiteCheck(arrays: readonly Float64Array[]): number | undefined {
  for (const a of arrays) for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return a[i];
  return undefined;
}

/** Runs the epochs on a prepared problem, with the objective's helper threads (if any) running meanwhile. */
export function runTraining(problem: Problem, options: TrainOptions, hooks: TrainHooks = {}, t0 = now()): TrainResult {
  problem.objective.startThreads?.();
  try {
    return trainingLoop(problem, options, hooks, t0);
  } finally {
    problem.objective.stopThreads?.();
  }
}

function trainingLoop(problem: Problem, options: TrainOptions, hooks: TrainHooks, t0: number): TrainResult {
  const epochs = options.epochs ?? 100;
  if (!Number.isInteger(epochs) || epochs < 0) throw new TrainError(`--epochs must be a whole number ≥ 0, not ${epochs}`, 'usage');
  const batchOpt = options.batch ?? 'full';
  if (batchOpt !== 'full' && (!Number.isInteger(batchOpt) || batchOpt < 1)) throw new TrainError(`--batch must be 'full' or a whole number ≥ 1, not ${batchOpt}`, 'usage');
  if (options.tol !== undefined && !(options.tol >= 0)) throw new TrainError(`--tol must be a number ≥ 0, not ${options.tol}`, 'usage');
  const optimizerName = options.optimizer ?? 'sgd';
  let optimizer;
  try {
    optimizer = makeOptimizer(optimizerName, {
      lr: options.lr,
      momentum: options.momentum,
      dampening: options.dampening,
      nesterov: options.nesterov,
      betas: options.betas,
      eps: options.eps,
      weightDecay: options.weightDecay,
    });
  } catch (e) {
    if (e instanceof OptimizerSettingError) throw new TrainError(e.message, 'usage');
    throw e;
  }
  if (optimizerName === 'adam' && (options.momentum !== undefined || options.nesterov || options.dampening !== undefined)) {
    throw new TrainError('--momentum, --dampening and --nesterov are settings of sgd and momentum, not adam', 'usage');
  }
  if (optimizerName !== 'adam' && (options.betas !== undefined || options.eps !== undefined)) {
    throw new TrainError(`--betas and --eps are settings of adam, not ${optimizerName}`, 'usage');
  }

  const { objective, params } = problem;
  const rows = objective.rows;
  const K = batchOpt === 'full' || problem.method === 'no-data' ? rows : Math.min(batchOpt, rows);
  const fullBatch = K >= rows;
  const warnings = [...problem.warnings];
  const warn = (w: string) => {
    warnings.push(w);
    hooks.onWarning?.(w);
  };
  for (const w of problem.warnings) hooks.onWarning?.(w);
  if (objective.evaluatorNote) warn(objective.evaluatorNote);
  const stopRequested = () => hooks.signal?.aborted === true || hooks.shouldStop?.() === true;

  const values = params.map((p) => p.value.data);
  const grads = params.map((p) => new Float64Array(p.value.data.length));

  // ---- at init: the loss and gradient over all rows, dead ReLUs
  const initialLoss = objective.evaluate(null, 0, rows, grads);
  const gradientIsZero = grads.every((g) => g.every((v) => v === 0));
  let deadReluWarned = false;
  if (problem.kinks.length) {
    const pre = objective.values(problem.kinks.map((k) => k.pre));
    problem.kinks.forEach((k, j) => {
      if (pre[j].length && pre[j].every((v) => v <= 0)) {
        deadReluWarned = true;
        warn(
          `dead ReLU at init: the pre-activation ${k.text} is ≤ 0 on all ${rows} row${rows === 1 ? '' : 's'}, so the ReLU outputs 0 and its gradient is 0 everywhere` +
            `${gradientIsZero ? ': the parameters cannot move' : ''}. Initialise randomly (--init random) or start with a positive bias.`,
        );
      }
    });
  }
  if (gradientIsZero && !deadReluWarned && epochs > 0) {
    warn('the gradient is exactly zero at the initial parameters, so no optimiser step will change them');
  }

  const order = fullBatch ? null : Int32Array.from({ length: rows }, (_, i) => i);
  const shuffleRng = createRng(problem.seed, 'shuffle');
  const history: Array<{ epoch: number; loss: number }> = [];
  let status = 'completed' as TrainStatus;
  let message: string | undefined;
  let cachedFull = true; // `grads` and `initialLoss` hold the full-batch evaluation at the current params
  const baseline = Math.max(1, Math.abs(initialLoss));
  let steps = 0;
  let epoch = 0;
  const stop = (s: TrainStatus, m: string) => {
    status = s;
    message = m;
  };
  if (!Number.isFinite(initialLoss)) stop('diverged', `the loss is ${initialLoss} at the initial parameters (epoch 0): check the data and the initial values`);

  epochs: while (status === 'completed' && epoch < epochs) {
    const e = epoch + 1;
    if (order) shuffleInPlace(order, shuffleRng);
    let sum = 0;
    for (let start = 0; start < rows; start += K) {
      if (stopRequested()) {
        stop('cancelled', `training was stopped during epoch ${e}`);
        break epochs;
      }
      const end = Math.min(rows, start + K);
      const loss = cachedFull && fullBatch ? initialLoss : objective.evaluate(order, start, end, grads);
      cachedFull = false;
      if (!Number.isFinite(loss)) {
        stop('diverged', `training diverged at epoch ${e} (step ${steps + 1}): the loss became ${loss}${lrHint(options)}`);
        break epochs;
      }
      const badGrad = finiteCheck(grads);
      if (badGrad !== undefined) {
        stop('diverged', `training diverged at epoch ${e} (step ${steps + 1}): the gradient became ${badGrad}${lrHint(options)}`);
        break epochs;
      }
      sum += loss * (end - start);
      optimizer.step(values, grads);
      steps++;
      const badParam = finiteCheck(values);
      if (badParam !== undefined) {
        stop('diverged', `training diverged at epoch ${e} (step ${steps}): a parameter became ${badParam}${lrHint(options)}`);
        break epochs;
      }
    }
    const epochLoss = sum / rows;
    epoch = e;
    history.push({ epoch: e, loss: epochLoss });
    hooks.onProgress?.({ epoch: e, epochs, loss: epochLoss, elapsedMs: now() - t0 });
    if (epochLoss > DIVERGENCE_FACTOR * baseline) {
      stop('diverged', `training diverged at epoch ${e}: the loss grew from ${fmt(initialLoss)} to ${fmt(epochLoss)}${lrHint(options)}`);
      break;
    }
    if (options.tol !== undefined && history.length >= 2) {
      const prev = history[history.length - 2].loss;
      if (Math.abs(prev - epochLoss) <= options.tol * Math.max(1, Math.abs(prev))) {
        stop('converged', `stopped early at epoch ${e}: the loss changed by ${fmt(Math.abs(prev - epochLoss))}, within the tolerance ${options.tol}`);
        break;
      }
    }
  }
  if (status === 'completed' && stopRequested() && epoch < epochs) stop('cancelled', `training was stopped after epoch ${epoch}`);

  let finalLoss: number;
  if (status === 'completed' || status === 'converged') finalLoss = cachedFull ? initialLoss : objective.evaluate(null, 0, rows, null);
  else finalLoss = history.length ? history[history.length - 1].loss : initialLoss;
  if (status === 'diverged' && !Number.isFinite(finalLoss)) finalLoss = NaN;
  const died = !deadReluWarned && (status === 'completed' || status === 'converged') && everyReluInactive(problem, grads);

  return {
    status,
    ...(message ? { message } : {}),
    epochs: epoch,
    steps,
    params: Object.fromEntries(params.map((p) => [p.name, paramValue(p)])),
    loss: finalLoss,
    initialLoss,
    history,
    warnings,
    method: problem.method,
    ...(problem.methodNote ? { methodNote: problem.methodNote } : {}),
    evaluator: [...objective.evaluators].join('+'),
    kernel: objective.kernel ?? 'plan',
    threads: objective.threads ?? 1,
    rows,
    dims: Object.fromEntries([...problem.dims, ...(problem.rowDim ? [[problem.rowDim, rows] as const] : [])]),
    optimizer: { name: optimizer.name, settings: optimizer.describe() },
    batch: fullBatch ? 'full' : K,
    seed: problem.seed,
    gradients: problem.gradientText,
    ...(problem.dataNote ? { dataNote: problem.dataNote } : {}),
    ...(problem.teacher ? { teacher: problem.teacher } : {}),
    ...(died ? { reluDiedMidRun: problem.kinks.map((k) => k.text) } : {}),
    elapsedMs: now() - t0,
  };
}

/** At the current parameters: every ReLU's pre-activation ≤ 0 on every row, and so the gradient exactly zero. */
function everyReluInactive(problem: Problem, grads: Float64Array[]): boolean {
  const { kinks, objective } = problem;
  if (!kinks.length || !objective.values(kinks.map((k) => k.pre)).every((pre) => pre.length > 0 && pre.every((v) => v <= 0))) return false;
  objective.evaluate(null, 0, objective.rows, grads);
  return grads.every((g) => g.every((v) => v === 0));
}

function fmt(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x);
}

function lrHint(o: TrainOptions): string {
  return `; try a smaller learning rate than ${o.lr ?? 1e-3}`;
}
