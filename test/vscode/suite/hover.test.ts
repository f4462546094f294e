/// <reference types="mocha" />
// Hover shows `<source text> : <shape>` for names, subexpressions and derivative forms, in both layouts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, hoverText, positionOf, setLayout, workspaceFile } from './harness.ts';

type Layout = 'numerator' | 'denominator';

interface HoverCase {
  file: string;
  /** Text to find in the file (first occurrence)… */
  find: string;
  /** …and the part of it to hover (default: its first character). */
  at?: string;
  /** The inline code the hover must contain, per layout. */
  expect: string | Record<Layout, string>;
}

const CASES: HoverCase[] = [
  // test/vscode/fixtures/main/shapes.mcalc
  { file: 'fixtures/shapes.mcalc', find: 'z = w · x + b', at: 'w', expect: '`w : vector[n]`' },
  { file: 'fixtures/shapes.mcalc', find: 'z = w · x + b', at: 'b', expect: '`b : scalar`' },
  { file: 'fixtures/shapes.mcalc', find: 'z = w · x + b', at: '·', expect: '`w · x : scalar`' },
  { file: 'fixtures/shapes.mcalc', find: 'z = w · x + b', at: '+', expect: '`w · x + b : scalar`' },
  { file: 'fixtures/shapes.mcalc', find: 'h = W*x', at: 'W', expect: '`W : matrix[m, n]`' },
  { file: 'fixtures/shapes.mcalc', find: 'h = W*x', at: '*', expect: '`W*x : vector[m]`' },
  { file: 'fixtures/shapes.mcalc', find: 'h = W*x', at: 'h', expect: '`h : vector[m]`' },
  {
    file: 'fixtures/shapes.mcalc',
    find: 'd(loss)/d(w)',
    at: '/',
    expect: { numerator: '`d(loss)/d(w) : 1×n`', denominator: '`d(loss)/d(w) : n×1`' },
  },
  // examples/neuron.mcalc (the example users open first); it says `layout numerator`, so 1×n in both settings
  { file: 'examples/neuron.mcalc', find: 'w · x + b', at: 'w', expect: '`w : vector[n]`' },
  { file: 'examples/neuron.mcalc', find: 'w · x + b', at: '+', expect: '`w · x + b : scalar`' },
  { file: 'examples/neuron.mcalc', find: 'd(loss)/d(w)', at: '/', expect: '`d(loss)/d(w) : 1×n`' },
];

async function hoverAt(c: HoverCase): Promise<string> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(c.file));
  return hoverText(doc.uri, positionOf(doc, c.find, c.at));
}

for (const layout of ['numerator', 'denominator'] as const) {
  suite(`Hover (${layout} layout)`, () => {
    suiteSetup(async () => {
      await setLayout(layout);
      // Best effort: wait until the provider answers in the new layout. Each test asserts on its own, so a
      // provider that never does still fails there, with the hover it got.
      const derivative = CASES.find((c) => typeof c.expect !== 'string')! as HoverCase & { expect: Record<Layout, string> };
      await eventually(async () => assert.ok((await hoverAt(derivative)).includes(derivative.expect[layout])), 5000).catch(() => {});
    });
    suiteTeardown(() => setLayout(undefined));

    for (const c of CASES) {
      const want = typeof c.expect === 'string' ? c.expect : c.expect[layout];
      test(`${c.file}: '${c.at ?? c.find}' in '${c.find}' shows ${want}`, async () => {
        await eventually(async () => {
          const text = await hoverAt(c);
          assert.ok(text.includes(want), `hover should contain ${want}, got:\n${text || '(no hover)'}`);
        }, 1500);
      });
    }

    test('a derivative hover lists both layouts and marks the active one', async () => {
      const other: Layout = layout === 'numerator' ? 'denominator' : 'numerator';
      await eventually(async () => {
        const text = await hoverAt(CASES.find((c) => c.find === 'd(loss)/d(w)')!);
        const activeLines = text.split('\n').filter((l) => l.includes('(active)'));
        assert.equal(activeLines.length, 1, `exactly one line should say (active), got:\n${text}`);
        assert.match(activeLines[0], new RegExp(layout, 'i'), `the (active) line should name ${layout}:\n${text}`);
        assert.doesNotMatch(activeLines[0], new RegExp(other, 'i'), `the (active) line should not name ${other}:\n${text}`);
        assert.match(text, new RegExp(other, 'i'), `the hover should also list the ${other} layout:\n${text}`);
      }, 1500);
    });

    test('a derivative hover shows the symbolic result in the active layout', async () => {
      const want = layout === 'numerator' ? '`= 2 * z * xᵀ`' : '`= 2 * z * x`';
      await eventually(async () => {
        const text = await hoverAt({ file: 'fixtures/shapes.mcalc', find: 'd(loss)/d(w)', at: '/', expect: '' });
        assert.ok(text.includes(want), `hover should contain ${want}, got:\n${text}`);
      }, 1500);
    });
  });
}
