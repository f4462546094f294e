/// <reference types="mocha" />
// The derivation preview's dataflow graph and claims, read from the webview's own DOM by Playwright: the graph
// (laid out by dagre) fits the panel, has an arrow per edge and the value's shape on each edge, zooms with the
// wheel and fits again with its button; on a `check` line the claim's right side is typeset beside mcalc's
// result with the claim's verdict; step 2 notes each partial's shape and rule. Screenshots: test-results/graph-wide.png, graph-neuron.png, claim.png,
// claim-wrong.png.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, openInEditor, positionOf, previewForm, requestScreenshot, runConfig, skipWith } from './harness.ts';
import { analyze } from '../../../src/core/analyze.ts';
import { derive } from '../../../src/core/diff/derivation.ts';
import { definitionNames, documentNames } from '../../../src/core/diff/result.ts';
import { graphOf, stepLines } from '../../../src/core/diff/steps.ts';
import { toLatex } from '../../../src/core/print.ts';

/** Geometry and contents of the drawn graph, then what a wheel zoom and the Fit button do to it. */
const GRAPH_MEASURE = `(() => {
  const svg = document.querySelector('svg.graph');
  const content = svg.querySelector('g.content');
  svg.closest('section').scrollIntoView({ block: 'start' }); // for the screenshot
  const box = (e) => { const r = e.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width }; };
  const scale = () => Number(/scale\\(([^)]+)\\)/.exec(content.getAttribute('transform') ?? '')?.[1]);
  const edges = [...svg.querySelectorAll('path.edge')];
  const arrows = edges.filter((p) => {
    const id = /^url\\(#(.+)\\)$/.exec(p.getAttribute('marker-end') ?? '')?.[1];
    return id !== undefined && svg.querySelector('marker#' + CSS.escape(id) + ' path') !== null;
  }).length;
  const before = { svg: box(svg), content: box(content), scale: scale() };
  const s = svg.getBoundingClientRect();
  svg.dispatchEvent(new WheelEvent('wheel', { deltaY: -400, clientX: s.left + s.width / 2, clientY: s.top + 20, cancelable: true, bubbles: true }));
  const zoomed = scale();
  document.querySelector('.graph-view button.fit').click();
  return {
    panelWidth: document.documentElement.clientWidth,
    ...before,
    edges: edges.length,
    arrows,
    edgeLabels: [...svg.querySelectorAll('text.edge-label')].map((t) => t.textContent),
    nodeLabels: [...svg.querySelectorAll('g.node text')].map((t) => t.textContent),
    zoomed,
    refitted: scale(),
  };
})()`;

interface GraphMeasure {
  panelWidth: number;
  svg: { left: number; right: number; top: number; bottom: number; width: number };
  content: { left: number; right: number; top: number; bottom: number; width: number };
  scale: number;
  edges: number;
  arrows: number;
  edgeLabels: string[];
  nodeLabels: string[];
  zoomed: number;
  refitted: number;
}

const sorted = (xs: readonly string[]) => [...xs].sort();

