// The extension's commands, one file each: show the derivation preview, check derivatives against finite
// differences, train with the derived gradient, export it as code, copy a derivation, and the onboarding ones
// (a new document from a template, open the neuron example). Checks and training run in worker threads.

import * as vscode from 'vscode';
import type { Context } from '../context.ts';
import { registerShowDerivation } from './showDerivation.ts';
import { registerCheck } from './check.ts';
import { registerTrain } from './train.ts';
import { registerExportGradient } from './exportGradient.ts';
import { registerCopyDerivation } from './copyDerivation.ts';
import { registerNewDocument } from './newDocument.ts';
import { registerOpenExample } from './openExample.ts';

export function registerCommands(ctx: Context): void {
  const output = vscode.window.createOutputChannel('Matrix Calculus');
  ctx.subscribe(output);
  registerShowDerivation(ctx);
  registerCheck(ctx, output);
  registerTrain(ctx, output);
  registerExportGradient(ctx);
  registerCopyDerivation(ctx);
  registerNewDocument(ctx);
  registerOpenExample(ctx);
}
