// Onboarding: the Getting Started walkthrough names real commands and ships its media; New Document's template
// is a working document (no diagnostics, a claim that passes); the icon is the 128×128 PNG the Marketplace wants.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeDocument } from '../../src/core/document.ts';
import { checkDocument } from '../../src/core/numeric/gradcheck.ts';
import { NEW_DOCUMENT_TEMPLATE } from '../../src/core/template.ts';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const contributed = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));

interface Step { id: string; description: string; media: { markdown: string }; completionEvents: string[] }
const steps: Step[] = pkg.contributes.walkthroughs[0].steps;

/** The commands of `command:` links in a description or a Markdown page. */
function linkedCommands(text: string): string[] {
  return [...text.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]);
}

/** Every command that some file under src/extension registers (what really runs when an event names it). */
function registeredCommands(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else for (const m of fs.readFileSync(file, 'utf8').matchAll(/registerCommand\('([\w.]+)'/g)) found.add(m[1]);
    }
  };
  walk(path.join(ROOT, 'src', 'extension'));
  return found;
}

test('the walkthrough goes from the example through hover, preview, check and train to export', () => {
  assert.deepEqual(steps.map((s) => s.id), ['openExample', 'hover', 'preview', 'check', 'train', 'export']);
  const events = steps.flatMap((s) => s.completionEvents);
  for (const command of ['mcalc.openExample', 'mcalc.showDerivation', 'mcalc.check', 'mcalc.train', 'mcalc.exportGradient']) {
    assert.ok(events.includes(`onCommand:${command}`), `no step ticks off on ${command}`);
  }
});

test('every step names contributed, registered commands, links them, and has its media page', () => {
  const registered = registeredCommands();
  for (const step of steps) {
    const onCommand = step.completionEvents.filter((e) => e.startsWith('onCommand:')).map((e) => e.slice('onCommand:'.length));
    const page = path.join(ROOT, step.media.markdown);
    assert.ok(fs.existsSync(page), `${step.id}: ${step.media.markdown} is missing`);
    assert.ok(step.media.markdown.startsWith('media/'), `${step.id}: its page is outside media/, which .vscodeignore ships`);
    const links = [...linkedCommands(step.description), ...linkedCommands(fs.readFileSync(page, 'utf8'))];
    for (const command of [...onCommand, ...links]) {
      assert.ok(contributed.has(command), `${step.id}: ${command} is not in contributes.commands`);
      assert.ok(registered.has(command), `${step.id}: ${command} is not registered by src/extension`);
    }
    // A step that ticks off on a command lets the user run it from the step itself.
    for (const command of onCommand) assert.ok(linkedCommands(step.description).includes(command), `${step.id}: its description does not link ${command}`);
    // …and every button of the step ticks it off.
    for (const command of linkedCommands(step.description)) assert.ok(onCommand.includes(command), `${step.id}: its button ${command} does not tick the step off`);
    if (!onCommand.length) assert.deepEqual(step.completionEvents, ['onStepSelected'], `${step.id}: a step without a command ticks off when it is read`);
  }
});

test('the VSIX ships the example the walkthrough opens, and a 128×128 PNG icon', () => {
  const allow = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(allow.includes('!examples/neuron.mcalc'), '.vscodeignore (an allowlist) leaves out examples/neuron.mcalc');
  assert.equal(pkg.icon, 'media/icon.png');
  const png = fs.readFileSync(path.join(ROOT, pkg.icon));
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'width and height in the IHDR chunk');
});

test('the New Document template analyses with no diagnostics and its claim passes the gradient check', () => {
  const { analysis } = analyzeDocument(NEW_DOCUMENT_TEMPLATE, 'mcalc', 'numerator');
  assert.deepEqual(analysis.diagnostics, []);
  assert.equal(analysis.claims.length, 1);
  assert.ok(analysis.definition('loss'), 'the template defines the loss that Train and Export suggest');
  const report = checkDocument(analysis, { seed: 1 });
  assert.ok(report.results.some((r) => r.kind === 'claim'));
  assert.ok(report.passed, report.results.map((r) => `${r.text}: ${r.note ?? r.status}`).join('\n'));
});