suite('The derivation preview: dataflow graph and claims', function () {
  this.timeout(60_000);
  suiteTeardown(closeAllEditors);

  for (const [file, form, of, wrt, shot] of [
    ['fixtures/widegraph.mcalc', 'g = d(f)/d(x)', 'f', 'x', 'graph-wide'],
    ['examples/neuron.mcalc', 'g = d(loss)/d(w)', 'loss', 'w', 'graph-neuron'],
  ] as const) {
    test(`the dataflow graph of ${of} fits the panel, with an arrow and a shape on every edge, and zooms (${shot}.png)`, async function () {
      if (!runConfig().screenshots) skipWith(this, 'webview DOM is inspected by Playwright, which only the offline route has');
      const { analysis: a, info } = await previewForm(file, form, of, wrt);
      const graph = graphOf(derive(a, info, a.layout));
      const shapeOf = new Map(graph.nodes.map((n) => [n.id, n.shape]));
      const result = await requestScreenshot(shot, [
        { selector: 'header h1', text: info.text, frame: 'webview' },
        { selector: '.dataflow svg.graph g.node', frame: 'webview', measure: GRAPH_MEASURE },
      ]);
      assert.equal(result.error, undefined, result.error);
      assert.ok(result.found[1], 'the dataflow graph is drawn');
      const m = JSON.parse(result.found[1]) as GraphMeasure;
      assert.ok(m.svg.width <= m.panelWidth, `the graph's box (${m.svg.width} px) is wider than the panel (${m.panelWidth} px)`);
      assert.ok(m.content.left >= m.svg.left - 1 && m.content.right <= m.svg.right + 1, `the drawing ${JSON.stringify(m.content)} sticks out of its box ${JSON.stringify(m.svg)}`);
      assert.ok(m.content.top >= m.svg.top - 1 && m.content.bottom <= m.svg.bottom + 1, `the drawing ${JSON.stringify(m.content)} is cut off at the top or bottom of ${JSON.stringify(m.svg)}`);
      assert.equal(m.edges, graph.edges.length, 'one drawn edge per edge of the dataflow graph');
      assert.equal(m.arrows, m.edges, 'every edge ends in an arrowhead');
      assert.deepEqual(sorted(m.edgeLabels), sorted(graph.edges.map(([from]) => shapeOf.get(from)!)), "each edge is labelled with its value's shape");
      assert.deepEqual(sorted(m.nodeLabels), sorted(graph.nodes.map((n) => n.label ?? n.id)));
      assert.ok(m.zoomed > m.scale, `the wheel zooms in (scale ${m.scale} → ${m.zoomed})`);
      assert.equal(m.refitted, m.scale, 'Fit puts the drawing back as it was fitted');
      if (shot === 'graph-wide') assert.ok(m.scale < 1, `the eight-branch graph is scaled down to fit (scale ${m.scale})`);
    });
  }

  test("step 2 shows each partial's shape and rule beside it, as mcalc derive prints them", async function () {
    if (!runConfig().screenshots) skipWith(this, 'webview DOM is inspected by Playwright, which only the offline route has');
    const { analysis: a, info } = await previewForm('examples/neuron.mcalc', 'g = d(loss)/d(w)', 'loss', 'w');
    const want = stepLines(derive(a, info, a.layout), 2).map((l) => l.note);
    const shot = await requestScreenshot('step-notes', [
      { selector: '.step-2 li .note', text: 'dot product rule', frame: 'webview', measure: `(() => { document.querySelector('.step-1').scrollIntoView(); return [...document.querySelectorAll('.step-2 li .note')].map((e) => e.textContent); })()` },
    ]);
    assert.equal(shot.error, undefined, shot.error);
    assert.deepEqual(JSON.parse(shot.found[0] ?? '[]'), want);
    assert.ok(want.includes('1×n; dot product rule'), `the engine's notes: ${JSON.stringify(want)}`);
  });

  for (const [file, wrong, shot] of [
    ['examples/neuron.mcalc', false, 'claim'],
    ['fixtures/wrongclaim.mcalc', true, 'claim-wrong'],
  ] as const) {
    test(`on a check line, the claim is typeset beside mcalc's result with its verdict (${shot}.png)`, async function () {
      if (!runConfig().screenshots) skipWith(this, 'webview DOM is inspected by Playwright, which only the offline route has');
      const doc = await openInEditor(file);
      const onClaim = positionOf(doc, 'check d(loss)/d(w) = ', '= ').translate(0, 3);
      const editor = vscode.window.activeTextEditor!;
      if (wrong) {
        // The cursor on the claim's right side, then Show Derivation.
        editor.selection = new vscode.Selection(onClaim, onClaim);
        await vscode.commands.executeCommand('mcalc.showDerivation');
      } else {
        // The preview is open on another form and follows the cursor to the claim.
        await vscode.commands.executeCommand('mcalc.showDerivation', doc.uri.toString(), doc.offsetAt(positionOf(doc, 'gb = d(loss)/d(b)', 'd(')));
        editor.selection = new vscode.Selection(onClaim, onClaim);
      }
      const a = analyze(doc.getText());
      const claim = a.claims.find((c) => c.derivative?.text === 'd(loss)/d(w)');
      assert.ok(claim?.formula && claim.derivative, 'the fixture has the claim');
      const claimLatex = toLatex(claim.formula, { names: definitionNames(a), avoid: documentNames(a) });
      const resultLatex = derive(a, claim.derivative, a.layout).result.main.latex;
      const result = await requestScreenshot(shot, [
        { selector: '.versus .claim figcaption', text: `your claim (line ${claim.range.start.line + 1})`, frame: 'webview' },
        { selector: '.versus .claim .katex', frame: 'webview' },
        { selector: '.versus .mcalc .katex', frame: 'webview' },
        { selector: `.check.${wrong ? 'fail' : 'pass'}`, text: 'your claim', frame: 'webview' },
      ]);
      assert.equal(result.error, undefined, result.error);
      assert.ok(result.found[0], 'the claim is captioned with its line');
      // KaTeX keeps the source LaTeX in its MathML annotation, part of the element's text.
      assert.ok(result.found[1]?.includes(claimLatex), `the claim is typeset from ${claimLatex}; found ${result.found[1]}`);
      assert.ok(result.found[2]?.includes(resultLatex), `mcalc's result is typeset beside it from ${resultLatex}; found ${result.found[2]}`);
      assert.match(result.found[3] ?? '', wrong ? /^✗ your claim disagrees with finite differences/ : /^✓ your claim agrees with finite differences/);
    });
  }
});
