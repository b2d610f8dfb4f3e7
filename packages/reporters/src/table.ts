/**
 * Plain-text tables: aligned columns, numbers to 4 significant digits, '—' for what is missing. The comparison
 * table puts runs in rows and their latest scalar metrics in columns, with ± standard error where measured.
 */
import type { LatestState, MetricEvent } from '@kramers/core';
import { formatNumber, MISSING } from './format-number.js';

export type Align = 'left' | 'right';
export type Cell = string | number | null | undefined;

export interface TableOptions {
  /**
   * One alignment for all columns or one per column. Default: a column is right-aligned when every present
   * cell in it is a number, left-aligned otherwise.
   */
  readonly align?: Align | readonly Align[];
  /** Between columns; default two spaces. */
  readonly gap?: string;
}

/** Header, a dashed rule, then the rows; lines joined by '\n', no trailing spaces, no final newline. */
export function formatTable(columns: readonly string[], rows: readonly (readonly Cell[])[], options: TableOptions = {}): string {
  rows.forEach((row, i) => {
    if (row.length !== columns.length) {
      throw new RangeError(
        `formatTable: row ${i} has ${row.length} cells but there are ${columns.length} columns (${columns.join(', ')}); pad it with undefined for missing values`,
      );
    }
  });
  const { align } = options;
  if (Array.isArray(align) && align.length !== columns.length) {
    throw new RangeError(`formatTable: align has ${align.length} entries for ${columns.length} columns; give one per column or a single 'left' | 'right'`);
  }
  const gap = options.gap ?? '  ';
  const text = rows.map((row) => row.map(cellText));
  const widths = columns.map((header, c) => Math.max(header.length, ...text.map((row) => row[c]!.length)));
  const aligns: Align[] = columns.map((_, c) => {
    if (typeof align === 'string') return align;
    if (Array.isArray(align)) return align[c] as Align;
    const present = rows.map((row) => row[c]).filter((cell) => cell !== undefined && cell !== null);
    return present.length > 0 && present.every((cell) => typeof cell === 'number') ? 'right' : 'left';
  });
  const line = (cells: readonly string[]) =>
    cells
      .map((s, c) => (aligns[c] === 'right' ? s.padStart(widths[c]!) : s.padEnd(widths[c]!)))
      .join(gap)
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

function cellText(cell: Cell): string {
  if (cell === undefined || cell === null) return MISSING;
  return typeof cell === 'number' ? formatNumber(cell) : cell;
}

export interface ComparisonOptions {
  /**
   * Which metrics become columns, in this order; each entry is a metric `name` or `plugin/name`. Default: every
   * scalar metric, in first-seen order.
   */
  readonly metrics?: readonly string[];
  /** Include per-layer values as `name@layer` columns (default false: whole-model values only). */
  readonly layers?: boolean;
}

interface Column {
  readonly plugin: string;
  readonly name: string;
  readonly layer: string | undefined;
  readonly key: string;
}

/**
 * Runs × metrics from `collectLatest`'s state: `run`, `iteration` (the last seen), then one column per scalar
 * metric. Headers carry `[unit]` when the metric has one and `(pred)` when a value is a model prediction. When a
 * run ended other than 'completed' (its run end event says 'diverged', 'interrupted' or 'failed'), a `status`
 * column follows `iteration`, so such a run is never read as a finished one.
 */
export function comparisonTable(summary: LatestState, options: ComparisonOptions = {}): string {
  const wanted = options.metrics;
  const columns: Column[] = [];
  const seen = new Set<string>();
  for (const run of summary.runs) {
    for (const [key, event] of Object.entries(run.metrics)) {
      if (seen.has(key) || typeof event.value !== 'number') continue;
      if (event.layer !== undefined && options.layers !== true) continue;
      if (wanted !== undefined && rank(wanted, event) < 0) continue;
      seen.add(key);
      columns.push({ plugin: event.plugin, name: event.name, layer: event.layer, key });
    }
  }
  if (wanted !== undefined) {
    // Stable sort keeps first-seen order among columns chosen by the same entry (e.g. layers of one metric).
    columns.sort((a, b) => rank(wanted, a) - rank(wanted, b));
  }
  const headers = columns.map((column) => header(column, columns, summary));
  const statusOf = (run: LatestState['runs'][number]): string | undefined =>
    typeof run.end?.['status'] === 'string' ? run.end['status'] : undefined;
  const showStatus = summary.runs.some((run) => statusOf(run) !== undefined && statusOf(run) !== 'completed');
  const rows = summary.runs.map((run) => [
    run.runId,
    run.lastIteration,
    ...(showStatus ? [statusOf(run) ?? (run.start !== undefined ? 'running' : undefined)] : []),
    ...columns.map((column) => valueCell(run.metrics[column.key])),
  ]);
  return formatTable(['run', 'iteration', ...(showStatus ? ['status'] : []), ...headers], rows, {
    align: ['left', 'right', ...(showStatus ? ['left' as const] : []), ...columns.map(() => 'right' as const)],
  });
}

function rank(wanted: readonly string[], m: Pick<MetricEvent, 'plugin' | 'name'>): number {
  return wanted.findIndex((w) => w === m.name || w === `${m.plugin}/${m.name}`);
}

function header(column: Column, all: readonly Column[], summary: LatestState): string {
  // Prefix the plugin only when two plugins emit the same name.
  const ambiguous = all.some((other) => other.name === column.name && other.plugin !== column.plugin);
  let label = ambiguous ? `${column.plugin}/${column.name}` : column.name;
  if (column.layer !== undefined) label += `@${column.layer}`;
  const events = summary.runs.map((run) => run.metrics[column.key]).filter((e): e is MetricEvent => e !== undefined);
  const unit = events.find((e) => e.unit !== undefined)?.unit;
  if (unit !== undefined) label += ` [${unit}]`;
  if (events.some((e) => e.prediction === true)) label += ' (pred)';
  return label;
}

function valueCell(event: MetricEvent | undefined): string {
  if (event === undefined || typeof event.value !== 'number') return MISSING;
  const stderr = event.uncertainty?.stderr;
  const value = formatNumber(event.value);
  return stderr === undefined ? value : `${value} ± ${formatNumber(stderr)}`;
}
