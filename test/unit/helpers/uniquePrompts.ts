// A trace file of RAG-sized prompts, each unique, for tests of memory: no two strings are shared,
// so what the engine holds grows with every trace read.
import { createWriteStream } from 'node:fs';

/** Every this many traces one failed: retention must keep them while the normal ones are evicted. */
export const FAILED_EVERY = 1000;

/** OTLP/JSON lines of 10 single-span traces each, every prompt (~1.5 KB) unique, one in FAILED_EVERY failed. */
export async function writeUniquePrompts(file: string, bytes: number): Promise<{ traces: number; failed: number }> {
  const out = createWriteStream(file);
  const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');
  const filler = 'Answer from the retrieved policy, cite the order number and never invent a refund rule. '.repeat(16);
  let written = 0;
  let traces = 0;
  while (written < bytes) {
    const spans = Array.from({ length: 10 }, () => {
      const n = ++traces;
      return { traceId: hex(n, 32), spanId: hex(n, 16), name: 'ChatCompletion', startTimeUnixNano: String(1_767_225_600_000_000_000n + BigInt(n) * 1_000_000n),
        endTimeUnixNano: String(1_767_225_600_900_000_000n + BigInt(n) * 1_000_000n), status: { code: n % FAILED_EVERY ? 1 : 2 },
        attributes: [{ key: 'openinference.span.kind', value: { stringValue: 'LLM' } }, { key: 'input.value', value: { stringValue: `Customer ${n}: ${filler}` } }] };
    });
    const line = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'huge-import' } }] }, scopeSpans: [{ scope: { name: 's' }, spans }] }] }) + '\n';
    written += line.length;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return { traces, failed: Math.floor(traces / FAILED_EVERY) };
}
