// `mcalc train FILE --loss NAME --params w,b (--data F.csv | --synthetic N) [options]`: trains the parameters
// with the engine's symbolic gradient. --json prints JSON lines {"epoch", "loss"} per epoch, then
// {"params", "loss"}. Exit codes: 0 trained, 1 a problem in the input (document, CSV, divergence), 2 usage,
// 130 interrupted (Ctrl-C: the parameters reached so far are printed first).
// As the mcalc process, training runs in a worker thread so that Ctrl-C reaches this thread while it computes.

import { Command, Option } from 'commander';
import { runTrainingInWorker, train, TrainError, type TrainHooks, type TrainOptions, type TrainResult } from '../core/numeric/train/index.ts';
import { ValueError, parseValues } from '../core/values.ts';
import { CliError, type Io, readInput } from './io.ts';
import { collectDim, parseDims } from './dims.ts';
import { languageOf } from './document.ts';
import { verdictOf } from '../core/numeric/train/report.ts';

/** The verdict where the stopping rule's message would mislead (every ReLU died during the run). */
function verdictLines(r: TrainResult): string {
  const v = verdictOf(r, r.epochs);
  return v.detail ? `${v.headline}\n${v.detail}` : v.headline;
}

export interface TrainCliOptions {
  loss: string;
  params: string;
  data?: string;
  synthetic?: string;
  noise?: string;
  optimizer: 'sgd' | 'momentum' | 'adam';
  lr?: string;
  momentum?: string;
  dampening?: string;
  nesterov?: boolean;
  betas?: string;
  eps?: string;
  weightDecay?: string;
  epochs: string;
  batch: string;
  seed: string;
  init: string;
  dim: string[];
  tol?: string;
  every?: string;
  json?: boolean;
}

function usage(message: string): CliError {
  return new CliError(message, 2);
}

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(x)) throw usage(`${flag} ${v}: not a number`);
  return x;
}

function int(flag: string, v: string | undefined, min: number): number | undefined {
  const x = num(flag, v);
  if (x !== undefined && (!Number.isInteger(x) || x < min)) throw usage(`${flag} ${v}: expected a whole number ≥ ${min}`);
  return x;
}

/** The library options for these flags (reads the document and the init file; the CSV is read by the trainer). */
export function trainOptionsFromCli(file: string, o: TrainCliOptions): TrainOptions {
  if (o.data !== undefined && o.synthetic !== undefined) throw usage('give either --data FILE.csv or --synthetic N, not both');
  const params = o.params.split(',').map((p) => p.trim()).filter(Boolean);
  if (params.length === 0) throw usage('--params needs at least one variable name, e.g. --params w,b');
  let init: TrainOptions['init'];
  if (o.init === 'zeros' || o.init === 'random') init = o.init;
  else {
    // Anything else names a JSON file of values, e.g. {"w": [0.1, 0.2], "b": 0}.
    try {
      init = { values: parseValues(readInput(o.init), o.init), fileName: o.init };
    } catch (e) {
      if (e instanceof ValueError) throw new CliError(e.message, 1);
      throw e;
    }
  }
  let batch: TrainOptions['batch'] = 'full';
  if (o.batch !== 'full') batch = int('--batch', o.batch, 1);
  let betas: [number, number] | undefined;
  if (o.betas !== undefined) {
    const parts = o.betas.split(',');
    if (parts.length !== 2) throw usage(`--betas ${o.betas}: expected two numbers, e.g. --betas 0.9,0.999`);
    betas = [num('--betas', parts[0])!, num('--betas', parts[1])!];
  }
  const synthetic = int('--synthetic', o.synthetic, 1);
  return {
    source: readInput(file),
    language: languageOf(file) === 'markdown' ? 'markdown' : 'mcalc',
    fileName: file,
    loss: o.loss,
    params,
    ...(o.data !== undefined ? { data: { csvPath: o.data } } : synthetic !== undefined ? { data: { synthetic, ...(o.noise !== undefined ? { noise: num('--noise', o.noise)! } : {}) } } : {}),
    optimizer: o.optimizer,
    lr: num('--lr', o.lr),
    momentum: num('--momentum', o.momentum),
    dampening: num('--dampening', o.dampening),
    nesterov: o.nesterov,
    betas,
    eps: num('--eps', o.eps),
    weightDecay: num('--weight-decay', o.weightDecay),
    epochs: int('--epochs', o.epochs, 0),
    batch,
    seed: int('--seed', o.seed, 0),
    init,
    dims: parseDims(o.dim),
    tol: num('--tol', o.tol),
  };
}

