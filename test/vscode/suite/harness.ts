/// <reference types="mocha" />
// Helpers shared by the in-host tests (they run inside a real VS Code extension host).
// The runner (scripts/test-vscode.mjs) lays out a throwaway workspace and writes `.mcalc-test.json` at its
// root: which phase to run, where to write results, and whether Playwright is outside to take screenshots.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { analyze, derivativeOf, type Analysis, type DerivativeInfo } from '../../../src/core/analyze.ts';

export const EXTENSION_ID = 'mcalc.mcalc';
export const CONFIG_FILE = '.mcalc-test.json';

export interface RunConfig {
  /** Which group of test files to load (see PHASES in index.ts). */
  phase: string;
  /** Folder for results.json, events.jsonl and the screenshot hand-shake files. */
  resultsDir: string;
  /** True when Playwright drives the workbench from outside (offline route) and can take screenshots. */
  screenshots: boolean;
  /** Only tests whose full title matches this pattern run (MCALC_VSCODE_GREP, for working on one feature). */
  grep?: string;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test workbench opened no folder');
  return folder.uri.fsPath;
}

let cachedConfig: RunConfig | undefined;
export function runConfig(): RunConfig {
  if (!cachedConfig) {
    const file = process.env.MCALC_TEST_CONFIG || path.join(workspaceRoot(), CONFIG_FILE);
    cachedConfig = JSON.parse(fs.readFileSync(file, 'utf8')) as RunConfig;
  }
  return cachedConfig;
}

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this extension host`);
  return ext;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The extension host's event loop, watched by a timer that asks every 2 ms: `longest()` is the longest time it
 * went unanswered since the watch began (how long something held the host: every extension, this one included,
 * waits that long). `stop()` ends the watch.
 */
export function watchHost(): { longest(): number; stop(): void } {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 2);
  return { longest: () => Math.max(longest, performance.now() - last), stop: () => clearInterval(timer) };
}

/** Polls `condition` until it is truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(condition: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * Retries an assertion until it passes (for state that settles asynchronously: diagnostics after an edit,
 * hovers after a settings change). Rethrows the last assertion error, with its real content, on timeout.
 */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await sleep(150);
  }
}

/** Absolute path of a file in the test workspace (`examples/…` or `fixtures/…`). */
export function workspaceFile(relative: string): string {
  return path.join(workspaceRoot(), relative);
}

/** Opens a workspace file in an editor and returns its document. */
export async function openInEditor(relative: string): Promise<vscode.TextDocument> {
  const file = workspaceFile(relative);
  assert.ok(fs.existsSync(file), `${relative} is missing from the test workspace`);
  const doc = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(doc, { preview: false });
  // Opening an mcalc document activates the extension; a test that runs first (alone, with MCALC_VSCODE_GREP)
  // must not ask its providers before they are registered.
  if (doc.languageId === 'mcalc') await extension().activate();
  return doc;
}

/**
 * Position of `at` inside the first occurrence of `needle` in the document (default: the start of `needle`).
 * Tests find their spots by text so that fixtures can change without renumbering lines.
 */
export function positionOf(doc: vscode.TextDocument, needle: string, at?: string): vscode.Position {
  const text = doc.getText();
  const start = text.indexOf(needle);
  assert.ok(start >= 0, `'${needle}' not found in ${path.basename(doc.uri.fsPath)}`);
  let offset = start;
  if (at !== undefined) {
    const inner = needle.indexOf(at);
    assert.ok(inner >= 0, `'${at}' not found in '${needle}'`);
    offset += inner;
  }
  return doc.positionAt(offset);
}

/** Range of the first occurrence of `needle` (optionally only after the text `after`). */
export function rangeOf(doc: vscode.TextDocument, needle: string, after = ''): vscode.Range {
  const text = doc.getText();
  const from = after ? text.indexOf(after) : 0;
  assert.ok(from >= 0, `'${after}' not found in ${path.basename(doc.uri.fsPath)}`);
  const start = text.indexOf(needle, from);
  assert.ok(start >= 0, `'${needle}' not found in ${path.basename(doc.uri.fsPath)}`);
  return new vscode.Range(doc.positionAt(start), doc.positionAt(start + needle.length));
}

export function showRange(r: vscode.Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/** All hover contents at a position, as one markdown string (what the user would read). */
export async function hoverText(uri: vscode.Uri, pos: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos)) ?? [];
  return hovers
    .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)))
    .join('\n---\n');
}

/** Sets `mcalc.layout` in the user settings and waits until the extension host sees it. */
export async function setLayout(layout: 'numerator' | 'denominator' | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('mcalc').update('layout', layout, vscode.ConfigurationTarget.Global);
  const want = layout ?? 'numerator';
  await waitFor(() => vscode.workspace.getConfiguration('mcalc').get('layout') === want, `mcalc.layout = ${want}`);
}

const originals = new Map<vscode.TextDocument, string>();

/** Opens a workspace file that the test is going to edit; `closeAllEditors()` puts its text back. */
export async function openForEditing(relative: string): Promise<vscode.TextDocument> {
  const doc = await openInEditor(relative);
  if (!originals.has(doc)) originals.set(doc, doc.getText());
  return doc;
}

/** Puts every document opened with `openForEditing` back as it was, on disk too (closeAllEditors calls it). */
async function restoreEdited(): Promise<void> {
  for (const [doc, text] of originals) {
    if (doc.getText() !== text) {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
      assert.ok(await vscode.workspace.applyEdit(edit), `could not restore ${path.basename(doc.uri.fsPath)}`);
    }
    // Saved, so that neither a revert nor an auto-save can bring the edited text back.
    if (doc.isDirty) await doc.save();
  }
  originals.clear();
}

/** Reverts and closes every editor, so that no test leaves a dirty document (which would prompt on close). */
export async function closeAllEditors(): Promise<void> {
  await restoreEdited();
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && doc.uri.scheme === 'file') {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export const skipReasons = new Map<string, string>();

/** Skips the current test with a reason that the runner prints (never a silent skip). */
export function skipWith(ctx: Mocha.Context, reason: string): never {
  const t = ctx.currentTest ?? ctx.test;
  if (t) skipReasons.set(t.fullTitle(), reason);
  ctx.skip();
}

export interface ScreenshotCheck {
  /** CSS selector of an element that must be visible in the workbench. */
  selector: string;
  /** Text that the visible element must contain. */
  text?: string;
  /** Look inside webviews (their own documents, in nested frames) instead of the workbench. */
  frame?: 'webview';
  /** Click the element once found: how tests press a preview's buttons, or a walkthrough's. */
  click?: boolean;
  /**
   * A JavaScript expression evaluated in the document where the element was found (the workbench's, or the
   * webview's); `found` then holds its value as JSON (for geometry and state that an element's text does not show).
   */
  measure?: string;
  /** Workbench checks only: type this into the element once found (replacing its text), e.g. a prompt's input box. */
  fill?: string;
}

export interface ScreenshotResult {
  file: string;
  bytes: number;
  /** What Playwright found for each check, in order: the visible element's text, or null if absent. */
  found: (string | null)[];
  error?: string;
}

/**
 * Asks Playwright, outside the host, to check the workbench DOM and take a screenshot of the page:
 * writes shot-<name>.request.json into the results folder and waits for shot-<name>.done.json.
 */
export async function requestScreenshot(name: string, checks: ScreenshotCheck[], timeoutMs = 30_000): Promise<ScreenshotResult> {
  const dir = runConfig().resultsDir;
  const done = path.join(dir, `shot-${name}.done.json`);
  fs.rmSync(done, { force: true });
  const request = path.join(dir, `shot-${name}.request.json`);
  fs.writeFileSync(`${request}.tmp`, JSON.stringify({ name, checks }));
  fs.renameSync(`${request}.tmp`, request);
  await waitFor(() => fs.existsSync(done), `the runner to take screenshot '${name}'`, timeoutMs);
  return JSON.parse(fs.readFileSync(done, 'utf8')) as ScreenshotResult;
}

/**
 * Opens `relative`, shows the derivation preview of the form on the line `formLine` (at its `d(`), and returns
 * the core's analysis of the document and the form d(of)/d(wrt): what the test expects the preview to show.
 */
export async function previewForm(relative: string, formLine: string, of: string, wrt: string): Promise<{ doc: vscode.TextDocument; analysis: Analysis; info: DerivativeInfo }> {
  const doc = await openInEditor(relative);
  await vscode.commands.executeCommand('mcalc.showDerivation', doc.uri.toString(), doc.offsetAt(positionOf(doc, formLine, 'd(')));
  const analysis = analyze(doc.getText());
  const info = derivativeOf(analysis, of, wrt);
  assert.ok(typeof info !== 'string', info as string);
  return { doc, analysis, info };
}
