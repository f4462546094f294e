// *Copy Derivation as LaTeX / as Markdown / Copy Result as a Claim*: the derivation of the form at the cursor on
// the clipboard, in the format chosen (see core/diff/copy.ts).

import * as vscode from 'vscode';
import type { Context } from '../context.ts';
import type { DerivativeInfo } from '../../core/analyze.ts';
import { type Derivation, derive } from '../../core/diff/derivation.ts';
import type { DocumentAnalysis } from '../analysisCache.ts';
import { IN_HOST_NODES, dagSizeAtMost, derivationService } from '../derivationService.ts';
import { COPY_FORMATS, type CopyFormat, formatDerivation } from '../../core/diff/copy.ts';
import { derivativeAt } from '../../core/presentation.ts';
import { resolveTarget } from './target.ts';

export function registerCopyDerivation(ctx: Context): void {
  ctx.subscribe(
    ...COPY_FORMATS.map((format) =>
      vscode.commands.registerCommand(`mcalc.copyDerivation.${format}`, (uri?: string, offset?: number) => copyDerivation(ctx, format, uri, offset)),
    ),
  );
}

/** The record: derived here for small forms, in the derivation worker for large ones (the host never waits on them). */
async function derivationOf(ctx: Context, doc: vscode.TextDocument, result: DocumentAnalysis, info: DerivativeInfo): Promise<Derivation | undefined> {
  if (dagSizeAtMost(info.of, IN_HOST_NODES)) return derive(result.analysis, info, result.analysis.layout);
  const service = derivationService(ctx);
  const reply = await service.derivations.run({ kind: 'derivation', doc: service.snapshot(doc), at: result.toReal(info.range).start }, 'record');
  return reply?.kind === 'derivation' ? (JSON.parse(reply.json) as Derivation) : undefined;
}

async function copyDerivation(ctx: Context, format: CopyFormat, uri?: string, offset?: number): Promise<string | undefined> {
  const target = resolveTarget(uri, offset);
  const result = target && ctx.analysis(target.doc);
  if (!target || !result) return void vscode.window.showInformationMessage('Open a .mcalc file and put the cursor on a derivative form to copy its derivation.') as undefined;
  const { doc, offset: at } = target;
  const virtual = result.toVirtual(doc.positionAt(at));
  const info = virtual && derivativeAt(result.analysis, result.analysis.lines.offsetAt(virtual));
  if (!info) return void vscode.window.showInformationMessage('Put the cursor on a derivative form (d(f)/d(x), grad, hessian) to copy its derivation.') as undefined;
  const record = await derivationOf(ctx, doc, result, info);
  if (!record) return void vscode.window.showErrorMessage(`Could not derive ${info.text} to copy it.`) as undefined;
  const text = formatDerivation(record, info.text, format);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage(`Copied the derivation of ${info.text} as ${format === 'mcalc' ? 'a claim' : format === 'latex' ? 'LaTeX' : 'Markdown'}`, 3000);
  return text;
}
