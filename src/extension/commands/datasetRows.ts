// A trace as a dataset example: its root span's input and output, with the app's own field
// names (an input object stays an object of fields; plain text becomes "input"/"output").
// Pure, so it is unit tested.
import type { TraceDetail } from '../../shared/spanModel';
import { buildSpanTree } from '../../shared/spanTree';

export interface DatasetRow {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** A trace's example: its root's input and output, objects kept as fields, text named input/output. */
export function datasetRow(detail: TraceDetail): DatasetRow | undefined {
  const root = buildSpanTree(detail.spans)[0]?.span;
  if (!root) return undefined;
  const lastUser = [...(root.inputMessages ?? [])].reverse().find((m) => m.role === 'user')?.content;
  const inputs = fields(root.input ?? lastUser, 'input');
  const outputs = fields(root.output ?? root.outputMessages?.[0]?.content, 'output');
  return Object.keys(inputs).length ? { inputs, outputs } : undefined;
}

function fields(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value === 'string') {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // Plain text: one field.
    }
    return { [name]: value };
  }
  return typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : { [name]: value };
}
