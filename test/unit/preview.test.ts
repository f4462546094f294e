// The derivation preview's pure parts: the worker's jobs (record, quick check, hover result), the latest-only
// worker that runs them off the extension host, and which lines of a long step list are folded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyze } from '../../src/core/analyze.ts';
import { derive } from '../../src/core/diff/derivation.ts';
import type { DerivationJob, DerivationReply } from '../../src/core/workers/protocol.ts';
import { DerivationJobs, NO_FORM_MESSAGE } from '../../src/extension/worker/derivationJobs.ts';
import { LatestClient } from '../../src/extension/worker/latestClient.ts';
import { LONG_RUN, VISIBLE_BUDGET, foldPlan, type Segment } from '../../src/webview/fold.ts';

const NEURON = 'dim n\nb, y: scalar\nw, x: vector[n]\nz = w · x + b\na = max(0, z)\nloss = (y - a)^2\ng = d(loss)/d(w)\nh = d(z)/d(b)\n';
const WORKER = join(__dirname, '../../src/extension/worker/derivationWorker.ts');

function job(kind: DerivationJob['kind'], text: string, line: number, character = 6, version = 1, languageId = 'mcalc'): DerivationJob {
  // The worker caches analyses per URI and version, as the editor's documents are: one text per version.
  return { kind, doc: { key: `file:///t.${languageId === 'markdown' ? 'md' : 'mcalc'}`, version, text, languageId, layout: 'numerator' }, at: { line, character } };
}

function nest(depth: number): string {
  let e = 'x';
  for (let i = 0; i < depth; i++) e = `log(1 + sin(${e} + x^2)^2)`;
  return `x: scalar\ny = ${e}\ng = d(y)/d(x)\n`;
}

test('a derivation job returns the record of the form at the position, as JSON', () => {
  const reply = new DerivationJobs().run(job('derivation', NEURON, 6));
  assert.equal(reply.kind, 'derivation');
  if (reply.kind !== 'derivation') return;
  assert.equal(reply.title, 'd(loss)/d(w)');
  assert.equal(reply.line, 7);
  const a = analyze(NEURON);
  const expected = derive(a, a.derivatives[0], 'numerator');
  assert.deepEqual(JSON.parse(reply.json), JSON.parse(JSON.stringify(expected)));
});

test('the same form of the same version is not derived twice; another form or version is', () => {
  const jobs = new DerivationJobs();
  const first = jobs.run(job('derivation', NEURON, 6));
  assert.equal(jobs.run(job('derivation', NEURON, 6, 9)), first, 'another position inside the same form');
  const other = jobs.run(job('derivation', NEURON, 7));
  assert.equal(other.kind === 'derivation' && other.title, 'd(z)/d(b)');
  const edited = jobs.run(job('derivation', NEURON, 6, 6, 2));
  assert.ok(edited.kind === 'derivation' && first.kind === 'derivation' && edited.formKey !== first.formKey, 'a new version is a new record');
});

test('away from derivative forms, in Markdown prose or a broken document, a job says there is no form', () => {
  const jobs = new DerivationJobs();
  assert.deepEqual(jobs.run(job('derivation', NEURON, 3)), { kind: 'none', message: NO_FORM_MESSAGE });
  const md = '# Notes\n\n```mcalc\nx: scalar\ng = d(sin(x))/d(x)\n```\n';
  assert.equal(jobs.run(job('derivation', md, 0, 2, 1, 'markdown')).kind, 'none');
  const inBlock = jobs.run(job('derivation', md, 4, 6, 1, 'markdown'));
  assert.ok(inBlock.kind === 'derivation' && inBlock.line === 5, JSON.stringify(inBlock).slice(0, 200));
  assert.equal(jobs.run(job('derivation', 'x: scalar\ng = d(sin(x)/d(x)\n', 1, 6, 2)).kind, 'none');
});

test('check and result jobs: the quick check passes, the hover result is the printed result', () => {
  const jobs = new DerivationJobs();
  const check = jobs.run(job('check', NEURON, 6));
  assert.ok(check.kind === 'check' && check.check?.passed, JSON.stringify(check));
  const result = jobs.run(job('result', NEURON, 6));
  assert.ok(result.kind === 'result' && result.result, JSON.stringify(result));
  assert.equal(result.result.main.text, '-2 * (y - a) * (z > 0) * xᵀ');
  assert.deepEqual(result.result.where, []);
});

test('the latest-only worker answers the newest job and drops the ones it superseded', async () => {
  const worker = new LatestClient<DerivationJob, DerivationReply>(WORKER, ['default'], 60_000); // patient: no restart however slow the start
  try {
    const jobs = [6, 7, 6].map((line, k) => worker.run(job('derivation', NEURON, line, 6, k + 1)));
    const [a, b, c] = await Promise.all(jobs);
    assert.equal(a, undefined, 'the first job was running when the third arrived: its answer is stale');
    assert.equal(b, undefined, 'the second was replaced while it waited');
    assert.ok(c?.kind === 'derivation' && c.title === 'd(loss)/d(w)', JSON.stringify(c)?.slice(0, 200));
    assert.equal(worker.restarts, 0);
  } finally {
    worker.dispose();
  }
});

