/// <reference types="mocha" />
// Screenshots for a person to look at (test-results/*.png), taken by Playwright outside the host after it
// has checked the workbench's DOM: the hover widget and the squiggles/Problems panel must really be visible.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, eventually, hoverText, openInEditor, positionOf, requestScreenshot, runConfig, skipWith, waitFor } from './harness.ts';

const MIN_BYTES = 10_000; // an all-blank 1280×800 PNG is a few KB

suite('Screenshots (Playwright)', () => {
  setup(function () {
    if (!runConfig().screenshots) skipWith(this, 'screenshots need the offline route, where Playwright drives the workbench');
  });
  teardown(closeAllEditors);

  test('a visible hover: test-results/hover.png', async () => {
    // The derivative hover of the example users open first: its shape in both layouts.
    const doc = await openInEditor('examples/neuron.mcalc');
    const editor = vscode.window.activeTextEditor!;
    const pos = positionOf(doc, 'd(loss)/d(w)', '/');
    await eventually(async () => assert.ok((await hoverText(doc.uri, pos)).includes('`d(loss)/d(w) : 1×n`')));
    editor.selection = new vscode.Selection(pos, pos);
    editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await vscode.commands.executeCommand('editor.action.showHover');
    const shot = await requestScreenshot('hover', [{ selector: '.monaco-hover', text: 'd(loss)/d(w) : 1×n' }]);
    assert.equal(shot.error, undefined, shot.error);
    assert.ok(shot.found[0], 'the hover widget with `d(loss)/d(w) : 1×n` was not visible in the workbench');
    assert.ok(shot.bytes > MIN_BYTES, `${shot.file} is only ${shot.bytes} bytes`);
  });

  test('the editor with diagnostics: test-results/diagnostics.png', async () => {
    const doc = await openInEditor('fixtures/broken.mcalc');
    await waitFor(() => vscode.languages.getDiagnostics(doc.uri).length >= 2, 'diagnostics on fixtures/broken.mcalc');
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    const shot = await requestScreenshot('diagnostics', [
      { selector: '.squiggly-error' },
      { selector: '.markers-panel', text: 'Cannot multiply vector[n] by vector[n]' },
      { selector: '.markers-panel', text: "Unknown name 'foo'" },
    ]);
    assert.equal(shot.error, undefined, shot.error);
    assert.ok(shot.found[0] !== null, 'no error squiggle was visible in the editor');
    assert.ok(shot.found[1] !== null && shot.found[2] !== null, 'the Problems panel did not show both diagnostics');
    assert.ok(shot.bytes > MIN_BYTES, `${shot.file} is only ${shot.bytes} bytes`);
  });
});
