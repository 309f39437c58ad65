// What a stress run measured and which promises held: one row per figure, printed as a table
// at the end and written as JSON. A broken promise is a failed check and fails the run.
import { writeFileSync } from 'node:fs';

export interface Figure {
  section: string;
  name: string;
  value: string | number;
  unit?: string;
}

export interface Check {
  section: string;
  promise: string;
  ok: boolean;
  detail?: string;
}

/** One section's view of the run's results. */
export class Section {
  constructor(private readonly results: Results, readonly name: string) {}

  figure(name: string, value: string | number, unit?: string): void {
    const shown = typeof value === 'number' ? round(value) : value;
    this.results.figures.push({ section: this.name, name, value: shown, unit });
    console.log(`  [${this.name}] ${name}: ${shown}${unit ? ` ${unit}` : ''}`);
  }

  check(promise: string, ok: boolean, detail?: string): boolean {
    this.results.checks.push({ section: this.name, promise, ok, detail });
    console.log(`  [${this.name}] ${ok ? 'ok  ' : 'FAIL'} ${promise}${detail ? ` (${detail})` : ''}`);
    return ok;
  }
}

export class Results {
  readonly figures: Figure[] = [];
  readonly checks: Check[] = [];

  section(name: string): Section {
    console.log(`\n== ${name}`);
    return new Section(this, name);
  }

  get failed(): Check[] {
    return this.checks.filter((c) => !c.ok);
  }

  table(): string {
    const rows = this.figures.map((f) => [f.section, f.name, `${f.value}${f.unit ? ` ${f.unit}` : ''}`]);
    const checks = this.checks.map((c) => [c.section, c.promise, c.ok ? 'ok' : `FAIL${c.detail ? `: ${c.detail}` : ''}`]);
    return [formatTable(['section', 'figure', 'value'], rows), '', formatTable(['section', 'promise', 'held'], checks)].join('\n');
  }

  write(path: string, context: Record<string, unknown>): void {
    writeFileSync(path, JSON.stringify({ ...context, figures: this.figures, checks: this.checks }, null, 2) + '\n');
  }
}

function round(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100;
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The p-th percentile (0-100) of the samples, nearest rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
