/// <reference types="mocha" />
// The extension activates on a .mcalc file (this host has opened nothing before this test).
// Activation by a Markdown file is checked in its own host: markdownActivation.test.ts.
import * as assert from 'node:assert/strict';
import { extension, openInEditor, waitFor } from './harness.ts';

suite('Activation', () => {
  test('activates when a .mcalc file opens', async () => {
    const ext = extension();
    assert.equal(ext.isActive, false, 'the extension was already active before any .mcalc or Markdown file opened');
    const doc = await openInEditor('fixtures/shapes.mcalc');
    assert.equal(doc.languageId, 'mcalc', 'a .mcalc file should get the language id mcalc');
    await waitFor(() => ext.isActive, 'the extension to activate on a .mcalc file', 15_000);
  });
});
