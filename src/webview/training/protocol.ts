// Messages between the extension and the training panel, both ways (types only: shared by both sides).

import type { ParamValue } from '../../core/numeric/train/problem.ts';
import type { RunSettings, Verdict } from '../../core/numeric/train/report.ts';

/** How far the final parameters are from a reference set (the teacher, a least-squares optimum). */
export interface Reference {
  /** e.g. "the teacher (the parameters that generated the synthetic data)". */
  what: string;
  params: Record<string, ParamValue>;
  distance: number;
  referenceNorm: number;
}

export interface RunSummary {
  verdict: Verdict;
  initialLoss: number;
  loss: number;
  epochs: number;
  params: Record<string, ParamValue>;
  references: Reference[];
  warnings: string[];
  gradients: Record<string, string>;
  /** What the data variables' names stand for in the gradients' batch form. */
  dataNote?: string;
  elapsedMs: number;
}

export interface RunView {
  id: number;
  /** e.g. "adam, lr 0.01". */
  label: string;
  settings: RunSettings;
  /** [epoch, mean loss] per epoch, in order. */
  points: Array<[number, number]>;
  summary?: RunSummary;
  error?: string;
}

export type ToTrainingPanel =
  /** A new run: `replace` clears the panel (Rerun, a new Train), otherwise it is overlaid (Compare). */
  | { type: 'run-start'; run: Omit<RunView, 'points'>; replace: boolean; uri: string; file: string }
  /** Epochs that arrived since the last message (batched so a fast run does not flood the webview). */
  | { type: 'epochs'; runId: number; points: Array<[number, number]> }
  | { type: 'run-end'; runId: number; summary: RunSummary }
  | { type: 'run-error'; runId: number; message: string }
  /** A short note under the buttons, e.g. "Saved neuron.run-….json and .csv". */
  | { type: 'note'; text: string }
  /** Answer to `ready` when no training is running: runs the panel shows as unfinished were interrupted. */
  | { type: 'idle' }
  /** Answer to `ready`: everything the extension has sent so far (a fresh, hidden or reloaded webview missed it). */
  | { type: 'snapshot'; state: TrainingPanelState };

export type FromTrainingPanel = { type: 'ready' } | { type: 'rerun' } | { type: 'change' } | { type: 'compare' } | { type: 'save' } | { type: 'copy' } | { type: 'cancel' };

/** What the webview keeps with vscode.setState: a hidden or reloaded panel comes back as it was. */
export interface TrainingPanelState {
  /** The document the runs came from. */
  uri?: string;
  file?: string;
  runs: RunView[];
  logScale: boolean;
}
