/**
 * The charts of the HTML report: one figure per metric, every run on the same axes in the run's own colour, as
 * inline SVG fragments (no XML prolog, no namespace URL, ids unique within the page).
 */
import { SVG_PALETTE, svgFigure, type Dash, type FigureSpec, type HexColor, type Series } from './svg-figure.js';

/** One measurement of a metric: the optimizer step it was taken at, and its value. */
export type SeriesPoint = readonly [iteration: number, value: number];

/** What a chart needs of a run. */
export interface ChartRun {
  readonly id: string;
  readonly series: Readonly<Record<string, readonly SeriesPoint[]>>;
}

/** How a run is drawn in every chart, so one run keeps one look across the page. */
export interface RunStyle {
  readonly color: HexColor;
  readonly dash: Dash;
}

/** A series longer than this is thinned to this many evenly spaced points (first and last kept), so pages stay small. */
export const MAX_CHART_POINTS = 1200;
/** A series this short also gets a marker at each point: per-epoch measurements show as points, not a bare line. */
const MARKER_POINTS = 60;
/** A positive metric whose largest value is at least this many times its smallest gets a log10 y axis. */
export const LOG_Y_RATIO = 10;
const DASH_CYCLE: readonly Dash[] = ['solid', 'dashed', 'dotted'];

/** Palette colour by position; past the palette's end the dash pattern changes, so runs stay distinguishable. */
export function runStyles(count: number): RunStyle[] {
  return Array.from({ length: count }, (_, i) => ({
    color: SVG_PALETTE[i % SVG_PALETTE.length]!,
    dash: DASH_CYCLE[Math.floor(i / SVG_PALETTE.length) % DASH_CYCLE.length]!,
  }));
}

/** Metric names in first-seen order: runs in the order given, each run's series in its key order. */
export function chartMetrics(runs: readonly ChartRun[]): string[] {
  const out: string[] = [];
  for (const run of runs) for (const metric of Object.keys(run.series)) if (!out.includes(metric)) out.push(metric);
  return out;
}

/** True when every finite value is positive and they span at least a decade (derived: log axes need y > 0). */
export function wantsLogY(values: readonly number[]): boolean {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2 || finite.some((v) => v <= 0)) return false;
  return Math.max(...finite) / Math.min(...finite) >= LOG_Y_RATIO;
}

/** At most `max` points at evenly spaced indices, the first and last always among them. */
export function thin(points: readonly SeriesPoint[], max = MAX_CHART_POINTS): readonly SeriesPoint[] {
  if (points.length <= max) return points;
  return Array.from({ length: max }, (_, i) => points[Math.round((i * (points.length - 1)) / (max - 1))]!);
}

/** The figure spec of one metric: a line per run that measured it (markers too when sparse), shared axes. */
export function metricFigure(metric: string, runs: readonly ChartRun[], styles: readonly RunStyle[]): FigureSpec {
  const series: Series[] = [];
  const values: number[] = [];
  runs.forEach((run, i) => {
    const points = run.series[metric];
    if (points === undefined || points.length === 0) return;
    const shown = thin(points);
    const { color, dash } = styles[i]!;
    const xy = shown.map(([x, y]) => ({ x, y }));
    for (const [, y] of shown) values.push(y);
    series.push({ kind: 'line', name: run.id, color, dash, points: xy });
    if (shown.length <= MARKER_POINTS) series.push({ kind: 'points', name: '', color, points: xy });
  });
  const slash = metric.lastIndexOf('/');
  return {
    title: metric,
    xLabel: 'iteration',
    yLabel: slash >= 0 ? metric.slice(slash + 1) : metric,
    width: 640,
    height: 360,
    series,
    logY: wantsLogY(values),
  };
}

/**
 * An SVG document as a fragment for an HTML page: no prolog, no namespace attribute (the HTML parser puts <svg> in
 * the SVG namespace itself), and clip-path ids prefixed by `id` so several charts can share a page. The rewrite
 * only touches `id="…"` and `="url(#…)"`, which need a raw quote, so escaped text can never be hit by it.
 */
export function inlineSvg(document: string, id: string): string {
  return document
    .replace(/^<\?xml[^>]*\?>\n/, '')
    .replace(' xmlns="http://www.w3.org/2000/svg" version="1.1"', '')
    .replace(/(\sid="|="url\(#)kf-/g, `$1${id}-`)
    .trimEnd();
}

/** Every metric's chart as an inline SVG fragment, in `chartMetrics` order. */
export function metricCharts(runs: readonly ChartRun[], styles: readonly RunStyle[]): { metric: string; svg: string }[] {
  return chartMetrics(runs).map((metric, i) => ({ metric, svg: inlineSvg(svgFigure(metricFigure(metric, runs, styles)), `chart${i}`) }));
}
