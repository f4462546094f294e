// Matrix Calculus: Train with the Derived Gradient… — asks for the run's settings (or takes them as the
// command's argument: keybindings, code lenses and tests pass them) and trains in a worker, live in the
// training panel. Cancel and Save Run are commands too, so they have keys as well as buttons.

import * as vscode from 'vscode';
import type { Context } from '../context.ts';
import type { TrainOptions, TrainResult } from '../../core/numeric/train/index.ts';
import type { RunSettings } from '../../core/numeric/train/report.ts';
import { TrainingController } from '../training/controller.ts';
import { CONVERGENCE_TOL } from '../../core/numeric/train/setup.ts';
import { askRunSettings, documentBase, settingDefaults } from '../training/flow.ts';
import { resolveTarget } from './target.ts';

/** The settings for a run started with arguments: what they give, the mcalc.training settings for the rest. */
function fromPreset(preset: Partial<TrainOptions> & Pick<TrainOptions, 'loss' | 'params'>, uri: vscode.Uri): RunSettings {
  const d = settingDefaults(uri);
  const data = preset.data && 'csvPath' in preset.data ? { csv: preset.data.csvPath } : { synthetic: preset.data && 'synthetic' in preset.data ? preset.data.synthetic : 1000 };
  return {
    loss: preset.loss,
    params: [...preset.params],
    data,
    dims: preset.dims instanceof Map ? Object.fromEntries(preset.dims) : { ...preset.dims },
    optimizer: preset.optimizer ?? d.optimizer,
    lr: preset.lr ?? d.lr,
    epochs: preset.epochs ?? d.epochs,
    batch: preset.batch ?? d.batch,
    seed: preset.seed ?? d.seed,
    tol: preset.tol ?? CONVERGENCE_TOL,
  };
}

export function registerTrain(ctx: Context, output: vscode.OutputChannel): void {
  const controller = new TrainingController(ctx, output);
  ctx.subscribe(
    vscode.commands.registerCommand('mcalc.train', async (preset?: Partial<TrainOptions>): Promise<TrainResult | undefined> => {
      const target = resolveTarget(undefined, undefined);
      if (!target) return void vscode.window.showInformationMessage('Open a .mcalc file with a loss to train.');
      const { doc } = target;
      const analysis = ctx.analysis(doc)?.analysis;
      if (!analysis) return undefined;
      const settings = preset?.loss && preset.params ? fromPreset({ ...preset, loss: preset.loss, params: preset.params }, doc.uri) : await askRunSettings(analysis, documentBase(doc), doc.uri);
      return settings && controller.run(doc, settings, true);
    }),
    vscode.commands.registerCommand('mcalc.training.cancel', () => controller.stop()),
    vscode.commands.registerCommand('mcalc.training.save', () => controller.save()),
    { dispose: () => void controller.stop() },
  );
}
