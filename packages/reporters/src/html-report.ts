/**
 * One self-contained HTML page for a comparison of runs: the comparison table, one chart per metric with every run
 * on shared axes, each run's configuration and final numbers, the whole run's configuration and versions. Inline
 * CSS and inline SVG only; no script, no external request (a Content-Security-Policy forbids any), escaped text,
 * and the same bytes for the same input. The markup is also well-formed XML, so it can be checked strictly.
 */
import { formatNumber, MISSING } from './format-number.js';
import { metricCharts, runStyles, type RunStyle, type SeriesPoint } from './html-report-charts.js';
import { escapeXml } from './svg-figure.js';

export type { SeriesPoint } from './html-report-charts.js';

/** One run (one optimizer) of the comparison. */
export interface ReportRun {
  /** Unique among the runs; the legend and table name it. */
  readonly id: string;
  readonly optimizer: string;
  /** Its hyperparameters, shown as given (numbers in full). */
  readonly config: Readonly<Record<string, unknown>>;
  /** How it ended, e.g. `{ status, loss, testAccuracy, iterations }`. */
  readonly final: Readonly<Record<string, unknown>>;
  /** Per metric (e.g. `evaluate/test_accuracy`), the (iteration, value) pairs in the order measured; one chart each. */
  readonly series: Readonly<Record<string, readonly SeriesPoint[]>>;
}

/** A number with its standard error, shown as `v ± s`. */
export interface ValueWithError {
  readonly value: number;
  readonly stderr: number;
}

/** A table cell: numbers show to 4 significant digits (the full value in a `data-value` attribute), null as '—'. */
export type ReportCell = string | number | ValueWithError | null | undefined;

export interface ReportTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly ReportCell[])[];
}

/** What produced the numbers; all four are required so a report never omits them. */
export interface ReportVersions {
  readonly kramers: string;
  readonly tfjs: string;
  readonly node: string;
  readonly backend: string;
}

