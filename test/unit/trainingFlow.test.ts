// The Train command's pure parts: the default loss (never an intermediate, over random documents too), the
// preselected parameters, validation of every typed answer, the synthetic-data probe in editor words, the
// verdicts of real training runs, the distance to the teacher, the least-squares optimum and the saved-run
// files.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyze } from '../../src/core/analyze.ts';
import { train } from '../../src/core/numeric/train/trainer.ts';
import { alignedData, applyMessage, emptyPanelState } from '../../src/webview/training/state.ts';
import { usableLanguage } from '../../src/webview/training/locale.ts';
import { leastSquaresOptimum } from '../../src/core/numeric/train/optimum.ts';
import { prepareProblem, type TrainOptions } from '../../src/core/numeric/train/problem.ts';
import { curveCsv, parameterDistance, runFileStem, runRecord, valueShape, verdictOf, type RunSettings } from '../../src/core/numeric/train/report.ts';
import {
  editorWords,
  parameterChoices,
  parseBatchSize,
  parseLearningRate,
  parseSeed,
  parseWholeNumber,
  rankedLosses,
  syntheticProblem,
  toTrainOptions,
} from '../../src/core/numeric/train/setup.ts';

const NEURON = readFileSync(join(__dirname, '../../examples/neuron.mcalc'), 'utf8');
const BATCH = readFileSync(join(__dirname, '../../examples/neuron-batch.mcalc'), 'utf8');
const base = { source: NEURON, language: 'mcalc' as const, fileName: 'neuron.mcalc' };

describe('the default loss', () => {
  test('the neuron suggests `loss`, never the intermediates z and a, and offers them last', () => {
    const names = rankedLosses(analyze(NEURON)).map((d) => d.name);
    assert.deepEqual(names, ['loss', 'z', 'a']);
    assert.equal(rankedLosses(analyze(BATCH))[0].name, 'loss');
  });

  test('a conventional name (loss, L, C, …) wins over the definition with most inputs; then the most inputs win', () => {
    const doc = 'p, q, r: scalar\nspread = p * q * r\nC = (p - q)^2\n';
    assert.deepEqual(rankedLosses(analyze(doc)).map((d) => d.name), ['C', 'spread']);
    const plain = 'p, q, r: scalar\nsmall = p^2\nbig = p * q * r\n';
    assert.deepEqual(rankedLosses(analyze(plain)).map((d) => d.name), ['big', 'small']);
  });

  test('derivative forms and non-scalars are never offered', () => {
    const doc = 'dim n\nw: vector[n]\nv = 2 * w\nL = sum(v ⊗ v)\ng = d(L)/d(w)\n';
    assert.deepEqual(rankedLosses(analyze(doc)).map((d) => d.name), ['L']);
  });

  test('over random chains of definitions, the default is a scalar that no other definition uses', () => {
    // Each definition combines earlier definitions and variables; the ones used later are intermediates.
    const doc = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('+', '*', '-')), { minLength: 1, maxLength: 8 }).map((defs) => {
      const lines = ['p, q: scalar'];
      const names: string[] = ['p', 'q'];
      defs.forEach(([i, j, op], k) => {
        const name = `d${k}`;
        lines.push(`${name} = ${names[i % names.length]} ${op} ${names[j % names.length]}`);
        names.push(name);
      });
      return lines.join('\n') + '\n';
    });
    fc.assert(
      fc.property(doc, (text) => {
        const a = analyze(text);
        const [first] = rankedLosses(a);
        assert.ok(first, text);
        assert.equal(first.shape?.kind, 'scalar');
        const usedLater = a.definitions.some((d) => d !== first && d.node !== first.node && new RegExp(`\\b${first.name}\\b`).test(d.exprText));
        assert.equal(usedLater, false, `the default '${first.name}' feeds another definition in\n${text}`);
      }),
      { numRuns: 200 },
    );
  });
});

test('parameters: w and b are preselected, x and y are data', () => {
  const choices = parameterChoices(analyze(NEURON), 'loss').map((c) => [c.variable.name, c.picked]);
  assert.deepEqual(Object.fromEntries(choices), { b: true, y: false, w: true, x: false });
  // Without parameter-like names, everything that does not look like data is preselected.
  const other = parameterChoices(analyze('dim n\nx, k: vector[n]\ny: scalar\nloss = (y - k · x)^2\n'), 'loss');
  assert.deepEqual(Object.fromEntries(other.map((c) => [c.variable.name, c.picked])), { y: false, x: false, k: true });
});