function short(v: unknown, digits = 6): string {
  const f = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x));
  if (typeof v === 'number') return f(v);
  if (Array.isArray(v)) {
    const shown = v.length > 8 ? [...v.slice(0, 6), '…', v[v.length - 1]] : v;
    return `[${shown.map((x) => (x === '…' ? '…' : short(x, digits))).join(', ')}]${v.length > 8 ? ` (${v.length} values)` : ''}`;
  }
  return String(v);
}

function describeOptimizer(r: TrainResult): string {
  const s = r.optimizer.settings;
  const parts = Object.entries(s).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('/') : String(v)}`);
  return `${r.optimizer.name} (${parts.join(', ')})`;
}

/** Exit code after Ctrl-C (128 + SIGINT), as shells report an interrupted command. */
export const INTERRUPTED = 130;

export async function trainCommand(io: Io, file: string, o: TrainCliOptions): Promise<number> {
  const options = trainOptionsFromCli(file, o);
  const every = int('--every', o.every, 1);
  const epochs = options.epochs ?? 100;
  const step = every ?? Math.max(1, Math.ceil(epochs / 20));
  const interrupt = new AbortController();
  const onInterrupt = () => interrupt.abort();
  process.once('SIGINT', onInterrupt);
  const run = (hooks: Required<Pick<TrainHooks, 'onWarning' | 'onProgress'>>): Promise<TrainResult> =>
    io.ownsProcess ? runTrainingInWorker(options, { ...hooks, signal: interrupt.signal }) : Promise.resolve(train(options, { ...hooks, signal: interrupt.signal }));
  let result: TrainResult;
  try {
    result = await run({
      onWarning: (w) => io.err(`${file}: warning: ${w}\n`),
      onProgress: (p) => {
        if (o.json) io.out(JSON.stringify({ epoch: p.epoch, loss: p.loss }) + '\n');
        else if (p.epoch % step === 0 || p.epoch === 1 || p.epoch === p.epochs) {
          io.out(`epoch ${String(p.epoch).padStart(String(p.epochs).length)}/${p.epochs}  loss ${short(p.loss)}\n`);
        }
      },
    });
  } catch (e) {
    if (e instanceof TrainError) throw new CliError(e.message, e.kind === 'usage' ? 2 : 1);
    throw e;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  if (result.status === 'diverged') {
    io.err(`mcalc: ${result.message}\n`);
    return 1;
  }
  if (result.status === 'cancelled') return reportInterrupted(io, result, !!o.json);
  if (o.json) {
    io.out(JSON.stringify({ params: result.params, loss: result.loss }) + '\n');
    return 0;
  }
  const names = Object.keys(result.params);
  const width = Math.max(...names.map((n) => n.length));
  const rowsText = `${result.rows} ${options.data && 'synthetic' in options.data ? 'synthetic ' : ''}row${result.rows === 1 ? '' : 's'}`;
  io.out(
    `${result.reluDiedMidRun ? `${verdictLines(result)}\n` : result.status === 'converged' ? result.message + '\n' : ''}` +
      `trained ${names.join(', ')} on ${rowsText} with ${describeOptimizer(result)}, ${result.batch === 'full' ? 'full batch' : `batches of ${result.batch}`}, ` +
      `${result.epochs} epoch${result.epochs === 1 ? '' : 's'} (seed ${result.seed}, ${(result.elapsedMs / 1000).toFixed(2)} s)\n` +
      `loss ${short(result.loss)} (initially ${short(result.initialLoss)})\n`,
  );
  for (const n of names) io.out(`  ${n.padEnd(width)} = ${short(result.params[n])}\n`);
  const sizes = Object.entries(result.dims);
  if (sizes.length) io.out(`sizes: ${sizes.map(([k, v]) => `${k} = ${v}`).join(', ')}\n`);
  if (result.teacher) for (const n of names) io.out(`  teacher ${n.padEnd(width)} = ${short(result.teacher[n])}\n`);
  io.out(`gradient used (${result.method === 'per-row' ? 'per sample, averaged over rows' : result.method === 'batch-rewrite' ? 'batch form of the per-sample loss' : 'the loss as written'}):\n`);
  for (const n of names) io.out(`  ∇${n} = ${result.gradients[n]}\n`);
  if (result.dataNote) io.out(`  (${result.dataNote})\n`);
  if (result.methodNote) io.out(`note: ${result.methodNote}\n`);
  return 0;
}

/** Ctrl-C: the parameters reached so far (all of them, so the run can be resumed with --init), exit 130. */
function reportInterrupted(io: Io, result: TrainResult, json: boolean): number {
  if (json) {
    io.out(JSON.stringify({ status: 'interrupted', epochs: result.epochs, params: result.params, loss: result.loss }) + '\n');
    return INTERRUPTED;
  }
  io.err(`mcalc: interrupted after ${result.epochs} epoch${result.epochs === 1 ? '' : 's'} (${result.steps} steps); the parameters so far, loss ${short(result.loss)}:\n`);
  io.out(JSON.stringify(result.params) + '\n');
  return INTERRUPTED;
}

export function registerTrain(program: Command, io: Io): void {
  program
    .command('train')
    .description("train a model's parameters on data with the engine's symbolic gradient (SGD, momentum or Adam)")
    .argument('<file>', '.mcalc file (or Markdown with ```mcalc blocks)')
    .requiredOption('--loss <name>', 'the loss definition: per sample (averaged over the rows) or over a batch')
    .requiredOption('--params <names>', 'the variables to train, comma-separated (every other variable is data)')
    .option('--data <file.csv>', 'CSV with a header: y ↔ column y, x: vector[n] ↔ x1…xn (or x_1…, x[1]…)')
    .option('--synthetic <N>', 'N rows from a seeded teacher (the model with random parameters) plus noise')
    .option('--noise <sigma>', 'standard deviation of the synthetic noise', '0.1')
    .addOption(new Option('--optimizer <name>', 'optimiser, with PyTorch semantics').choices(['sgd', 'momentum', 'adam']).default('sgd'))
    .option('--lr <rate>', 'learning rate (PyTorch default 0.001)')
    .option('--momentum <mu>', 'momentum factor (momentum: default 0.9)')
    .option('--dampening <tau>', 'dampening for momentum (default 0)')
    .option('--nesterov', 'Nesterov momentum')
    .option('--betas <b1,b2>', "Adam's betas (default 0.9,0.999)")
    .option('--eps <eps>', "Adam's epsilon (default 1e-8)")
    .option('--weight-decay <lambda>', 'L2 penalty added to the gradient (default 0)')
    .option('--epochs <k>', 'epochs (passes over the data)', '100')
    .option('--batch <full|K>', 'full batch or mini-batches of K rows, reshuffled every epoch', 'full')
    .option('--seed <s>', 'seed for init, shuffling and synthetic data', '0')
    .option('--init <zeros|random|file.json>', 'initial parameters', 'random')
    .option('--dim <name=size>', 'bind a symbolic dimension, e.g. n=100 (repeatable)', collectDim, [] as string[])
    .option('--tol <t>', 'stop early when the epoch loss changes by at most t·max(1, |loss|)')
    .option('--every <k>', 'print progress every k epochs (text output)')
    .option('--json', 'JSON lines: {"epoch", "loss"} per epoch, then {"params", "loss"}')
    .action(async (file: string, opts: TrainCliOptions) => {
      io.exitCode = await trainCommand(io, file, opts);
    });
}