export interface HtmlReportInput {
  readonly title: string;
  readonly runs: readonly ReportRun[];
  readonly table: ReportTable;
  /** The run's settings (flags, data set, model), shown as given, in key order. */
  readonly configuration: Readonly<Record<string, unknown>>;
  readonly versions: ReportVersions;
  /** When, as an ISO 8601 timestamp; passed in (not read from the clock) so the page is reproducible. */
  readonly generatedAt: string;
}

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; color: #1a1a1a; margin: 2em auto; max-width: 1360px; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
h3 { font-size: 1.05em; margin: 0 0 0.4em 0; }
.generated { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; vertical-align: top; }
th { background: #f4f4f4; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scroll { overflow-x: auto; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.4em; vertical-align: -0.1em; border-radius: 2px; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
figure.chart { margin: 0; flex: 1 1 560px; max-width: 660px; }
figure.chart svg { width: 100%; height: auto; }
.runs { display: flex; flex-wrap: wrap; gap: 1.5em; }
.run { flex: 0 1 auto; }
`;

/** The report as one HTML document (UTF-8, ends with a newline). Throws on malformed input, naming the field. */
export function htmlReport(input: HtmlReportInput): string {
  check(input);
  const styles = runStyles(input.runs.length);
  const charts = metricCharts(input.runs, styles);
  const v = input.versions;
  const lines = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    // Belt and braces: even a mistake in this file cannot make the page fetch anything.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    '<meta name="generator" content="kramers"/>',
    `<title>${text(input.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${text(input.title)}</h1>`,
    `<p class="generated">Generated <time datetime="${text(input.generatedAt)}">${text(input.generatedAt)}</time> by kramers ${text(v.kramers)}`
      + ` (tfjs ${text(v.tfjs)}, Node ${text(v.node)}, backend ${text(v.backend)})</p>`,
    '<section id="comparison">',
    '<h2>Comparison</h2>',
    '<div class="scroll">',
    ...tableHtml(input.table, input.runs, styles),
    '</div>',
    '</section>',
    '<section id="charts">',
    '<h2>Metrics during training</h2>',
    charts.length === 0 ? '<p>No metric was recorded over time.</p>' : '<div class="charts">',
    ...charts.map(({ metric, svg }) => `<figure class="chart" data-metric="${text(metric)}">\n${svg}\n</figure>`),
    ...(charts.length === 0 ? [] : ['</div>']),
    '</section>',
    '<section id="runs">',
    '<h2>Runs</h2>',
    '<div class="runs">',
    ...input.runs.flatMap((run, i) => runHtml(run, styles[i]!)),
    '</div>',
    '</section>',
    '<section id="configuration">',
    '<h2>Configuration</h2>',
    ...keyValueTable(input.configuration),
    '</section>',
    '<section id="versions">',
    '<h2>Versions</h2>',
    ...keyValueTable({ kramers: v.kramers, tfjs: v.tfjs, node: v.node, backend: v.backend }),
    '</section>',
    '</body>',
    '</html>',
  ];
  return `${lines.join('\n')}\n`;
}

/** Text safe in HTML content and double-quoted attributes (and in XML: forbidden characters become U+FFFD). */
const text = escapeXml;

function tableHtml(table: ReportTable, runs: readonly ReportRun[], styles: readonly RunStyle[]): string[] {
  const colorOf = new Map(runs.map((run, i) => [run.id, styles[i]!.color]));
  const rows = table.rows.map((row) => {
    const cells = row.map((cell, c) => {
      // A cell naming a run gets its colour, tying the row to the charts' lines.
      const color = c === 0 && typeof cell === 'string' ? colorOf.get(cell) : undefined;
      if (color !== undefined) return `<td><span class="swatch" style="background:${color}"></span>${text(cell as string)}</td>`;
      return cellHtml(cell);
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  return [
    '<table class="comparison">',
    `<thead><tr>${table.columns.map((c) => `<th>${text(c)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
  ];
}

function cellHtml(cell: ReportCell): string {
  if (cell === null || cell === undefined) return `<td>${MISSING}</td>`;
  if (typeof cell === 'number') return `<td class="num" data-value="${String(cell)}">${text(formatNumber(cell))}</td>`;
  if (typeof cell === 'string') return `<td>${text(cell)}</td>`;
  return `<td class="num" data-value="${String(cell.value)}" data-stderr="${String(cell.stderr)}">${text(`${formatNumber(cell.value)} ± ${formatNumber(cell.stderr)}`)}</td>`;
}

function runHtml(run: ReportRun, style: RunStyle): string[] {
  return [
    `<div class="run" data-run="${text(run.id)}">`,
    `<h3><span class="swatch" style="background:${style.color}"></span>${text(run.id)} (${text(run.optimizer)})</h3>`,
    ...keyValueTable({ ...prefixed('config.', run.config), ...prefixed('final.', run.final) }),
    '</div>',
  ];
}

function prefixed(prefix: string, record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [`${prefix}${k}`, v]));
}

function keyValueTable(record: Readonly<Record<string, unknown>>): string[] {
  const rows = Object.entries(record).map(([key, value]) => {
    const cell = typeof value === 'number' ? `<td class="num">${text(String(value))}</td>` : `<td>${text(valueText(value))}</td>`;
    return `<tr><th>${text(key)}</th>${cell}</tr>`;
  });
  return ['<table class="kv">', ...rows, '</table>'];
}

/** Settings as given: strings bare, numbers in full, structures as JSON (non-finite numbers spelled out). */
function valueText(value: unknown): string {
  if (value === undefined || value === null) return MISSING;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? String(value);
}

function check(input: HtmlReportInput): void {
  if (typeof input.title !== 'string') throw new Error(`htmlReport: title must be a string; got ${typeof input.title}`);
  if (typeof input.generatedAt !== 'string') {
    throw new Error(`htmlReport: generatedAt must be an ISO 8601 string (e.g. new Date().toISOString()); got ${typeof input.generatedAt}`);
  }
  if (!Array.isArray(input.runs)) throw new Error('htmlReport: runs must be an array of ReportRun (it may be empty)');
  const seen = new Set<string>();
  input.runs.forEach((run, i) => {
    if (typeof run.id !== 'string') throw new Error(`htmlReport: runs[${i}].id must be a string; got ${typeof run.id}`);
    if (seen.has(run.id)) throw new Error(`htmlReport: runs[${i}].id "${run.id}" repeats an earlier run's id; give each run its own id (it picks the run's colour)`);
    seen.add(run.id);
    if (typeof run.series !== 'object' || run.series === null) throw new Error(`htmlReport: runs[${i}].series must be an object of metric → [iteration, value][]`);
    for (const [metric, points] of Object.entries(run.series)) {
      if (!Array.isArray(points)) throw new Error(`htmlReport: runs[${i}].series["${metric}"] must be an array of [iteration, value] pairs`);
      points.forEach((p, j) => {
        if (!Array.isArray(p) || p.length !== 2 || !Number.isFinite(p[0]) || typeof p[1] !== 'number') {
          throw new Error(`htmlReport: runs[${i}].series["${metric}"][${j}] must be an [iteration, value] pair with a finite iteration; got ${JSON.stringify(p)}`);
        }
      });
    }
  });
  const { columns, rows } = input.table;
  rows.forEach((row, i) => {
    if (row.length !== columns.length) {
      throw new Error(`htmlReport: table.rows[${i}] has ${row.length} cells but table.columns has ${columns.length}; pad the row with null for missing values`);
    }
  });
  for (const key of ['kramers', 'tfjs', 'node', 'backend'] as const) {
    if (typeof input.versions[key] !== 'string') throw new Error(`htmlReport: versions.${key} must be a string; got ${typeof input.versions[key]}`);
  }
}
