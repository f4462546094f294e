/// <reference types="mocha" />
// The layout status-bar item: its command toggles `mcalc.layout` (and the hovers follow); on the offline route
// Playwright checks that the item is on screen and that its text changes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, eventually, hoverText, openInEditor, positionOf, requestScreenshot, runConfig, setLayout, skipWith } from './harness.ts';

const ITEM = '.statusbar-item[id$="mcalc.layout"]';
const layout = () => vscode.workspace.getConfiguration('mcalc').get<string>('layout');

suite('Layout status bar', () => {
  suiteSetup(() => setLayout(undefined));
  teardown(async () => {
    await closeAllEditors();
    await setLayout(undefined);
  });

  test('the toggle switches the layout both ways, and hovers follow', async () => {
    const doc = await openInEditor('fixtures/editor.mcalc');
    const pos = positionOf(doc, 'd(loss)/d(w)', '/');
    assert.equal(layout(), 'numerator');
    await vscode.commands.executeCommand('mcalc.toggleLayout');
    assert.equal(layout(), 'denominator');
    await eventually(async () => assert.ok((await hoverText(doc.uri, pos)).includes('`d(loss)/d(w) : n×1`')));
    await vscode.commands.executeCommand('mcalc.toggleLayout');
    assert.equal(layout(), 'numerator');
    await eventually(async () => assert.ok((await hoverText(doc.uri, pos)).includes('`d(loss)/d(w) : 1×n`')));
  });

  test('the item is visible with the active layout and changes when toggled (Playwright)', async function () {
    if (!runConfig().screenshots) skipWith(this, 'seeing the status bar needs the offline route, where Playwright drives the workbench');
    await openInEditor('fixtures/editor.mcalc');
    const before = await requestScreenshot('statusbar-numerator', [{ selector: ITEM, text: 'numerator layout' }]);
    assert.equal(before.error, undefined, before.error);
    assert.ok(before.found[0], 'the status bar did not show "numerator layout"');
    await vscode.commands.executeCommand('mcalc.toggleLayout');
    const after = await requestScreenshot('statusbar-denominator', [{ selector: ITEM, text: 'denominator layout' }]);
    assert.ok(after.found[0], 'the status bar did not change to "denominator layout"');
  });
});
