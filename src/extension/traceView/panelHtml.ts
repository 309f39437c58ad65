// Gives a webview panel one of our bundles (dist/<bundle>.js and .css) behind the strict HTML of
// webviewHtml.ts: scripts on, resources from dist/ only, a fresh nonce.
import * as vscode from 'vscode';
import { newNonce, webviewHtml } from './webviewHtml';

export function loadBundle(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, bundle: 'webview' | 'insights'): void {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'traces.svg');
  panel.webview.html = webviewHtml({
    cspSource: panel.webview.cspSource,
    nonce: newNonce(),
    scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.js`)).toString(),
    styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.css`)).toString(),
  });
}