describe('answers are validated with a reason', () => {
  test('learning rate', () => {
    assert.deepEqual(parseLearningRate(' 1e-3 '), { value: 0.001 });
    for (const bad of ['abc', '', '0', '-0.1', 'Infinity', 'NaN']) {
      const r = parseLearningRate(bad);
      assert.ok('error' in r && /learning rate/.test(r.error), `${bad}: ${JSON.stringify(r)}`);
    }
    assert.match((parseLearningRate('abc') as { error: string }).error, /not 'abc'/);
  });

  test('whole numbers (epochs, rows, sizes), batch size and seed', () => {
    assert.deepEqual(parseWholeNumber('200', 'the number of epochs'), { value: 200 });
    assert.deepEqual(parseWholeNumber('1_000', 'rows'), { value: 1000 });
    for (const bad of ['0', '1.5', '-3', 'ten', '']) assert.match((parseWholeNumber(bad, 'the number of epochs') as { error: string }).error, /the number of epochs must be a whole number ≥ 1/);
    assert.deepEqual(parseBatchSize('full'), { value: 'full' });
    assert.deepEqual(parseBatchSize('32'), { value: 32 });
    assert.match((parseBatchSize('0') as { error: string }).error, /'full'/);
    assert.deepEqual(parseSeed('-7'), { value: -7 });
    assert.ok('error' in parseSeed('1.5'));
  });
});

describe('the synthetic-data probe', () => {
  test('the neuron loss trains on synthetic data; the intermediate z cannot, said in editor words', () => {
    const a = analyze(NEURON);
    assert.equal(syntheticProblem(base, a, 'loss', ['w', 'b']), undefined);
    const why = syntheticProblem(base, a, 'z', ['w', 'b']);
    assert.ok(why, 'z has no y − prediction to fit');
    assert.match(why, /^Synthetic data needs a loss that compares a data variable with a prediction/);
    assert.doesNotMatch(why, /--/);
  });

  test('a batch loss (X: matrix[N, n]) passes the probe', () => {
    assert.equal(syntheticProblem({ ...base, source: BATCH }, analyze(BATCH), 'loss', ['w', 'b']), undefined);
  });

  test('editor words replace every CLI flag of the trainer messages', () => {
    const messages = [
      'the loss uses the data variables x, y: give --data FILE.csv or --synthetic N',
      "--synthetic needs a loss that compares a data variable with a prediction, like (y - a)^2; 'x' never appears as y − prediction. Use --data FILE.csv",
      '--synthetic needs the size of n (the length of x): add --dim n=…',
      '--synthetic 300 and --dim N=20 disagree on the number of rows',
      '--epochs must be a whole number ≥ 0, not -1',
    ];
    for (const m of messages) assert.doesNotMatch(editorWords(m), /--/, editorWords(m));
    assert.equal(editorWords(messages[2]), 'Synthetic data needs the size of n (the length of x): give the size of n');
  });
});

describe('verdicts of real runs', () => {
  const options: TrainOptions = { ...base, loss: 'loss', params: ['w', 'b'], data: { synthetic: 50 }, dims: { n: 3 }, optimizer: 'adam', lr: 0.05, epochs: 30, seed: 1 };

  test('reached the epoch limit; converged to tolerance', () => {
    assert.equal(verdictOf(train(options), 30).kind, 'epoch-limit');
    const settled = train({ ...options, epochs: 5000, tol: 1e-3 });
    const v = verdictOf(settled, 5000);
    assert.equal(v.kind, 'converged');
    assert.equal(v.headline, `Converged to tolerance at epoch ${settled.epochs}`);
  });

  test('diverged at the epoch the trainer names', () => {
    const r = train({ ...options, optimizer: 'sgd', lr: 1e6 });
    const v = verdictOf(r, 30);
    assert.equal(v.kind, 'diverged');
    assert.match(v.headline, /^Diverged at epoch \d+$/);
    assert.ok(r.message?.includes(`epoch ${v.headline.match(/\d+/)![0]}`), r.message);
  });

  test('stopped by the user, saying where', () => {
    let epochs = 0;
    const r = train({ ...options, epochs: 1000 }, { onProgress: (p) => (epochs = p.epoch), shouldStop: () => epochs >= 7 });
    assert.equal(r.epochs, 7);
    assert.equal(verdictOf(r, 1000).headline, 'Stopped by you during epoch 8 of 1000 (7 complete)');
  });

  test('dead ReLU at init', () => {
    const r = train({ ...options, init: 'zeros' });
    const v = verdictOf(r, 30);
    assert.equal(v.kind, 'dead-relu');
    assert.match(v.detail ?? '', /dead ReLU at init/);
  });
});

