import type { OpSummary } from '../load/recorder.js';

/** Renders rows as an aligned plain-text table. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Formats a number with sensible precision for a table. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 100) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** The per-operation table printed by `depot-bench bench`. */
export function opsTable(ops: readonly OpSummary[]): string {
  return renderTable(
    ['op', 'count', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'ops/s', 'MB/s'],
    ops.map((o) => [
      o.op,
      String(o.count),
      String(o.errors),
      fmt(o.p50Ms),
      fmt(o.p90Ms),
      fmt(o.p99Ms),
      fmt(o.opsPerSec),
      fmt(o.mbPerSec),
    ]),
  );
}
