// Why a fetch() failed, in a word a user can act on: fetch itself only says "fetch failed" and
// keeps the reason (ECONNREFUSED, ENOTFOUND, "bad port", a timeout) in its cause.
export function fetchFailure(error: unknown, timeoutMs: number): string {
  const e = error as Error & { cause?: { code?: string; message?: string; errors?: { code?: string }[] } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  return e.cause?.code ?? e.cause?.errors?.[0]?.code ?? e.cause?.message ?? e.message;
}
