// The training verdict on a ReLU neuron that dies during the run: the stopping rule sees a flat loss and says
// "converged", but every unit is inactive and the gradient is zero. The data is the test's own, so the test
// recomputes the pre-activations at the final parameters itself instead of trusting the trainer's flag.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/core/numeric/random.ts';
import { train } from '../../src/core/numeric/train/trainer.ts';
import { flatSince, verdictOf } from '../../src/core/numeric/train/report.ts';
import { runMcalc, scratch } from './helpers/cli.ts';

const NEURON = 'dim n\nb, y: scalar\nw, x: vector[n]\nz = w · x + b\na = max(0, z)\nloss = (y - a)^2\n';
const N = 3;

/** Rows with y = relu(x·w* + 0.2) + noise, as CSV (x1…x3, y), and the rows themselves. */
function reluData(rows: number, seed: number): { csv: string; X: number[][] } {
  const rng = createRng(seed, 'relu-data');
  const wStar = [1, -0.5, 0.8];
  const X: number[][] = [];
  const lines = ['x1,x2,x3,y'];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: N }, () => rng.normal());
    const y = Math.max(0, x.reduce((s, v, k) => s + v * wStar[k], 0.2)) + 0.05 * rng.normal();
    X.push(x);
    lines.push([...x, y].join(','));
  }
  return { csv: lines.join('\n') + '\n', X };
}

/** z = w·x + b on every row at the given parameters. */
function preActivations(X: number[][], params: Record<string, unknown>): number[] {
  const w = params.w as number[];
  const b = params.b as number;
  return X.map((x) => x.reduce((s, v, k) => s + v * w[k], b));
}

describe('training verdict: a ReLU that dies mid-run', () => {
  const { csv, X } = reluData(200, 7);
  const run = (optimizer: 'sgd' | 'adam', lr: number) => train({ source: NEURON, loss: 'loss', params: ['w', 'b'], data: { csvText: csv }, optimizer, lr, epochs: 80, seed: 1, tol: 1e-6 });

  for (const [optimizer, lr] of [['sgd', 2.5], ['adam', 3]] as const) {
    test(`${optimizer} with lr ${lr} kills the unit: "stopped learning … since epoch k", not "converged"`, () => {
      const r = run(optimizer, lr);
      // The facts, recomputed from the test's own rows: every pre-activation ≤ 0, so the ReLU outputs 0.
      const z = preActivations(X, r.params);
      assert.ok(z.every((v) => v <= 0), `the unit is alive on ${z.filter((v) => v > 0).length} rows: pick a harsher learning rate`);
      assert.deepEqual(r.reluDiedMidRun, ['z = w · x + b']);
      const v = verdictOf(r, 80);
      assert.equal(v.kind, 'stopped-learning');
      const since = Number(/^Stopped learning: every ReLU unit inactive since epoch (\d+)$/.exec(v.headline)?.[1]);
      assert.ok(since >= 2 && since <= r.epochs, v.headline);
      // The curve is flat from that epoch on (the mean of y² over the rows) and not just before it.
      const flat = r.history.filter((h) => h.epoch >= since).map((h) => h.loss);
      assert.ok(flat.every((l) => Math.abs(l - flat[0]) <= 1e-12), `flat from epoch ${since}: ${flat}`);
      assert.notEqual(r.history[since - 2].loss, flat[0], `epoch ${since - 1} already had the dead loss`);
      assert.match(v.detail ?? '', /≤ 0 on all 200 rows, so every ReLU outputs 0 and the gradient is exactly 0/);
    });
  }

  test('mcalc train says so too, instead of "stopped early … within the tolerance"', async () => {
    const file = scratch('mcalc-relu-');
    const doc = file('neuron.mcalc', NEURON);
    const data = file('rows.csv', csv);
    const r = await runMcalc('train', doc, '--loss', 'loss', '--params', 'w,b', '--data', data, '--optimizer', 'sgd', '--lr', '2.5', '--epochs', '80', '--seed', '1', '--tol', '1e-6');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Stopped learning: every ReLU unit inactive since epoch \d+$/m);
    assert.doesNotMatch(r.out, /within the tolerance/);
  });

  test('a healthy run keeps its ordinary verdict', () => {
    const r = run('sgd', 0.2);
    assert.ok(preActivations(X, r.params).some((v) => v > 0), 'the unit is alive');
    assert.equal(r.reluDiedMidRun, undefined);
    assert.match(verdictOf(r, 80).kind, /^(converged|epoch-limit)$/);
  });

  test('a unit dead at init keeps the at-init verdict (the parameters never moved)', () => {
    const r = train({ source: NEURON, loss: 'loss', params: ['w', 'b'], data: { csvText: csv }, init: 'zeros', lr: 0.1, epochs: 5 });
    assert.equal(r.reluDiedMidRun, undefined);
    assert.equal(verdictOf(r, 5).kind, 'dead-relu');
  });
});

describe('flatSince', () => {
  const h = (...losses: number[]) => losses.map((loss, i) => ({ epoch: i + 1, loss }));
  test('the first epoch of the final run of losses equal to the final loss', () => {
    assert.equal(flatSince(h(3, 2, 1, 1, 1), 1), 3);
    assert.equal(flatSince(h(1, 1, 1), 1), 1);
    assert.equal(flatSince(h(1, 2, 1, 1), 1), 3, 'an earlier equal value before a change does not count');
    assert.equal(flatSince(h(3, 2, 1 + 1e-14), 1), 3, 'summation-order rounding is not a change');
  });
  test('undefined when the last epoch still differs from the final loss (the change came in the last step)', () => {
    assert.equal(flatSince(h(3, 2, 1.5), 1), undefined);
  });
});
