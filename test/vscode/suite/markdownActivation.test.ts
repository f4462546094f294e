/// <reference types="mocha" />
// Runs alone in its own extension host (phase `markdown`), so that the Markdown file is the first thing
// that can activate the extension.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension, openInEditor, waitFor } from './harness.ts';

suite('Activation (Markdown)', () => {
  test('activates when a Markdown file with an ```mcalc block opens', async () => {
    const ext = extension();
    assert.equal(ext.isActive, false, 'the extension was already active before the Markdown file opened');
    const doc = await openInEditor('fixtures/notes.md');
    assert.equal(doc.languageId, 'markdown');
    assert.match(doc.getText(), /^```mcalc$/m, 'the fixture should contain an ```mcalc block');
    assert.ok(
      !vscode.workspace.textDocuments.some((d) => d.languageId === 'mcalc'),
      'no mcalc document may be open in this host, or the test would prove nothing',
    );
    await waitFor(() => ext.isActive, 'the extension to activate on a Markdown file', 15_000);
  });
});
