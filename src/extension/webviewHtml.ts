// The page of a webview panel: a strict Content-Security-Policy (nothing but the extension's own
// media/ folder, and only the one script carrying a fresh random nonce), the given stylesheets and body.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  title: string;
  /** Stylesheets and the script, as paths under media/. */
  styles: string[];
  script: string;
  body: string;
}

/** Scripts on, resources only from media/. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
}

/** Gives a new or restored panel its options, icon and page. */
export function showPage(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, page: WebviewPage): void {
  panel.webview.options = webviewOptions(extensionUri);
  panel.webview.html = webviewHtml(panel.webview, extensionUri, page);
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const media = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', f)).toString();
  const nonce = randomBytes(18).toString('base64');
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  const links = page.styles.map((s) => `<link rel="stylesheet" href="${media(s)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${links}
<title>${page.title}</title>
</head>
<body>
${page.body}
<script nonce="${nonce}" src="${media(page.script)}"></script>
</body>
</html>`;
}