test('a long job that a newer one superseded is cut short by restarting the worker', async () => {
  const worker = new LatestClient<DerivationJob, DerivationReply>(WORKER, ['default'], 50);
  try {
    const slow = worker.run(job('derivation', nest(1000), 2));
    await new Promise((r) => setTimeout(r, 50)); // the slow job is with the worker
    const t = performance.now();
    const quick = await worker.run(job('derivation', NEURON, 6));
    assert.equal(await slow, undefined);
    assert.ok(quick?.kind === 'derivation' && quick.title === 'd(loss)/d(w)');
    assert.equal(worker.restarts, 1, `the worker was restarted (answer after ${(performance.now() - t).toFixed(0)} ms)`);
  } finally {
    worker.dispose();
  }
});

test('cancelAll stops a running job at once and the worker serves the next job', async () => {
  const worker = new LatestClient<DerivationJob, DerivationReply>(WORKER, ['default'], 60_000);
  try {
    const slow = worker.run(job('derivation', nest(1000), 2));
    await new Promise((r) => setTimeout(r, 50));
    const t = performance.now();
    worker.cancelAll();
    assert.equal(await slow, undefined, 'the cancelled job resolves undefined');
    assert.ok(performance.now() - t < 100, 'without waiting for the job');
    const next = await worker.run(job('derivation', NEURON, 6));
    assert.ok(next?.kind === 'derivation' && next.title === 'd(loss)/d(w)');
  } finally {
    worker.dispose();
  }
});

test('lanes are served in priority order: a hover asked after a preview job runs before it', async () => {
  const worker = new LatestClient<DerivationJob, DerivationReply, 'hover' | 'preview'>(WORKER, ['hover', 'preview'], 60_000);
  try {
    const order: string[] = [];
    const busy = worker.run(job('derivation', NEURON, 6), 'preview'); // occupies the worker while it starts
    const preview = worker.run(job('derivation', NEURON, 7, 6, 2), 'preview').then((r) => (order.push('preview'), r));
    const hover = worker.run(job('result', NEURON, 6, 6, 2), 'hover').then((r) => (order.push('hover'), r));
    assert.equal(await busy, undefined, 'superseded by the newer preview job');
    const [p, h] = await Promise.all([preview, hover]);
    assert.deepEqual(order, ['hover', 'preview']);
    assert.ok(p?.kind === 'derivation' && h?.kind === 'result', 'both lanes got their answers');
  } finally {
    worker.dispose();
  }
});

/** Checks the invariants of a plan: it covers every line once, in order, within the budget. */
function assertPlan(plan: Segment[], n: number, budget: number): void {
  let next = 0;
  for (const s of plan) {
    assert.equal(s.from, next, `segments are contiguous: ${JSON.stringify(plan)}`);
    assert.ok(s.to > s.from, `no empty segment: ${JSON.stringify(plan)}`);
    next = s.to;
  }
  assert.equal(next, n, 'the plan covers every line');
  const visible = plan.filter((s) => s.kind === 'lines').reduce((k, s) => k + s.to - s.from, 0);
  assert.ok(visible <= budget, `${visible} visible lines, budget ${budget}`);
}

test('fold plans cover every line in order and show at most the budget (random lists)', () => {
  fc.assert(
    fc.property(fc.array(fc.option(fc.constantFrom('sin rule', 'sum rule', 'chain'), { nil: undefined }), { maxLength: 300 }), fc.integer({ min: 1, max: 60 }), (groups, budget) => {
      const plan = foldPlan(groups, budget);
      assertPlan(plan, groups.length, budget);
      for (const s of plan) if (s.kind === 'fold' && s.group !== undefined) assert.ok(groups.slice(s.from, s.to).every((g) => g === s.group));
    }),
  );
});

test('fold plans: short lists stay open, a long uniform run folds around its ends, the rest beyond the budget folds', () => {
  assert.deepEqual(foldPlan(['a', 'b', 'a']), [{ kind: 'lines', from: 0, to: 3 }]);
  const run = [...Array(LONG_RUN + 2).fill('sin rule'), 'sum rule'];
  assert.deepEqual(foldPlan(run), [
    { kind: 'lines', from: 0, to: 2 },
    { kind: 'fold', from: 2, to: LONG_RUN + 1, group: 'sin rule' },
    { kind: 'lines', from: LONG_RUN + 1, to: LONG_RUN + 3 },
  ]);
  const many = Array.from({ length: 900 }, (_, i) => ['x', 'y', 'z'][i % 3]);
  assert.deepEqual(foldPlan(many), [
    { kind: 'lines', from: 0, to: VISIBLE_BUDGET },
    { kind: 'fold', from: VISIBLE_BUDGET, to: 900 },
  ]);
  assert.deepEqual(foldPlan(many, Infinity), [{ kind: 'lines', from: 0, to: 900 }]);
});
