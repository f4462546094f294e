// Completion (names with shapes, built-ins with signatures and result shapes, keywords, snippets) and signature
// help inside calls. The items come from src/core/language; this file only converts them.

import * as vscode from 'vscode';
import { Context, SELECTOR } from './context.ts';
import { completionsAt, type CompletionKind } from '../core/language/completion.ts';
import { parameterSpans, signatureAt } from '../core/language/signature.ts';

const KIND: Record<CompletionKind, vscode.CompletionItemKind> = {
  variable: vscode.CompletionItemKind.Variable,
  definition: vscode.CompletionItemKind.Constant,
  dimension: vscode.CompletionItemKind.TypeParameter,
  function: vscode.CompletionItemKind.Function,
  derivative: vscode.CompletionItemKind.Snippet,
  keyword: vscode.CompletionItemKind.Keyword,
  type: vscode.CompletionItemKind.Struct,
};

export function registerCompletion(ctx: Context): void {
  ctx.subscribe(
    vscode.languages.registerCompletionItemProvider(SELECTOR, {
      async provideCompletionItems(doc, position) {
        const at = await ctx.analysisAt(doc, position);
        if (!at) return undefined;
        return completionsAt(at.result.analysis, at.offset).map((entry) => {
          const item = new vscode.CompletionItem({ label: entry.label, description: entry.detail }, KIND[entry.kind]);
          item.detail = entry.detail;
          if (entry.documentation) item.documentation = new vscode.MarkdownString(entry.documentation);
          if (entry.snippet) item.insertText = new vscode.SnippetString(entry.snippet);
          return item;
        });
      },
    }),
    vscode.languages.registerSignatureHelpProvider(
      SELECTOR,
      {
        async provideSignatureHelp(doc, position) {
          const at = await ctx.analysisAt(doc, position);
          const signature = at && signatureAt(at.result.analysis, at.offset);
          if (!signature) return undefined;
          const { callable } = signature;
          const info = new vscode.SignatureInformation(callable.signature, new vscode.MarkdownString(`${callable.doc}\n\n${callable.resultShapes.map((s) => `- ${s}`).join('\n')}`));
          info.parameters = parameterSpans(callable).map((span) => new vscode.ParameterInformation(span));
          const help = new vscode.SignatureHelp();
          help.signatures = [info];
          help.activeSignature = 0;
          help.activeParameter = signature.activeParameter;
          return help;
        },
      },
      { triggerCharacters: ['(', ','], retriggerCharacters: [')'] },
    ),
  );
}
