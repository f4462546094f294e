// *Export Gradient as Code…*: writes the gradient of a scalar definition as a NumPy, PyTorch or JAX module next to
// the document (never over an existing file) and opens it. Preset arguments (tests, keybindings) skip the questions.

import * as vscode from 'vscode';
import type { Context } from '../context.ts';
import type { Analysis } from '../../core/analyze.ts';
import { ExportError, exportGradient } from '../../core/export/python.ts';
import { BACKENDS, type Backend } from '../../core/export/backends.ts';
import { formatShape } from '../../core/shape.ts';
import { rankedLosses } from '../../core/numeric/train/setup.ts';
import { resolveTarget } from './target.ts';

export interface ExportPreset {
  uri?: string;
  of?: string;
  wrt?: string[];
  backend?: Backend;
}

export function registerExportGradient(ctx: Context): void {
  ctx.subscribe(vscode.commands.registerCommand('mcalc.exportGradient', (preset?: ExportPreset) => exportToFile(ctx, preset ?? {})));
}

async function askExport(analysis: Analysis, preset: ExportPreset): Promise<Required<Omit<ExportPreset, 'uri'>> | undefined> {
  const losses = rankedLosses(analysis).filter((d) => d.node!.vars.size > 0);
  if (!losses.length) return void vscode.window.showInformationMessage('Export needs a scalar definition (a loss) that depends on some variable.') as undefined;
  const of = preset.of ?? (await vscode.window.showQuickPick(losses.map((d) => ({ label: d.name, description: d.exprText })), { title: 'Export Gradient: the scalar function (loss)' }))?.label;
  if (!of) return undefined;
  const node = analysis.definition(of)?.node;
  const vars = analysis.variables.filter((v) => node?.vars.has(v.name));
  const wrt =
    preset.wrt ??
    (await vscode.window.showQuickPick(vars.map((v) => ({ label: v.name, description: formatShape(v.shape), picked: true })), { title: `Export Gradient: the gradient of ${of} with respect to`, canPickMany: true }))?.map((p) => p.label);
  if (!wrt?.length) return undefined;
  const labels: Record<Backend, string> = { numpy: 'NumPy', pytorch: 'PyTorch', jax: 'JAX' };
  const backend = preset.backend ?? (await vscode.window.showQuickPick(BACKENDS.map((b) => ({ label: labels[b], backend: b })), { title: 'Export Gradient: the library' }))?.backend;
  if (!backend) return undefined;
  return { of, wrt, backend };
}

/** `<name>_<of>_grad.py` beside the document, never replacing a file (…_2.py, _3.py, …). */
async function freeFileBeside(doc: vscode.TextDocument, of: string, backend: Backend): Promise<vscode.Uri> {
  const dir = vscode.Uri.joinPath(doc.uri, '..');
  const base = `${doc.uri.path.split('/').pop()!.replace(/\.[^.]*$/, '').replace(/\W+/g, '_')}_${of.replace(/\W+/g, '_')}_grad${backend === 'numpy' ? '' : `_${backend}`}`;
  for (let k = 1; ; k++) {
    const candidate = vscode.Uri.joinPath(dir, `${base}${k === 1 ? '' : `_${k}`}.py`);
    try {
      await vscode.workspace.fs.stat(candidate);
    } catch {
      return candidate;
    }
  }
}

async function exportToFile(ctx: Context, preset: ExportPreset): Promise<vscode.Uri | undefined> {
  const doc = resolveTarget(preset.uri, undefined)?.doc;
  const analysis = doc && ctx.analysis(doc)?.analysis;
  if (!doc || !analysis) return void vscode.window.showInformationMessage('Open a .mcalc file (or Markdown with ```mcalc blocks) with a loss to export.') as undefined;
  const chosen = await askExport(analysis, preset);
  if (!chosen) return undefined;
  let code: string;
  try {
    code = exportGradient(analysis, { ...chosen, source: vscode.workspace.asRelativePath(doc.uri) });
  } catch (e) {
    if (!(e instanceof ExportError)) throw e;
    return void vscode.window.showErrorMessage(`Export Gradient: ${e.message}`) as undefined;
  }
  const untitled = doc.uri.scheme !== 'file';
  const target = untitled ? undefined : await freeFileBeside(doc, chosen.of, chosen.backend);
  if (target) await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(code));
  const opened = target ? await vscode.workspace.openTextDocument(target) : await vscode.workspace.openTextDocument({ language: 'python', content: code });
  await vscode.window.showTextDocument(opened, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  if (target) void vscode.window.showInformationMessage(`Wrote ${vscode.workspace.asRelativePath(target)}: run it with python3 for its self-check.`);
  return target ?? opened.uri;
}

