/// <reference types="mocha" />
// Onboarding in a real VS Code: the Getting Started walkthrough is contributed and its commands are registered,
// New Document opens a clean untitled mcalc document, Open the Neuron Example opens the extension's own copy
// beside the walkthrough, and the walkthrough's links act on that example while the walkthrough has the focus.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, eventually, extension, hoverText, positionOf, requestScreenshot, runConfig, skipWith, sleep } from './harness.ts';

const WALKTHROUGH = 'mcalc.mcalc#gettingStarted';
const MIN_BYTES = 10_000; // an all-blank 1280×800 PNG is a few KB

interface Step { id: string; completionEvents: string[] }

/** Reverts and closes untitled documents (closeAllEditors would stop at their "Save changes?" prompt). */
async function closeUntitled(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isUntitled)) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
}

suite('Onboarding', () => {
  teardown(async () => {
    await closeUntitled();
    await closeAllEditors();
  });

  test('the Getting Started walkthrough is contributed, and every command its steps wait for is registered', async () => {
    const walkthroughs = (extension().packageJSON as { contributes: { walkthroughs: Array<{ id: string; steps: Step[] }> } }).contributes.walkthroughs;
    assert.deepEqual(walkthroughs.map((w) => w.id), ['gettingStarted']);
    const registered = new Set(await vscode.commands.getCommands(true));
    const waitedFor = walkthroughs[0].steps.flatMap((s) => s.completionEvents).filter((e) => e.startsWith('onCommand:')).map((e) => e.slice('onCommand:'.length));
    assert.ok(waitedFor.length >= 5, `only ${waitedFor.length} steps tick off on a command`);
    for (const command of waitedFor) assert.ok(registered.has(command), `${command} is not registered in the extension host`);
  });

  test("a walkthrough step ticks off in the Welcome page when its button runs the step's command", async function () {
    if (!runConfig().screenshots) skipWith(this, 'the Welcome page is driven by Playwright, which only the offline route has');
    await vscode.commands.executeCommand('resetGettingStartedProgress'); // earlier suites ran the steps' commands
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false);
    await vscode.commands.executeCommand('mcalc.openExample'); // beside the walkthrough: the check acts on it
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    const step = (id: string) => `.getting-started-step[data-step-id="${WALKTHROUGH}#${id}"]`;
    const ticked = (id: string) => `document.querySelector('${step(id)} .codicon-getting-started-step-checked') !== null`;
    const before = await requestScreenshot('walkthrough-before', [
      { selector: step('check'), measure: ticked('check') },
      { selector: step('check'), click: true }, // opens the step
      { selector: `${step('check')} .monaco-button`, text: 'Check Derivatives', click: true },
    ]);
    assert.equal(before.error, undefined, before.error);
    assert.equal(before.found[0], 'false', 'the Check step starts unticked after the reset');
    assert.ok(before.found[2], "the Check step's button was pressed");
    const after = await requestScreenshot('walkthrough-ticked', [{ selector: `${step('check')} .codicon-getting-started-step-checked`, measure: ticked('check') }]);
    assert.equal(after.error, undefined, after.error);
    assert.equal(after.found[0], 'true', 'the Check step shows as done in the Welcome page');
    // Only that step: the others still wait for their own commands.
    const others = await requestScreenshot('walkthrough-others', [{ selector: step('train'), measure: `[${['preview', 'train', 'export'].map(ticked).join(', ')}]` }]);
    assert.equal(others.found[0], '[false,false,false]');
  });

  test('New Document opens an untitled mcalc document, analysed, with no diagnostics', async () => {
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>('mcalc.newDocument');
    assert.ok(doc.isUntitled, 'the template opens as an untitled document');
    assert.equal(doc.languageId, 'mcalc');
    assert.equal(vscode.window.activeTextEditor?.document, doc, 'the new document is in the active editor');
    // The hover proves the analysis ran on the untitled document, so the empty diagnostics are a real verdict.
    await eventually(async () => assert.match(await hoverText(doc.uri, positionOf(doc, 'd(loss)/d(w)', '/')), /d\(loss\)\/d\(w\) : 1×n/));
    await sleep(500); // past the diagnostics' debounce and the as-you-type claim check
    assert.deepEqual(vscode.languages.getDiagnostics(doc.uri).map((d) => d.message), []);
  });

  test("Open the Neuron Example opens the extension's examples/neuron.mcalc with the cursor on d(loss)/d(w)", async () => {
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>('mcalc.openExample');
    assert.equal(doc.uri.toString(), vscode.Uri.joinPath(extension().extensionUri, 'examples', 'neuron.mcalc').toString());
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document, doc);
    assert.equal(doc.offsetAt(editor.selection.active), doc.getText().indexOf('d(loss)/d(w)'));
  });

  test("the walkthrough's links act on the example beside it while the walkthrough is the active tab", async () => {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false);
    await vscode.commands.executeCommand('mcalc.openExample');
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    await eventually(() => assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'Welcome', 'the walkthrough is the active tab'));
    // VS Code reports no active text editor here when the window has the focus (a user's click), and the example
    // when it has not (after the screenshot tests): either way the command must act on the example beside.
    // What a click on a step's link does: the command with no arguments.
    const claim = await vscode.commands.executeCommand<string>('mcalc.copyDerivation.mcalc');
    assert.equal(claim, 'check d(loss)/d(w) = -2 * (y - a) * (z > 0) * xᵀ\n');
  });

  test('a screenshot of the walkthrough beside the example: test-results/walkthrough.png', async function () {
    if (!runConfig().screenshots) skipWith(this, 'screenshots need the offline route, where Playwright drives the workbench');
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false);
    await vscode.commands.executeCommand('mcalc.openExample');
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    await vscode.commands.executeCommand('workbench.action.closePanel'); // room for the steps below the first
    const shot = await requestScreenshot('walkthrough', [
      { selector: '.gettingStartedContainer', text: 'Get Started with Matrix Calculus' },
      { selector: '.getting-started-step', text: 'Follow the derivation' },
      { selector: '.getting-started-step .monaco-button', text: 'Open the Example' },
    ]);
    assert.equal(shot.error, undefined, shot.error);
    assert.ok(shot.found[0] !== null, 'the walkthrough with its title was not visible');
    assert.ok(shot.found[1] !== null, 'the walkthrough did not list its steps');
    assert.ok(shot.found[2] !== null, "the first step's command link is not a button");
    assert.ok(shot.bytes > MIN_BYTES, `${shot.file} is only ${shot.bytes} bytes`);
  });
});
