// The Train command's prompts: loss, parameters, data, sizes, optimiser, learning rate, epochs, batch size and
// seed. Every answer has a default (the natural loss, the parameter-like variables, the mcalc.training
// settings), so pressing Enter all the way trains; an invalid answer is refused where it is typed, with the
// reason, and a loss that cannot train on synthetic data says so in the data question (CSV first, the reason
// shown), before anything else is asked. Escape cancels.

import * as vscode from 'vscode';
import type { Analysis } from '../../core/analyze.ts';
import type { OptimizerName } from '../../core/numeric/train/optimizers.ts';
import type { TrainOptions } from '../../core/numeric/train/problem.ts';
import type { RunSettings } from '../../core/numeric/train/report.ts';
import { CONVERGENCE_TOL, type Parsed, parameterChoices, parseBatchSize, parseLearningRate, parseSeed, parseWholeNumber, rankedLosses, syntheticProblem } from '../../core/numeric/train/setup.ts';
import { formatShape } from '../../core/shape.ts';

const OPTIMIZERS: Array<{ label: OptimizerName; detail: string }> = [
  { label: 'adam', detail: 'Adam (β₁ 0.9, β₂ 0.999, ε 1e-8), PyTorch semantics' },
  { label: 'momentum', detail: 'SGD with momentum 0.9' },
  { label: 'sgd', detail: 'plain stochastic gradient descent' },
];

/** The defaults from the mcalc.training settings (declared in package.json). */
export function settingDefaults(uri: vscode.Uri): Pick<RunSettings, 'optimizer' | 'lr' | 'epochs' | 'batch' | 'seed'> {
  const c = vscode.workspace.getConfiguration('mcalc.training', uri);
  const optimizer = c.get<string>('optimizer');
  const batch = parseBatchSize(String(c.get('batchSize') ?? 'full'));
  const int = (key: string, fallback: number) => {
    const v = c.get<number>(key);
    return Number.isInteger(v) ? v! : fallback;
  };
  const lr = c.get<number>('learningRate');
  return {
    optimizer: OPTIMIZERS.some((o) => o.label === optimizer) ? (optimizer as OptimizerName) : 'adam',
    lr: typeof lr === 'number' && lr > 0 ? lr : 0.01,
    epochs: Math.max(1, int('epochs', 200)),
    batch: 'value' in batch ? batch.value : 'full',
    seed: int('seed', 1),
  };
}

/** An input box that only accepts what `parse` accepts, showing its reason while the text is invalid. */
async function ask<T>(title: string, value: string, parse: (text: string) => Parsed<T>, prompt?: string): Promise<T | undefined> {
  const text = await vscode.window.showInputBox({ title: `Train: ${title}`, value, prompt, ignoreFocusOut: true, validateInput: (v) => { const r = parse(v); return 'error' in r ? r.error : undefined; } });
  if (text === undefined) return undefined;
  const r = parse(text);
  return 'value' in r ? r.value : undefined;
}

type Base = Pick<TrainOptions, 'source' | 'language' | 'fileName'>;

/** What the trainer needs to know about the document itself. */
export function documentBase(doc: vscode.TextDocument): Base {
  return { source: doc.getText(), language: doc.languageId === 'markdown' ? 'markdown' : 'mcalc', fileName: vscode.workspace.asRelativePath(doc.uri) };
}

async function askLoss(analysis: Analysis, previous?: string): Promise<string | undefined> {
  const ranked = rankedLosses(analysis);
  if (!ranked.length) return void vscode.window.showInformationMessage('Train: this document has no scalar definition to use as a loss (e.g. `loss = (y - a)^2`).');
  const first = ranked.findIndex((d) => d.name === previous);
  if (first > 0) ranked.unshift(...ranked.splice(first, 1));
  const items = ranked.map((d, i) => ({ label: d.name, description: `= ${d.exprText}`, detail: i === 0 ? 'suggested: the scalar definition that no other definition uses' : undefined }));
  return (await vscode.window.showQuickPick(items, { title: 'Train: the loss to minimise', ignoreFocusOut: true }))?.label;
}

async function askParams(analysis: Analysis, loss: string, previous?: readonly string[]): Promise<string[] | undefined> {
  const choices = parameterChoices(analysis, loss);
  let title = 'Train: the parameters (every other variable is data)';
  for (;;) {
    const items = choices.map(({ variable, picked }) => ({ label: variable.name, description: formatShape(variable.shape), picked: previous ? previous.includes(variable.name) : picked }));
    const picked = await vscode.window.showQuickPick(items, { title, canPickMany: true, ignoreFocusOut: true });
    if (!picked) return undefined;
    if (picked.length) return picked.map((p) => p.label);
    title = 'Train: pick at least one parameter (every other variable is data)';
  }
}

