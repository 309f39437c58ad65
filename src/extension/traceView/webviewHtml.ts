// The trace view's HTML, built in one place: a strict Content-Security-Policy with a fresh
// nonce, the bundled script and stylesheet, and nothing else. No trace data ever goes into this
// HTML; it travels by postMessage and is rendered as text. Pure, so the browser tests load
// exactly what the host serves.
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlParts {
  /** webview.cspSource: the origin the webview's own resources are served from. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

export function newNonce(): string {
  return randomBytes(18).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // The nonce lets the toolkit's one probe <style> (FAST's focus-visible check) in; it reads
    // the nonce from the csp-nonce meta tag. Style attributes stay blocked.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

const attribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function webviewHtml(parts: WebviewHtmlParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attribute(contentSecurityPolicy(parts.cspSource, parts.nonce))}">
<meta property="csp-nonce" content="${attribute(parts.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attribute(parts.styleUri)}">
<title>Trace</title>
</head>
<body>
<div id="app"></div>
<script nonce="${attribute(parts.nonce)}" src="${attribute(parts.scriptUri)}"></script>
</body>
</html>`;
}
