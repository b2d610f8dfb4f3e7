/**
 * Static SVG figures for escape experiments (e.g. "SGD: −log γ vs 1/k": measured points with asymmetric interval
 * bars, predicted points as open markers, the fitted line, Pearson r in the legend). Dependency-free: a standalone
 * SVG 1.1 document, byte-identical for the same spec, that opens in any browser.
 */
import { type AxisTicks, niceLinearTicks, niceLogTicks, ticksWithin } from './svg-ticks.js';

/** A plotted value. An interval bar needs both ends: `lo` ≤ `hi`, either may be ±Infinity (drawn to the frame). */
export type DataPoint =
  | { readonly x: number; readonly y: number; readonly lo?: undefined; readonly hi?: undefined }
  | { readonly x: number; readonly y: number; readonly lo: number; readonly hi: number };

/** A vertex of a line series. */
export interface LinePoint {
  readonly x: number;
  readonly y: number;
}

export type Dash = 'solid' | 'dashed' | 'dotted';

/** A `#rrggbb` colour. */
export type HexColor = `#${string}`;

interface SeriesBase {
  /** Legend text, e.g. "SGD measured" or "fit, r = 0.9986". An empty name leaves the series out of the legend. */
  readonly name: string;
  /** Defaults to the palette entry at the series' position. */
  readonly color?: HexColor;
}

/** Markers, optionally with vertical interval bars. */
export interface PointSeries extends SeriesBase {
  readonly kind: 'points';
  readonly points: readonly DataPoint[];
  /** 'open' (white-filled ring) is the convention for predictions; default 'filled'. */
  readonly marker?: 'filled' | 'open';
}

/** A polyline through the points in the given order; a non-finite point breaks it. */
export interface LineSeries extends SeriesBase {
  readonly kind: 'line';
  readonly points: readonly LinePoint[];
  readonly dash?: Dash;
}

/**
 * The straight line y = slope·x + intercept (in data units), drawn from `xFrom` to `xTo`, by default across the x
 * extent of the other series' finite data. On log axes it is sampled, so it shows as the curve it is.
 */
export interface FitSeries extends SeriesBase {
  readonly kind: 'fit';
  readonly slope: number;
  readonly intercept: number;
  readonly xFrom?: number;
  readonly xTo?: number;
  readonly dash?: Dash;
}

export type Series = PointSeries | LineSeries | FitSeries;

export interface FigureSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Pixels; default 640 × 420, at least 200 × 150. */
  readonly width?: number;
  readonly height?: number;
  readonly series: readonly Series[];
  readonly logX?: boolean;
  readonly logY?: boolean;
  /** Fixed axis ranges (no padding, no widening); data outside is left out and counted, bars are cut at the frame. */
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
}

export interface GridOptions {
  /** Panels per row, at least 1. */
  readonly columns: number;
  /** A title above all panels. */
  readonly title?: string;
}

