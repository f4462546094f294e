// Taking a gradient out of the editor: *Export Gradient as Code…* writes a NumPy, PyTorch or JAX module next to
// the document and opens it; *Copy Derivation as LaTeX / Markdown / mcalc* puts the derivation of the form at
// the cursor on the clipboard. Both accept preset arguments (tests and keybindings) instead of asking.

import * as vscode from 'vscode';
import { Context } from './context.ts';
import { isMcalcDocument } from './analysisCache.ts';
import type { Analysis } from '../core/analyze.ts';
import { derive } from '../core/diff/derivation.ts';
import { type CopyFormat, formatDerivation } from '../core/diff/copy.ts';
import { derivativeAt } from '../core/presentation.ts';
import { ExportError, exportGradient } from '../core/export/python.ts';
import { BACKENDS, type Backend } from '../core/export/backends.ts';
import { formatShape } from '../core/shape.ts';

export interface ExportPreset {
  uri?: string;
  of?: string;
  wrt?: string[];
  backend?: Backend;
}

export function registerExportCommands(ctx: Context): void {
  ctx.subscribe(
    vscode.commands.registerCommand('mcalc.exportGradient', (preset?: ExportPreset) => exportToFile(ctx, preset ?? {})),
    ...(['latex', 'markdown', 'mcalc'] as const).map((format) =>
      vscode.commands.registerCommand(`mcalc.copyDerivation.${format}`, (uri?: string, offset?: number) => copyDerivation(ctx, format, uri, offset)),
    ),
  );
}

function documentFor(uri: string | undefined): vscode.TextDocument | undefined {
  if (uri !== undefined) return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
  const doc = vscode.window.activeTextEditor?.document;
  return doc && isMcalcDocument(doc) ? doc : undefined;
}

/** Scalar definitions worth exporting, the likeliest loss first: the most variables feed it; `loss`, `L`, `C` win ties. */
function lossCandidates(analysis: Analysis) {
  const preferred = (name: string) => (/^(loss|L|C|cost)$/i.test(name) ? 1 : 0);
  return analysis.definitions
    .filter((d) => d.node && !d.derivative && d.node.shape.kind === 'scalar' && d.node.vars.size > 0)
    .sort((a, b) => b.node!.vars.size - a.node!.vars.size || preferred(b.name) - preferred(a.name));
}

async function askExport(analysis: Analysis, preset: ExportPreset): Promise<Required<Omit<ExportPreset, 'uri'>> | undefined> {
  const losses = lossCandidates(analysis);
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
  const doc = documentFor(preset.uri);
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

async function copyDerivation(ctx: Context, format: CopyFormat, uri?: string, offset?: number): Promise<string | undefined> {
  const doc = documentFor(uri);
  const result = doc && ctx.analysis(doc);
  if (!doc || !result) return void vscode.window.showInformationMessage('Open a .mcalc file and put the cursor on a derivative form to copy its derivation.') as undefined;
  const at = offset ?? doc.offsetAt(vscode.window.activeTextEditor?.selection.active ?? new vscode.Position(0, 0));
  const virtual = result.toVirtual(doc.positionAt(at));
  const info = virtual && derivativeAt(result.analysis, result.analysis.lines.offsetAt(virtual));
  if (!info) return void vscode.window.showInformationMessage('Put the cursor on a derivative form (d(f)/d(x), grad, hessian) to copy its derivation.') as undefined;
  const text = formatDerivation(derive(result.analysis, info, result.analysis.layout), info.text, format);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage(`Copied the derivation of ${info.text} as ${format === 'mcalc' ? 'a claim' : format === 'latex' ? 'LaTeX' : 'Markdown'}`, 3000);
  return text;
}