test('distance to the teacher, shapes of parameter values', () => {
  assert.deepEqual(parameterDistance({ w: [1, 2], b: 0 }, { w: [1, 0], b: 0 }), { distance: 2, referenceNorm: 1 });
  assert.deepEqual(parameterDistance({ W: [[1, 1]], extra: 5 }, { W: [[0, 1]] }), { distance: 1, referenceNorm: 1 });
  assert.deepEqual([valueShape(1), valueShape([1, 2, 3]), valueShape([[1, 2, 3], [4, 5, 6]])], ['scalar', 'vector[3]', 'matrix[2, 3]']);
});

test('the saved run: JSON with settings, seed, per-epoch loss and parameters; CSV of the curve', () => {
  const settings: RunSettings = { loss: 'loss', params: ['w', 'b'], data: { synthetic: 40 }, dims: { n: 2 }, optimizer: 'adam', lr: 0.05, epochs: 12, batch: 'full', seed: 3, tol: 0 };
  const r = train(toTrainOptions(settings, base));
  const when = new Date('2026-12-01T23:59:01.123Z');
  const saved = JSON.parse(JSON.stringify(runRecord('neuron.mcalc', settings, r, when)));
  assert.deepEqual(saved.settings, settings);
  assert.equal(saved.seed, 3);
  assert.equal(saved.history.length, 12);
  assert.deepEqual(saved.params, r.params);
  assert.deepEqual(saved.teacher, r.teacher);
  const csv = curveCsv(r.history).trimEnd().split('\n');
  assert.equal(csv[0], 'epoch,loss');
  assert.equal(csv.length, 13);
  assert.equal(Number(csv[12].split(',')[1]), r.history[11].loss);
  assert.equal(runFileStem('neuron.mcalc', when), 'neuron.run-2026-12-01T23-59-01Z');
  assert.deepEqual(toTrainOptions({ ...settings, data: { csv: '/d.csv' } }, base).data, { csvPath: '/d.csv' });
});

describe('the least-squares optimum', () => {
  const LINEAR = 'dim n\nb, y: scalar\nw, x: vector[n]\nloss = (y - (w · x + b))^2\n';
  const BATCH_LINEAR = 'dim N, n\nX: matrix[N, n]\ny: vector[N]\nw: vector[n]\nb: scalar\nloss = mean((y - (X * w + b))^2)\n';
  const flat = (p: Record<string, unknown>) => Object.values(p).flatMap((v) => (Array.isArray(v) ? v.flat() : [v])) as number[];

  /** The gradient over all rows at `params` (the first-order condition of a minimum: all zero). */
  function gradientAt(o: TrainOptions, params: Record<string, number | number[]>): number[] {
    const problem = prepareProblem({ ...o, init: { values: params } });
    const grads = problem.params.map((p) => new Float64Array(p.value.data.length));
    problem.objective.evaluate(null, 0, problem.objective.rows, grads);
    return grads.flatMap((g) => Array.from(g));
  }

  for (const [name, source, dims] of [['per-sample', LINEAR, { n: 3 }], ['batch', BATCH_LINEAR, { n: 3, N: 200 }]] as const) {
    test(`a linear model (${name} loss): the gradient vanishes at θ*, and long training reaches it`, () => {
      const o: TrainOptions = { source, loss: 'loss', params: ['w', 'b'], data: { synthetic: 200 }, dims, seed: 5 };
      const problem = prepareProblem(o);
      const before = problem.params.map((p) => Array.from(p.value.data));
      const star = leastSquaresOptimum(problem);
      assert.ok(star, 'the loss is quadratic in w and b');
      assert.deepEqual(problem.params.map((p) => Array.from(p.value.data)), before, 'the parameters are left as they were');
      for (const g of gradientAt(o, star as Record<string, number | number[]>)) assert.ok(Math.abs(g) < 1e-9, `gradient ${g} at θ*`);
      const trained = train({ ...o, optimizer: 'sgd', lr: 0.1, epochs: 2000 });
      assert.ok(parameterDistance(trained.params, star).distance < 1e-3, `${JSON.stringify(trained.params)} vs ${JSON.stringify(star)}`);
      assert.ok(flat(star).every(Number.isFinite));
    });
  }

  test('not for the ReLU neuron (its gradient is not affine in the parameters)', () => {
    assert.equal(leastSquaresOptimum(prepareProblem({ ...base, loss: 'loss', params: ['w', 'b'], data: { synthetic: 100 }, dims: { n: 3 } })), undefined);
  });

  test('not when H is singular (a parameter the loss does not see)', () => {
    const doc = 'dim n\nb, c, y: scalar\nw, x: vector[n]\nloss = (y - (w · x + b))^2 + 0 * c\n';
    assert.equal(leastSquaresOptimum(prepareProblem({ source: doc, loss: 'loss', params: ['w', 'b', 'c'], data: { synthetic: 50 }, dims: { n: 2 } })), undefined);
  });
});