/** Okabe & Ito's colour-blind-safe palette (yellow dropped: unreadable on white), in series order. */
export const SVG_PALETTE: readonly HexColor[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

const DEFAULT_WIDTH = 640;
const DEFAULT_HEIGHT = 420;
const MARGIN = { top: 40, right: 20, bottom: 52, left: 68 } as const;
const FONT = 'Helvetica, Arial, sans-serif';
const FONT_SIZE = 12;
const MARKER_RADIUS = 3.5;
const CAP_HALF_WIDTH = 4;
/** Fraction of the ticks' span the frame extends beyond the end ticks on each side. */
const PAD = 0.03;
const FIT_SAMPLES = 64;
const DASHES: Record<Dash, string | undefined> = { solid: undefined, dashed: '6 4', dotted: '2 3' };

/** One figure as a standalone SVG document. */
export function svgFigure(spec: FigureSpec): string {
  const body = renderFigure(spec, 'kf');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body.join('\n')}\n`;
}

/**
 * Several figures in one standalone document, `columns` per row, each panel in a cell as large as the largest
 * panel. Takes specs rather than rendered strings so each panel's clip-path id can be made unique.
 */
export function svgFigureGrid(figures: readonly FigureSpec[], options: GridOptions): string {
  const { columns, title } = options;
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`svgFigureGrid: columns must be an integer ≥ 1; got ${columns}`);
  if (figures.length === 0) throw new Error('svgFigureGrid: figures is empty; pass at least one FigureSpec');
  const cellW = Math.max(...figures.map((f) => f.width ?? DEFAULT_WIDTH));
  const cellH = Math.max(...figures.map((f) => f.height ?? DEFAULT_HEIGHT));
  const rows = Math.ceil(figures.length / columns);
  const titleH = title === undefined ? 0 : 36;
  const width = cellW * Math.min(columns, figures.length);
  const height = titleH + cellH * rows;
  const out = [svgOpen(width, height, 0, 0, true), `  <desc>${escapeXml(`kramers figure grid: ${figures.length} panels`)}</desc>`];
  out.push(`  <rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (title !== undefined) {
    out.push(`  <text x="${px(width / 2)}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
  }
  figures.forEach((figure, i) => {
    const x = (i % columns) * cellW;
    const y = titleH + Math.floor(i / columns) * cellH;
    const panel = renderFigure(figure, `kf${i}`, { x, y });
    out.push(...panel.map((line) => `  ${line}`));
  });
  out.push('</svg>');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${out.join('\n')}\n`;
}

/**
 * Text safe in XML content and in double-quoted attributes. Characters XML 1.0 forbids (most C0 controls, lone
 * surrogates, U+FFFE/U+FFFF) become U+FFFD, so hostile input cannot make the document unparseable.
 */
export function escapeXml(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&apos;';
    else if (
      (code < 0x20 && code !== 0x9 && code !== 0xa && code !== 0xd)
      || (code >= 0xd800 && code <= 0xdfff)
      || code === 0xfffe || code === 0xffff
    ) out += '\uFFFD';
    else out += ch;
  }
  return out;
}

interface Frame {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

interface Mapped {
  readonly x: number;
  readonly y: number;
}

interface Counts {
  nonFinite: number;
  outside: number;
  badBars: number;
  notes: string[];
}

function renderFigure(spec: FigureSpec, id: string, at?: { x: number; y: number }): string[] {
  checkSpec(spec);
  const width = spec.width ?? DEFAULT_WIDTH;
  const height = spec.height ?? DEFAULT_HEIGHT;
  const frame: Frame = {
    left: MARGIN.left,
    top: MARGIN.top,
    width: width - MARGIN.left - MARGIN.right,
    height: height - MARGIN.top - MARGIN.bottom,
  };
  const logX = spec.logX === true;
  const logY = spec.logY === true;
  const okX = (v: number) => Number.isFinite(v) && (!logX || v > 0);
  const okY = (v: number) => Number.isFinite(v) && (!logY || v > 0);

  // The fit lines' x span comes from the data, their y values then join the data in setting the y range.
  const dataXs: number[] = [];
  for (const s of spec.series) {
    if (s.kind === 'fit') continue;
    for (const p of s.points) if (okX(p.x) && okY(p.y)) dataXs.push(p.x);
  }
  const counts: Counts = { nonFinite: 0, outside: 0, badBars: 0, notes: [] };
  const lines = spec.series.map((s) => (s.kind === 'fit' ? fitPoints(s, dataXs, spec.xDomain, logX, counts) : undefined));

  const xs: number[] = [];
  const ys: number[] = [];
  spec.series.forEach((s, i) => {
    const points: readonly (LinePoint | DataPoint)[] = s.kind === 'fit' ? lines[i] ?? [] : s.points;
    for (const p of points) {
      if (!okX(p.x) || !okY(p.y)) continue;
      xs.push(p.x);
      ys.push(p.y);
      if ('lo' in p && p.lo !== undefined && okY(p.lo)) ys.push(p.lo);
      if ('hi' in p && p.hi !== undefined && okY(p.hi)) ys.push(p.hi);
    }
  });
  const xAxis = axisFor(xs, spec.xDomain, logX, Math.max(2, Math.round(frame.width / 90)), 'xDomain');
  const yAxis = axisFor(ys, spec.yDomain, logY, Math.max(2, Math.round(frame.height / 60)), 'yDomain');
  const mapX = axisMap(xAxis, frame.left, frame.left + frame.width);
  const mapY = axisMap(yAxis, frame.top + frame.height, frame.top);
  const inside = (p: Mapped) => p.x >= frame.left - 1e-9 && p.x <= frame.left + frame.width + 1e-9
    && p.y >= frame.top - 1e-9 && p.y <= frame.top + frame.height + 1e-9;

  const colors = spec.series.map((s, i) => s.color ?? SVG_PALETTE[i % SVG_PALETTE.length]!);
  const plotted: string[] = [];
  const occupied: Mapped[] = [];
  let drawn = 0;
  spec.series.forEach((s, i) => {
    const color = colors[i]!;
    if (s.kind === 'points') {
      const shapes: string[] = [];
      s.points.forEach((p, j) => {
        if (p.lo !== undefined && p.hi !== undefined && p.lo > p.hi) {
          throw new Error(`svgFigure: series "${s.name}" point ${j} has lo (${p.lo}) > hi (${p.hi}); pass the lower end as lo (−log γ swaps γ's interval ends)`);
        }
        if (!okX(p.x) || !okY(p.y)) {
          counts.nonFinite += 1;
          return;
        }
        const m = { x: mapX(p.x), y: mapY(p.y) };
        if (!inside(m)) {
          counts.outside += 1;
          return;
        }
        if (p.lo !== undefined && p.hi !== undefined) {
          if (Number.isNaN(p.lo) || Number.isNaN(p.hi)) counts.badBars += 1;
          else shapes.push(...intervalBar(m.x, mapY(p.lo), mapY(p.hi), frame, color));
        }
        occupied.push(m);
        drawn += 1;
        shapes.push(marker(m, s.marker ?? 'filled', color));
      });
      if (shapes.length > 0) plotted.push(`<g class="series points" data-series="${i}">`, ...shapes.map((l) => `  ${l}`), '</g>');
    } else {
      const points = s.kind === 'fit' ? lines[i] ?? [] : s.points;
      const runs: Mapped[][] = [[]];
      for (const p of points) {
        if (!okX(p.x) || !okY(p.y)) {
          if (s.kind === 'line') counts.nonFinite += 1;
          runs.push([]);
          continue;
        }
        runs[runs.length - 1]!.push({ x: mapX(p.x), y: mapY(p.y) });
      }
      const paths = runs.flatMap((run) => clipPolyline(run, frame));
      for (const path of paths) occupied.push(...alongPath(path));
      drawn += points.length > 0 && s.kind === 'line' ? points.filter((p) => okX(p.x) && okY(p.y)).length : 0;
      const dash = DASHES[s.dash ?? 'solid'];
      const dashAttr = dash === undefined ? '' : ` stroke-dasharray="${dash}"`;
      const polylines = paths.filter((path) => path.length >= 2).map((path) => (
        `  <polyline points="${path.map((q) => `${px(q.x)},${px(q.y)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="1.75"${dashAttr}/>`
      ));
      if (polylines.length > 0) plotted.push(`<g class="series ${s.kind}" data-series="${i}">`, ...polylines, '</g>');
    }
  });

  const out: string[] = [svgOpen(width, height, at?.x, at?.y, at === undefined)];
  out.push(`  <title>${escapeXml(spec.title)}</title>`);
  out.push(`  <desc>${escapeXml(describe(spec, drawn, counts))}</desc>`);
  out.push(`  <defs><clipPath id="${id}-plot"><rect x="${px(frame.left)}" y="${px(frame.top)}" width="${px(frame.width)}" height="${px(frame.height)}"/></clipPath></defs>`);
  out.push(`  <rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(...gridAndAxes(xAxis, yAxis, mapX, mapY, frame).map((l) => `  ${l}`));
  out.push(`  <g clip-path="url(#${id}-plot)">`, ...plotted.map((l) => `    ${l}`), '  </g>');
  if (plotted.length === 0) {
    out.push(`  <text class="no-data" x="${px(frame.left + frame.width / 2)}" y="${px(frame.top + frame.height / 2)}" text-anchor="middle" fill="#888888">no data</text>`);
  }
  out.push(...legend(spec.series, colors, frame, occupied).map((l) => `  ${l}`));
  out.push(`  <text class="title" x="${px(width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`);
  out.push(`  <text class="x-label" x="${px(frame.left + frame.width / 2)}" y="${px(height - 12)}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  const yLabelX = 16;
  const yLabelY = frame.top + frame.height / 2;
  out.push(`  <text class="y-label" x="${yLabelX}" y="${px(yLabelY)}" text-anchor="middle" transform="rotate(-90 ${yLabelX} ${px(yLabelY)})">${escapeXml(spec.yLabel)}</text>`);
  out.push('</svg>');
  return out;
}

function svgOpen(width: number, height: number, x: number | undefined, y: number | undefined, root: boolean): string {
  const place = x === undefined || y === undefined ? '' : ` x="${px(x)}" y="${px(y)}"`;
  const ns = root ? ' xmlns="http://www.w3.org/2000/svg" version="1.1"' : '';
  return `<svg${ns}${place} width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="${FONT_SIZE}">`;
}

function checkSpec(spec: FigureSpec): void {
  for (const field of ['title', 'xLabel', 'yLabel'] as const) {
    if (typeof spec[field] !== 'string') throw new Error(`svgFigure: ${field} must be a string; got ${typeof spec[field]}`);
  }
  for (const field of ['width', 'height'] as const) {
    const v = spec[field];
    const least = field === 'width' ? 200 : 150;
    if (v !== undefined && !(Number.isInteger(v) && v >= least && v <= 20000)) {
      throw new Error(`svgFigure: ${field} must be a whole number of pixels from ${least} to 20000; got ${v}`);
    }
  }
  if (!Array.isArray(spec.series)) throw new Error('svgFigure: series must be an array of Series (it may be empty)');
  spec.series.forEach((s, i) => {
    if (s.kind !== 'points' && s.kind !== 'line' && s.kind !== 'fit') {
      throw new Error(`svgFigure: series[${i}].kind must be 'points', 'line' or 'fit'; got ${String((s as { kind: unknown }).kind)}`);
    }
    if (typeof s.name !== 'string') throw new Error(`svgFigure: series[${i}].name must be a string`);
    if (s.color !== undefined && !/^#[0-9a-fA-F]{6}$/.test(s.color)) {
      throw new Error(`svgFigure: series[${i}].color must be #rrggbb; got ${s.color}`);
    }
    if (s.kind === 'fit' && (!Number.isFinite(s.slope) || !Number.isFinite(s.intercept))) {
      throw new Error(`svgFigure: series[${i}] (fit) slope and intercept must be finite; got ${s.slope}, ${s.intercept}`);
    }
    if (s.kind !== 'fit' && !Array.isArray(s.points)) throw new Error(`svgFigure: series[${i}].points must be an array`);
  });
  checkDomain(spec.xDomain, 'xDomain', spec.logX === true);
  checkDomain(spec.yDomain, 'yDomain', spec.logY === true);
}

function checkDomain(domain: readonly [number, number] | undefined, field: string, log: boolean): void {
  if (domain === undefined) return;
  const [a, b] = domain;
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(b > a)) {
    throw new Error(`svgFigure: ${field} must be [min, max] with finite min < max; got [${a}, ${b}]`);
  }
  if (log && !(a > 0)) throw new Error(`svgFigure: ${field} must be positive on a log axis; got min ${a}`);
}

/** The fit line's vertices, in data units; undefined (and a note) when there is no x span to draw it over. */
function fitPoints(
  s: FitSeries, dataXs: readonly number[], xDomain: readonly [number, number] | undefined, logX: boolean, counts: Counts,
): LinePoint[] | undefined {
  const from = s.xFrom ?? (dataXs.length > 0 ? Math.min(...dataXs) : xDomain?.[0]);
  const to = s.xTo ?? (dataXs.length > 0 ? Math.max(...dataXs) : xDomain?.[1]);
  if (from === undefined || to === undefined || !Number.isFinite(from) || !Number.isFinite(to) || (logX && !(from > 0 && to > 0))) {
    counts.notes.push(`fit "${s.name}" not drawn: no x range (give xFrom and xTo, or data)`);
    return undefined;
  }
  const line = (x: number): LinePoint => ({ x, y: s.slope * x + s.intercept });
  if (!logX) return [line(from), line(to)];
  const [a, b] = [Math.log10(from), Math.log10(to)];
  return Array.from({ length: FIT_SAMPLES + 1 }, (_, i) => line(i === FIT_SAMPLES ? to : 10 ** (a + ((b - a) * i) / FIT_SAMPLES)));
}

/**
 * Nice ticks over the data (widened outward to whole steps, so they cover it), then the frame a little beyond the
 * end ticks so no marker sits on it.
 */
function axisFor(values: readonly number[], domain: readonly [number, number] | undefined, log: boolean, count: number, field: string): AxisTicks {
  if (domain !== undefined) return ticksWithin(domain[0], domain[1], log ? 'log' : 'linear', count);
  const t = log ? values.map(Math.log10) : values;
  let lo = t.length === 0 ? 0 : Math.min(...t);
  let hi = t.length === 0 ? 1 : Math.max(...t);
  if (!(hi > lo)) {
    // One distinct value: a span of 20 % of its size (or ±0.5 around zero) so the axis still has ticks.
    const half = lo !== 0 ? Math.abs(lo) * 0.1 : 0.5;
    lo -= half;
    hi += half;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`svgFigure: the data range overflows; set ${field}`);
  const nice = log ? niceLogTicks(10 ** lo, 10 ** hi, count) : niceLinearTicks(lo, hi, count);
  const [a, b] = log ? nice.domain.map(Math.log10) as [number, number] : nice.domain;
  const pad = PAD * (b - a);
  const padded: [number, number] = log ? [10 ** (a - pad), 10 ** (b + pad)] : [a - pad, b + pad];
  return { ...nice, domain: padded };
}

/** Data → pixel along one axis: affine in the value (linear) or in its log10 (log). ±Infinity maps to ±Infinity. */
function axisMap(axis: AxisTicks, fromPx: number, toPx: number): (v: number) => number {
  const t = axis.scale === 'log' ? (v: number) => (v > 0 ? Math.log10(v) : -Infinity) : (v: number) => v;
  const [d0, d1] = [t(axis.domain[0]), t(axis.domain[1])];
  return (v) => {
    const tv = t(v);
    if (tv === Infinity || tv === -Infinity) return tv === Infinity ? (toPx > fromPx ? Infinity : -Infinity) : (toPx > fromPx ? -Infinity : Infinity);
    return fromPx + ((tv - d0) / (d1 - d0)) * (toPx - fromPx);
  };
}

function gridAndAxes(
  xAxis: AxisTicks, yAxis: AxisTicks, mapX: (v: number) => number, mapY: (v: number) => number, frame: Frame,
): string[] {
  const bottom = frame.top + frame.height;
  const right = frame.left + frame.width;
  const out = ['<g class="grid" stroke="#e6e6e6" stroke-width="1">'];
  xAxis.ticks.forEach((t) => out.push(`  <line x1="${px(mapX(t))}" y1="${px(frame.top)}" x2="${px(mapX(t))}" y2="${px(bottom)}"/>`));
  yAxis.ticks.forEach((t) => out.push(`  <line x1="${px(frame.left)}" y1="${px(mapY(t))}" x2="${px(right)}" y2="${px(mapY(t))}"/>`));
  out.push('</g>');
  out.push(`<rect class="frame" x="${px(frame.left)}" y="${px(frame.top)}" width="${px(frame.width)}" height="${px(frame.height)}" fill="none" stroke="#333333" stroke-width="1"/>`);
  out.push('<g class="x-axis" stroke="#333333">');
  xAxis.ticks.forEach((t, i) => {
    const x = px(mapX(t));
    out.push(`  <g class="tick" data-value="${t}"><line x1="${x}" y1="${px(bottom)}" x2="${x}" y2="${px(bottom + 5)}"/><text x="${x}" y="${px(bottom + 18)}" text-anchor="middle" stroke="none" fill="#333333">${escapeXml(xAxis.labels[i]!)}</text></g>`);
  });
  out.push('</g>');
  out.push('<g class="y-axis" stroke="#333333">');
  yAxis.ticks.forEach((t, i) => {
    const y = px(mapY(t));
    out.push(`  <g class="tick" data-value="${t}"><line x1="${px(frame.left - 5)}" y1="${y}" x2="${px(frame.left)}" y2="${y}"/><text x="${px(frame.left - 8)}" y="${px(mapY(t) + 4)}" text-anchor="end" stroke="none" fill="#333333">${escapeXml(yAxis.labels[i]!)}</text></g>`);
  });
  out.push('</g>');
  return out;
}

/** A vertical bar from y1 to y2 (pixels), cut at the frame; a cap only on an end that was not cut. */
function intervalBar(x: number, y1: number, y2: number, frame: Frame, color: string): string[] {
  const top = frame.top;
  const bottom = frame.top + frame.height;
  const [a, b] = [Math.min(y1, y2), Math.max(y1, y2)];
  if (b < top || a > bottom) return [];
  const ya = Math.max(a, top);
  const yb = Math.min(b, bottom);
  const out = [`<line class="bar" x1="${px(x)}" y1="${px(ya)}" x2="${px(x)}" y2="${px(yb)}" stroke="${color}" stroke-width="1.25"/>`];
  for (const [end, cut] of [[ya, a < top], [yb, b > bottom]] as const) {
    if (!cut) out.push(`<line class="cap" x1="${px(x - CAP_HALF_WIDTH)}" y1="${px(end)}" x2="${px(x + CAP_HALF_WIDTH)}" y2="${px(end)}" stroke="${color}" stroke-width="1.25"/>`);
  }
  return out;
}

function marker(m: Mapped, kind: 'filled' | 'open', color: string): string {
  const fill = kind === 'open' ? '#ffffff' : color;
  return `<circle class="marker ${kind}" cx="${px(m.x)}" cy="${px(m.y)}" r="${MARKER_RADIUS}" fill="${fill}" stroke="${color}" stroke-width="1.5"/>`;
}

/** Points every ~8 px along a path, so the legend placement sees a line crossing a corner, not just its ends. */
function alongPath(path: readonly Mapped[]): Mapped[] {
  const out: Mapped[] = path.slice(0, 1);
  for (let i = 0; i + 1 < path.length; i += 1) {
    const [p, q] = [path[i]!, path[i + 1]!];
    const n = Math.max(1, Math.ceil(Math.hypot(q.x - p.x, q.y - p.y) / 8));
    for (let k = 1; k <= n; k += 1) out.push({ x: p.x + ((q.x - p.x) * k) / n, y: p.y + ((q.y - p.y) * k) / n });
  }
  return out;
}

/** Liang–Barsky clipping of each segment to the frame, re-joined where consecutive pieces meet. */
function clipPolyline(run: readonly Mapped[], frame: Frame): Mapped[][] {
  if (run.length === 1) {
    const p = run[0]!;
    const inside = p.x >= frame.left && p.x <= frame.left + frame.width && p.y >= frame.top && p.y <= frame.top + frame.height;
    return inside ? [[p]] : [];
  }
  const out: Mapped[][] = [];
  for (let i = 0; i + 1 < run.length; i += 1) {
    const piece = clipSegment(run[i]!, run[i + 1]!, frame);
    if (piece === undefined) continue;
    const last = out[out.length - 1];
    const tail = last?.[last.length - 1];
    if (last !== undefined && tail !== undefined && tail.x === piece[0].x && tail.y === piece[0].y) last.push(piece[1]);
    else out.push([piece[0], piece[1]]);
  }
  return out;
}

function clipSegment(p: Mapped, q: Mapped, frame: Frame): [Mapped, Mapped] | undefined {
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  let t0 = 0;
  let t1 = 1;
  const edges: [number, number][] = [
    [-dx, p.x - frame.left], [dx, frame.left + frame.width - p.x],
    [-dy, p.y - frame.top], [dy, frame.top + frame.height - p.y],
  ];
  for (const [pe, qe] of edges) {
    if (pe === 0) {
      if (qe < 0) return undefined;
      continue;
    }
    const r = qe / pe;
    if (pe < 0) t0 = Math.max(t0, r);
    else t1 = Math.min(t1, r);
    if (t0 > t1) return undefined;
  }
  const at = (t: number): Mapped => (t === 0 ? p : t === 1 ? q : { x: p.x + t * dx, y: p.y + t * dy });
  return [at(t0), at(t1)];
}

/**
 * The legend in whichever inner corner of the frame covers the fewest drawn points (top-right first on ties),
 * one row per named series: its marker (with a bar if it has intervals) or a line sample in its dash.
 */
function legend(series: readonly Series[], colors: readonly string[], frame: Frame, occupied: readonly Mapped[]): string[] {
  const entries = series.map((s, i) => ({ s, color: colors[i]! })).filter(({ s }) => s.name !== '');
  if (entries.length === 0) return [];
  const rowH = 18;
  const longest = Math.max(...entries.map(({ s }) => [...s.name].length));
  const boxW = Math.min(frame.width - 8, 44 + longest * FONT_SIZE * 0.55);
  const boxH = 8 + entries.length * rowH;
  const inset = 6;
  const corners: Mapped[] = [
    { x: frame.left + frame.width - inset - boxW, y: frame.top + inset },
    { x: frame.left + inset, y: frame.top + inset },
    { x: frame.left + frame.width - inset - boxW, y: frame.top + frame.height - inset - boxH },
    { x: frame.left + inset, y: frame.top + frame.height - inset - boxH },
  ];
  const covered = (c: Mapped) => occupied.filter((p) => p.x >= c.x - 4 && p.x <= c.x + boxW + 4 && p.y >= c.y - 4 && p.y <= c.y + boxH + 4).length;
  let best = corners[0]!;
  let bestCount = covered(best);
  for (const c of corners.slice(1)) {
    const n = covered(c);
    if (n < bestCount) {
      best = c;
      bestCount = n;
    }
  }
  const out = [`<g class="legend" transform="translate(${px(best.x)} ${px(best.y)})">`];
  out.push(`  <rect width="${px(boxW)}" height="${boxH}" fill="#ffffff" fill-opacity="0.85" stroke="#bbbbbb"/>`);
  entries.forEach(({ s, color }, row) => {
    const cy = 4 + rowH * row + rowH / 2;
    if (s.kind === 'points') {
      if (s.points.some((p) => p.lo !== undefined)) out.push(`  <line x1="18" y1="${cy - 6}" x2="18" y2="${cy + 6}" stroke="${color}" stroke-width="1.25"/>`);
      out.push(`  ${marker({ x: 18, y: cy }, s.marker ?? 'filled', color)}`);
    } else {
      const dash = DASHES[s.dash ?? 'solid'];
      out.push(`  <line x1="6" y1="${cy}" x2="30" y2="${cy}" stroke="${color}" stroke-width="1.75"${dash === undefined ? '' : ` stroke-dasharray="${dash}"`}/>`);
    }
    out.push(`  <text x="36" y="${cy + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push('</g>');
  return out;
}

function describe(spec: FigureSpec, drawn: number, counts: Counts): string {
  const parts = [`${spec.series.length} series, ${drawn} points drawn`, `${counts.nonFinite} non-finite points skipped`];
  if (spec.logX === true || spec.logY === true) parts[1] += ' (non-positive values count on a log axis)';
  if (counts.outside > 0) parts.push(`${counts.outside} points outside the axes left out`);
  if (counts.badBars > 0) parts.push(`${counts.badBars} interval bars with a NaN end left out`);
  return `kramers figure: ${[...parts, ...counts.notes].join('; ')}`;
}

/** Pixel coordinates to 2 decimals (sub-pixel enough, and stable bytes); never "-0". */
function px(v: number): string {
  const r = Math.round(v * 100) / 100;
  return String(r === 0 ? 0 : r);
}
