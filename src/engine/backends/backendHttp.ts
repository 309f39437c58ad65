// HTTP to a team backend, with one set of rules for all of them: a timeout, a size bound read
// as the body arrives, the user's headers (never logged), and errors that say what to do.
import type { BackendConfig } from '../../shared/backends';
import { BACKEND_TIMEOUT_MS, BackendError, MAX_TRACE_BYTES } from './backendTypes';
import { fetchFailure } from '../../shared/fetchFailure';

export interface BackendRequest {
  method?: 'GET' | 'POST';
  /** Joined to the backend's base URL. */
  path: string;
  params?: Record<string, string | number | undefined>;
  body?: unknown;
}

/** The parsed JSON answer, or undefined on 404 (the backend does not have it). */
export async function requestJson<T>(config: BackendConfig, request: BackendRequest): Promise<T | undefined> {
  const url = new URL(config.url.replace(/\/+$/, '') + request.path);
  for (const [key, value] of Object.entries(request.params ?? {})) {
    if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = { Accept: 'application/json', ...(config.headers ?? {}) };
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? 'GET', headers, signal: AbortSignal.timeout(timeoutOf(config)),
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
  } catch (error) {
    throw new BackendError(config.name, `cannot reach ${url.origin} (${fetchFailure(error, timeoutOf(config))})`, 504);
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  const text = await readText(config, response);
  if (response.status === 401 || response.status === 403) {
    throw new BackendError(config.name, `refused the request (HTTP ${response.status}); check the backend's headers `
      + '(AI Trace Inspector: Set Team Backend Header…, or --backend-header)', 502);
  }
  if (!response.ok) throw new BackendError(config.name, `answered HTTP ${response.status}: ${excerpt(text)}`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new BackendError(config.name, `answered something that is not JSON: ${excerpt(text)}`);
  }
}

export function timeoutOf(config: BackendConfig): number {
  return config.timeoutMs && config.timeoutMs > 0 ? config.timeoutMs : BACKEND_TIMEOUT_MS;
}

/** The body as text, refused past MAX_TRACE_BYTES while it arrives. */
async function readText(config: BackendConfig, response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_TRACE_BYTES) {
    await response.body?.cancel();
    throw tooLarge(config);
  }
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_TRACE_BYTES) throw tooLarge(config);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(config: BackendConfig): BackendError {
  return new BackendError(config.name, `the answer is over ${MAX_TRACE_BYTES / 2 ** 20} MB; too large to open`, 413);
}

/** The start of an answer, on one line: enough to recognize it, never a whole trace in a message. */
export function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line || '(empty)';
}
