// What a finished (or stopped) training run means, for people: a one-line verdict, how far the parameters
// ended from a reference (the synthetic data's teacher, a least-squares optimum), the parameters' shapes,
// and the saved-run files (JSON with everything needed to reproduce it, and a CSV of the curve).

import type { OptimizerName } from './optimizers.ts';
import type { ParamValue } from './problem.ts';
import type { TrainResult } from './trainer.ts';

export type VerdictKind = 'converged' | 'epoch-limit' | 'diverged' | 'stopped' | 'dead-relu' | 'stopped-learning';

export interface Verdict {
  kind: VerdictKind;
  /** e.g. "Diverged at epoch 12". */
  headline: string;
  /** The trainer's own explanation, when it gave one. */
  detail?: string;
}

const DEAD_RELU = /^dead ReLU at init/;

/** The epoch named in a trainer message ("… at epoch 12 …", "… during epoch 3"). */
function epochIn(message: string | undefined): number | undefined {
  const m = message?.match(/(?:at|during|after) epoch (\d+)/);
  return m ? Number(m[1]) : undefined;
}

/** The verdict on a run that was asked for `requestedEpochs` epochs. */
export function verdictOf(r: TrainResult, requestedEpochs: number): Verdict {
  const detail = r.message ? { detail: r.message } : {};
  if (r.status === 'cancelled') {
    const during = epochIn(r.message);
    const where = during !== undefined && during > r.epochs ? `during epoch ${during}` : `at epoch ${r.epochs}`;
    return { kind: 'stopped', headline: `Stopped by you ${where} of ${requestedEpochs} (${r.epochs} complete)`, ...detail };
  }
  if (r.status === 'diverged') return { kind: 'diverged', headline: `Diverged at epoch ${epochIn(r.message) ?? r.epochs + 1}`, ...detail };
  const dead = r.warnings.find((w) => DEAD_RELU.test(w));
  if (dead) return { kind: 'dead-relu', headline: 'Dead ReLU at init: the parameters barely moved', detail: dead };
  if (r.reluDiedMidRun) return stoppedLearning(r, r.reluDiedMidRun);
  if (r.status === 'converged') return { kind: 'converged', headline: `Converged to tolerance at epoch ${r.epochs}`, ...detail };
  return { kind: 'epoch-limit', headline: `Reached the epoch limit (${r.epochs} epochs) without settling to tolerance` };
}

/** Losses this close (relative) count as unchanged: a dead unit's epoch losses differ only by summation order. */
const FLAT_RTOL = 1e-12;

/**
 * The first epoch from which every epoch's loss equals `finalLoss` (the loss at the final parameters): when the
 * curve went flat. Undefined when even the last epoch's loss differs: the change came in the last epoch.
 */
export function flatSince(history: TrainResult['history'], finalLoss: number): number | undefined {
  const same = (loss: number) => Math.abs(loss - finalLoss) <= FLAT_RTOL * Math.max(1, Math.abs(finalLoss));
  let k = history.length;
  while (k > 0 && same(history[k - 1].loss)) k--;
  return k < history.length ? history[k].epoch : undefined;
}

/** Every ReLU went inactive during the run: the gradient is zero, whatever the stopping rule said. */
function stoppedLearning(r: TrainResult, preActivations: readonly string[]): Verdict {
  const since = flatSince(r.history, r.loss);
  const which = preActivations.length === 1 ? `the pre-activation ${preActivations[0]} is` : `the pre-activations ${preActivations.join(', ')} are`;
  const when = since === undefined ? `in the last epoch (${r.epochs})` : `since epoch ${since}`;
  const flat =
    since === undefined
      ? 'the last step left them there'
      : `the loss has not changed since epoch ${since}${r.status === 'converged' ? ' (that is why it looked converged)' : ''}`;
  return {
    kind: 'stopped-learning',
    headline: `Stopped learning: every ReLU unit inactive ${when}`,
    detail:
      `At the final parameters ${which} ≤ 0 on all ${r.rows} row${r.rows === 1 ? '' : 's'}, so every ReLU outputs 0 and the gradient is exactly 0; ` +
      `${flat}. Training on changes nothing: a smaller learning rate, or a positive initial bias, keeps the units alive.`,
  };
}

function flatten(v: ParamValue): number[] {
  return typeof v === 'number' ? [v] : v.flat();
}

/** Euclidean distance between two parameter sets over the parameters they share, and the reference's norm. */
export function parameterDistance(params: Record<string, ParamValue>, reference: Record<string, ParamValue>): { distance: number; referenceNorm: number } {
  let d2 = 0;
  let n2 = 0;
  for (const [name, ref] of Object.entries(reference)) {
    const mine = params[name];
    if (mine === undefined) continue;
    const a = flatten(mine);
    const b = flatten(ref);
    b.forEach((x, i) => {
      d2 += (a[i] - x) ** 2;
      n2 += x * x;
    });
  }
  return { distance: Math.sqrt(d2), referenceNorm: Math.sqrt(n2) };
}

/** A parameter value's shape as the language writes it: scalar, vector[3], matrix[2, 3]. */
export function valueShape(v: ParamValue): string {
  if (typeof v === 'number') return 'scalar';
  if (v.length && Array.isArray(v[0])) return `matrix[${v.length}, ${(v[0] as number[]).length}]`;
  return `vector[${v.length}]`;
}

/** The settings a run was started with: enough, with the document, to run it again. */
export interface RunSettings {
  loss: string;
  params: string[];
  data: { synthetic: number } | { csv: string };
  dims: Record<string, number>;
  optimizer: OptimizerName;
  lr: number;
  epochs: number;
  batch: 'full' | number;
  seed: number;
  /** Converged when the epoch loss changes by at most tol·max(1, |loss|); 0 never stops early. */
  tol: number;
}

/** The saved run: settings, seed, the per-epoch loss and the parameters (JSON, next to the document). */
export function runRecord(document: string, settings: RunSettings, r: TrainResult, savedAt: Date): object {
  return {
    document,
    savedAt: savedAt.toISOString(),
    settings,
    seed: r.seed,
    status: r.status,
    verdict: verdictOf(r, settings.epochs).headline,
    initialLoss: r.initialLoss,
    loss: r.loss,
    epochs: r.epochs,
    history: r.history,
    params: r.params,
    ...(r.teacher ? { teacher: r.teacher } : {}),
    gradients: r.gradients,
    optimizer: r.optimizer,
    warnings: r.warnings,
  };
}

/** The loss curve as CSV: `epoch,loss`, one row per epoch, full precision. */
export function curveCsv(history: TrainResult['history']): string {
  return ['epoch,loss', ...history.map((h) => `${h.epoch},${h.loss}`)].join('\n') + '\n';
}

/** `neuron.run-2026-12-01T23-59-01Z`: the saved run's file name stem for document `neuron.mcalc`. */
export function runFileStem(documentBase: string, savedAt: Date): string {
  const stem = documentBase.replace(/\.(mcalc|md)$/i, '');
  return `${stem}.run-${savedAt.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}`;
}
