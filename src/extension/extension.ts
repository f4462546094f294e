// Entry point: wires the shared analysis cache to VS Code's providers. Everything substantive lives in
// src/core (pure) and in the small feature modules next to this file.

import * as vscode from 'vscode';
import { AnalysisCache } from './analysisCache.ts';
import { registerDiagnostics } from './diagnostics.ts';
import { registerHover } from './hover.ts';
import { registerSymbols } from './symbols.ts';
import { registerCodeActions } from './codeActions.ts';
import { registerCodeLenses } from './codeLens.ts';
import { registerCommands } from './commands/index.ts';
import { registerCompletion } from './completion.ts';
import { registerDefinition } from './definition.ts';
import { registerReferences } from './references.ts';
import { registerRename } from './rename.ts';
import { registerHighlights } from './highlights.ts';
import { registerSemanticTokens } from './semanticTokens.ts';
import { registerStatusBar } from './statusBar.ts';
import { registerClaimsAsYouType } from './claimsAsYouType.ts';
import { Context } from './context.ts';

/** What `activate` returns to other extensions and the in-host tests (`vscode.extensions.getExtension(…).exports`). */
export interface ExtensionApi {
  /** The extension's share of edit-to-diagnostics for the latest edits, in milliseconds (see Context). */
  readonly editToDiagnosticsMs: readonly number[];
}

export function activate(extensionContext: vscode.ExtensionContext): ExtensionApi {
  const ctx = new Context(extensionContext, new AnalysisCache());
  registerDiagnostics(ctx);
  registerHover(ctx);
  registerSymbols(ctx);
  registerCodeActions(ctx);
  registerCodeLenses(ctx, registerClaimsAsYouType(ctx));
  registerCommands(ctx);
  registerCompletion(ctx);
  registerDefinition(ctx);
  registerReferences(ctx);
  registerRename(ctx);
  registerHighlights(ctx);
  registerSemanticTokens(ctx);
  registerStatusBar(ctx);
  return { editToDiagnosticsMs: ctx.editToDiagnosticsMs };
}

export function deactivate(): void {}