test('the panel state follows its messages: a reloaded webview gets the same runs, unfinished ones marked interrupted', () => {
  const settings: RunSettings = { loss: 'loss', params: ['w'], data: { synthetic: 10 }, dims: {}, optimizer: 'sgd', lr: 0.1, epochs: 3, batch: 'full', seed: 1, tol: 0 };
  let s = emptyPanelState();
  s = applyMessage(s, { type: 'run-start', run: { id: 1, label: 'sgd', settings }, replace: true, uri: 'file:///a.mcalc', file: 'a.mcalc' });
  s = applyMessage(s, { type: 'epochs', runId: 1, points: [[1, 3], [2, 2]] });
  s = applyMessage(s, { type: 'run-start', run: { id: 2, label: 'adam', settings }, replace: false, uri: 'file:///a.mcalc', file: 'a.mcalc' });
  s = applyMessage(s, { type: 'epochs', runId: 2, points: [[1, 4]] });
  assert.deepEqual(s.runs.map((r) => r.points.length), [2, 1]);
  const shown = applyMessage({ ...emptyPanelState(), logScale: true }, { type: 'snapshot', state: JSON.parse(JSON.stringify(s)) });
  assert.equal(shown.logScale, true, 'the toggle stays the viewer’s');
  assert.deepEqual(shown.runs, s.runs);
  s = applyMessage(s, { type: 'idle' });
  assert.match(s.runs[1].error ?? '', /^Interrupted after 1 epochs/);
  s = applyMessage(s, { type: 'run-start', run: { id: 3, label: 'sgd', settings }, replace: true, uri: 'file:///b.mcalc', file: 'b.mcalc' });
  assert.deepEqual([s.runs.length, s.uri], [1, 'file:///b.mcalc']);
});

test('the chart data: runs of different lengths on one epoch axis; a log axis leaves out losses ≤ 0', () => {
  const settings = {} as RunSettings;
  const runs = [
    { id: 1, label: 'a', settings, points: [[1, 2], [2, 1], [3, 0]] as Array<[number, number]> },
    { id: 2, label: 'b', settings, points: [[1, 5]] as Array<[number, number]> },
  ];
  assert.deepEqual(alignedData(runs, false), [[1, 2, 3], [2, 1, 0], [5, null, null]]);
  assert.deepEqual(alignedData(runs, true), [[1, 2, 3], [2, 1, null], [5, null, null]]);
  assert.deepEqual(alignedData([], false), [[]]);
});

test('the panel renders under a POSIX locale: a language tag Intl rejects is replaced before uPlot loads', () => {
  assert.throws(() => new Intl.NumberFormat('en-US@posix'), RangeError);
  assert.equal(usableLanguage('en-US@posix'), 'en-US');
  assert.equal(usableLanguage('de-DE'), 'de-DE');
  assert.equal(usableLanguage('@@'), 'en-US');
  for (const tag of ['en-US@posix', 'fr', 'C.UTF-8', '']) assert.doesNotThrow(() => new Intl.NumberFormat(usableLanguage(tag)), tag);
});
