// How numbers read everywhere: the tree, quick picks, status bar, hovers and the waterfall. Pure, so it is unit tested.
import type { TraceSummary } from './spanModel';

/** Trace text in quick picks, where `$(name)` would render as an icon. */
export function noIcons(text: string | undefined): string {
  return (text ?? '').replace(/\$\(/g, '\\$(');
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatTokens(n: number): string {
  if (n < 1000) return `${n} tok`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k tok`;
  return `${(n / 1_000_000).toFixed(1)}M tok`;
}

export function formatCost(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.0001) return '<$0.0001';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

/** Text for a single-line place (a tree row, a tooltip line): whitespace runs as one space, cut with "…". */
export function oneLine(text: string, max: number): string {
  const flat = text.slice(0, max * 4).replace(/\s+/g, ' ').trim();
  // Joined, not sliced: a slice would keep the whole flattened text alive in every summary that holds it.
  return flat.length > max ? [flat.slice(0, max - 1).trimEnd(), '…'].join('') : flat;
}

export function formatRelativeTime(ms: number, now = Date.now()): string {
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** An age that a list refreshed every few seconds keeps true: no seconds, so "<1m ago" is never minutes old. */
export function formatAge(ms: number, now = Date.now()): string {
  return now - ms < 60_000 ? '<1m ago' : formatRelativeTime(ms, now);
}

/**
 * "5.32 s · 1.2k tok · $0.0031 · 3m ago · support-bot": the facts of a trace row, the ones scanned
 * for first. The service only where rows come from several (`showService`).
 */
export function traceDescription(t: TraceSummary, now = Date.now(), showService = true): string {
  const parts = [formatDuration(t.durationMs)];
  if (t.tokens.total) parts.push(formatTokens(t.tokens.total));
  if (t.costUsd) parts.push(formatCost(t.costUsd));
  if (t.errorCount) parts.push(`${t.errorCount} error${t.errorCount > 1 ? 's' : ''}`);
  parts.push(formatAge(t.startMs, now));
  if (showService) parts.push(t.service);
  return parts.join(' · ');
}