async function askData(analysis: Analysis, base: Base, loss: string, params: string[]): Promise<RunSettings['data'] | undefined> {
  // Whether synthetic data can work is known before the question is asked, so the answer is never a surprise.
  const problem = syntheticProblem(base, analysis, loss, params);
  const reason = problem && `Synthetic data cannot train '${loss}': ${problem}`;
  const synthetic = { label: 'Synthetic data', description: 'rows from a seeded teacher model plus noise; shows the distance to the teacher', detail: reason, id: 'synthetic' };
  const csv = { label: 'CSV file…', description: 'a header row names the columns: y, x1…xn', id: 'csv' };
  const items = reason ? [csv, synthetic] : [synthetic, csv];
  for (;;) {
    const choice = await vscode.window.showQuickPick(items, { title: 'Train: the data', placeHolder: reason, ignoreFocusOut: true });
    if (!choice) return undefined;
    if (choice.id === 'csv') {
      const file = await vscode.window.showOpenDialog({ filters: { CSV: ['csv'] }, canSelectMany: false, title: 'Train: the CSV file' });
      if (file?.length) return { csv: file[0].fsPath };
    } else if (reason) void vscode.window.showWarningMessage(reason);
    else {
      const rows = await ask('number of synthetic rows', '1000', (t) => parseWholeNumber(t, 'the number of rows'));
      return rows === undefined ? undefined : { synthetic: rows };
    }
  }
}

async function askDims(analysis: Analysis, previous: Record<string, number>): Promise<Record<string, number> | undefined> {
  const dims: Record<string, number> = {};
  for (const d of analysis.dims) {
    const size = await ask(`size of dimension ${d.name}`, String(previous[d.name] ?? 3), (t) => parseWholeNumber(t, `the size of ${d.name}`));
    if (size === undefined) return undefined;
    dims[d.name] = size;
  }
  return dims;
}

async function askOptimizer(preferred: OptimizerName): Promise<OptimizerName | undefined> {
  const items = [...OPTIMIZERS].sort((a, b) => Number(b.label === preferred) - Number(a.label === preferred));
  return (await vscode.window.showQuickPick(items, { title: 'Train: optimiser (PyTorch semantics)', ignoreFocusOut: true }))?.label;
}

/** Asks every question, `previous` (or the settings) giving the defaults; undefined when the user escapes. */
export async function askRunSettings(analysis: Analysis, base: Base, uri: vscode.Uri, previous?: RunSettings): Promise<RunSettings | undefined> {
  const d = previous ?? settingDefaults(uri);
  const loss = await askLoss(analysis, previous?.loss);
  if (!loss) return undefined;
  const params = await askParams(analysis, loss, previous?.loss === loss ? previous.params : undefined);
  if (!params) return undefined;
  const data = await askData(analysis, base, loss, params);
  if (!data) return undefined;
  // With a CSV file the trainer reads the sizes from its columns; synthetic data needs every size.
  const dims = 'csv' in data ? {} : await askDims(analysis, previous?.dims ?? {});
  if (!dims) return undefined;
  const optimizer = await askOptimizer(d.optimizer);
  if (!optimizer) return undefined;
  const lr = await ask('learning rate', String(d.lr), parseLearningRate);
  if (lr === undefined) return undefined;
  const epochs = await ask('epochs', String(d.epochs), (t) => parseWholeNumber(t, 'the number of epochs'));
  if (epochs === undefined) return undefined;
  const batch = await ask('batch size', String(d.batch), parseBatchSize, "'full' uses every row in each step; a number gives shuffled mini-batches");
  if (batch === undefined) return undefined;
  const seed = await ask('seed', String(d.seed), parseSeed, 'seeds the initial parameters, the synthetic data and the shuffling');
  if (seed === undefined) return undefined;
  return { loss, params, data, dims, optimizer, lr, epochs, batch, seed, tol: previous?.tol ?? CONVERGENCE_TOL };
}

/** Compare: another optimiser (and its learning rate) on otherwise the same settings. */
export async function askComparison(current: RunSettings): Promise<Pick<RunSettings, 'optimizer' | 'lr'> | undefined> {
  const others = OPTIMIZERS.filter((o) => o.label !== current.optimizer);
  const pick = await vscode.window.showQuickPick([...others, ...OPTIMIZERS.filter((o) => o.label === current.optimizer)], { title: 'Compare: overlay the curve of another optimiser', ignoreFocusOut: true });
  if (!pick) return undefined;
  const lr = await ask(`learning rate for ${pick.label}`, String(current.lr), parseLearningRate);
  return lr === undefined ? undefined : { optimizer: pick.label, lr };
}
