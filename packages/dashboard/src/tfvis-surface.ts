/**
 * kramers' metrics in tfjs-vis, for pages that already show their training in its visor. The tfjs-vis module is
 * passed in, so kramers neither depends on it nor loads it: `tfvisSurface(tfvis, optimizer.kramers)`.
 *
 * One line chart per whole-model scalar metric (`sharpness/lambda_max`, `basics/loss`, …) in one visor tab, a series
 * per run. Browser-safe: this module imports nothing at run time (`@kramers/dashboard/tfvis`).
 */
import type { KramersEvent } from '@kramers/core';
import type { Observable, Unsubscribable } from 'rxjs';

export interface TfvisPoint {
  readonly x: number;
  readonly y: number;
}

/** What tfjs-vis's `render.linechart` takes as its container: a visor surface by name and tab. */
export interface TfvisSurfaceInfo {
  readonly name: string;
  readonly tab: string;
}

export interface TfvisLinechartOptions {
  readonly xLabel: string;
  readonly yLabel: string;
  readonly zoomToFit: boolean;
  readonly width?: number;
  readonly height?: number;
}

/** The part of the tfjs-vis module this uses (`import * as tfvis from "@tensorflow/tfjs-vis"` fits). */
export interface TfvisLike {
  readonly render: {
    linechart(
      container: TfvisSurfaceInfo,
      data: { values: TfvisPoint[][]; series: string[] },
      options?: TfvisLinechartOptions,
    ): unknown;
  };
}

export interface TfvisSurfaceOptions {
  /** Visor tab the charts go in (default 'kramers'). */
  readonly tab?: string;
  /** Metrics to chart, as `plugin/name` or bare `name` (default: every whole-model scalar metric). */
  readonly metrics?: readonly string[];
  /**
   * Points kept per run and metric (default 500): every k-th, k doubling as needed, plus the latest. tfjs-vis
   * re-renders a whole vega chart per call, so long series are thinned before they reach it.
   */
  readonly maxPoints?: number;
  /** At most one render per chart every this many milliseconds while events arrive (default 500). */
  readonly throttleMs?: number;
  /** Chart size in pixels (default: tfjs-vis's). */
  readonly width?: number;
  readonly height?: number;
}

export interface TfvisSurface {
  /** Renders every chart with pending points now. */
  flush(): void;
  /** Renders what is pending and stops listening. Idempotent. */
  close(): void;
}

interface Series {
  points: TfvisPoint[];
  stride: number;
  count: number;
  tail: TfvisPoint | undefined;
}

interface Chart {
  readonly name: string;
  readonly yLabel: string;
  readonly runs: Map<string, Series>;
}

function checkOptions(o: TfvisSurfaceOptions): Required<Pick<TfvisSurfaceOptions, 'tab' | 'maxPoints' | 'throttleMs'>> {
  const tab = o.tab ?? 'kramers';
  const maxPoints = o.maxPoints ?? 500;
  const throttleMs = o.throttleMs ?? 500;
  if (typeof tab !== 'string' || tab === '') throw new TypeError(`tfvisSurface: options.tab must be a non-empty string, got ${JSON.stringify(tab)}`);
  if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) throw new RangeError(`tfvisSurface: options.maxPoints must be an integer ≥ 2, got ${String(maxPoints)}`);
  if (!(Number.isFinite(throttleMs) && throttleMs >= 0)) throw new RangeError(`tfvisSurface: options.throttleMs must be a finite number ≥ 0, got ${String(throttleMs)}`);
  return { tab, maxPoints, throttleMs };
}

/** Keeps every stride-th point (stride doubling when the cap is reached) and remembers the latest as the tail. */
function addPoint(s: Series, p: TfvisPoint, maxPoints: number): void {
  const index = s.count++;
  s.tail = p;
  if (index % s.stride !== 0) return;
  s.points.push(p);
  s.tail = undefined;
  if (s.points.length >= maxPoints) {
    s.stride *= 2;
    s.points = s.points.filter((_, i) => i % 2 === 0);
  }
}

/**
 * Subscribes to a session's (or a shared bus's) events and renders them into tfjs-vis. Non-finite values are left out
 * (vega cannot draw them); vector, histogram and table metrics and per-layer values are not charted.
 */
export function tfvisSurface(
  tfvis: TfvisLike,
  source: Observable<KramersEvent> | { readonly metric$: Observable<KramersEvent> },
  options: TfvisSurfaceOptions = {},
): TfvisSurface {
  if (typeof tfvis?.render?.linechart !== 'function') {
    throw new TypeError(`tfvisSurface: the first argument must be the tfjs-vis module (import * as tfvis from "@tensorflow/tfjs-vis")`);
  }
  const { tab, maxPoints, throttleMs } = checkOptions(options);
  const wanted = options.metrics === undefined ? undefined : new Set(options.metrics);
  const stream = 'metric$' in source ? source.metric$ : source;
  const charts = new Map<string, Chart>();
  const dirty = new Set<Chart>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const render = (chart: Chart): void => {
    const series = [...chart.runs.keys()];
    const values = [...chart.runs.values()].map((s) => (s.tail ? [...s.points, s.tail] : s.points.slice()));
    tfvis.render.linechart({ name: chart.name, tab }, { values, series }, {
      xLabel: 'iteration',
      yLabel: chart.yLabel,
      zoomToFit: true,
      ...(options.width === undefined ? {} : { width: options.width }),
      ...(options.height === undefined ? {} : { height: options.height }),
    });
  };
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const pending = [...dirty];
    dirty.clear();
    for (const chart of pending) render(chart);
  };
  const onEvent = (e: KramersEvent): void => {
    if (e.kind !== 'metric' || e.layer !== undefined || typeof e.value !== 'number' || !Number.isFinite(e.value)) return;
    const key = `${e.plugin}/${e.name}`;
    if (wanted && !wanted.has(key) && !wanted.has(e.name)) return;
    let chart = charts.get(key);
    if (!chart) {
      chart = { name: key, yLabel: e.unit ? `${e.name} (${e.unit})` : e.name, runs: new Map() };
      charts.set(key, chart);
    }
    let s = chart.runs.get(e.runId);
    if (!s) {
      s = { points: [], stride: 1, count: 0, tail: undefined };
      chart.runs.set(e.runId, s);
    }
    addPoint(s, { x: e.iteration, y: e.value }, maxPoints);
    dirty.add(chart);
    timer ??= setTimeout(flush, throttleMs);
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    subscription.unsubscribe();
    flush();
  };
  const subscription: Unsubscribable = stream.subscribe({ next: onEvent, complete: () => flush(), error: () => flush() });
  return { flush, close };
}
