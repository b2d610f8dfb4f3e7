import { describe, expect, it } from 'vitest';
import { type FigureSpec, type Series, SVG_PALETTE, escapeXml, svgFigure, svgFigureGrid } from './svg-figure.js';
import { formatTick, niceLinearTicks, niceLogTicks, niceStep } from './svg-ticks.js';
import { all, byClass, parseXmlDocument, type El } from '../test/strict-xml.js';

const num = (e: El, a: string) => Number(e.attrs[a]);
/** Tick label text back to a number (labels use U+2212 for minus). */
const labelValue = (s: string) => Number(s.replace('\u2212', '-'));

interface AxisRead {
  readonly values: number[];
  readonly pixels: number[];
  /** value → pixel from the two end ticks, in log10 of the value when log. */
  readonly map: (v: number) => number;
  readonly inverse: (p: number) => number;
}

/** An axis as a reader of the picture sees it: tick labels at tick-mark positions. */
function readAxis(root: El, which: 'x-axis' | 'y-axis', log = false): AxisRead {
  const [axis] = byClass(root, which);
  const ticks = axis!.children;
  const values = ticks.map((t) => labelValue(t.children.find((c) => c.name === 'text')!.text));
  const pixels = ticks.map((t) => num(t.children.find((c) => c.name === 'line')!, which === 'x-axis' ? 'x1' : 'y1'));
  const f = log ? Math.log10 : (v: number) => v;
  const [v0, v1] = [f(values[0]!), f(values[values.length - 1]!)];
  const [p0, p1] = [pixels[0]!, pixels[pixels.length - 1]!];
  const scale = (p1 - p0) / (v1 - v0);
  return {
    values,
    pixels,
    map: (v) => p0 + (f(v) - v0) * scale,
    inverse: (p) => {
      const t = v0 + (p - p0) / scale;
      return log ? 10 ** t : t;
    },
  };
}

function frameOf(root: El) {
  const [f] = byClass(root, 'frame');
  const left = num(f!, 'x');
  const top = num(f!, 'y');
  return { left, top, right: left + num(f!, 'width'), bottom: top + num(f!, 'height') };
}

const isNiceStep = (d: number) => {
  const m = d / 10 ** Math.floor(Math.log10(d) + 1e-9);
  return [1, 2, 5, 10].some((c) => Math.abs(m - c) < 1e-9);
};

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The paper's SGD panel shape: −log γ against 1/k with asymmetric 95 % bars, predictions and a fit.
const ks = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
const measured = ks.map((k, i) => {
  const y = 2 + 3 / k + 0.1 * Math.sin(i);
  return { x: 1 / k, y, lo: y - 0.2 - 0.05 * i, hi: y + 0.3 };
});
const sgdPanel: FigureSpec = {
  title: 'SGD: −log γ vs 1/k',
  xLabel: '1/k',
  yLabel: '−log γ',
  series: [
    { kind: 'points', name: 'measured', points: measured },
    { kind: 'points', name: 'predicted', marker: 'open', points: ks.map((k) => ({ x: 1 / k, y: 2.1 + 3 / k })) },
    { kind: 'fit', name: 'fit, r = 0.9986', slope: 3, intercept: 2, dash: 'dashed' },
  ],
};

// ---------------------------------------------------------------------------------------------------------------

describe('nice ticks', () => {
  it('chooses 1-2-5 steps nearest span/count (thresholds √2, √10, √50 between candidates)', () => {
    expect(niceStep(1, 5)).toBe(0.2);
    expect(niceStep(10, 7)).toBe(2); // 1.4286 ≥ √2 = 1.4142
    expect(niceStep(10, 8)).toBe(1); // 1.25 < √2
    expect(niceStep(3.3, 1)).toBe(5); // 3.3 ≥ √10 = 3.162
    expect(niceStep(3.1, 1)).toBe(2);
    expect(niceStep(7.5, 1)).toBe(10); // 7.5 ≥ √50 = 7.071
    expect(niceStep(3.1e-4, 1)).toBe(2e-4);
  });

  it('widens the range outward to whole steps (hand-worked cases)', () => {
    // 1.1/6 = 0.183 → 0.2; floor(0.95/0.2)·0.2 = 0.8, ceil(2.05/0.2)·0.2 = 2.2; 1.4/6 keeps 0.2.
    expect(niceLinearTicks(0.95, 2.05, 6)).toEqual({
      scale: 'linear', domain: [0.8, 2.2], ticks: [0.8, 1, 1.2, 1.4, 1.6, 1.8, 2, 2.2],
      labels: ['0.8', '1', '1.2', '1.4', '1.6', '1.8', '2', '2.2'],
    });
    // 2.47/5 = 0.494 → 0.5 (≥ √10·0.1); [−0.5, 2.5]; 3/5 = 0.6 → 0.5 again.
    expect(niceLinearTicks(-0.37, 2.1, 5).ticks).toEqual([-0.5, 0, 0.5, 1, 1.5, 2, 2.5]);
    expect(niceLinearTicks(-0.37, 2.1, 5).labels[0]).toBe('\u22120.5');
    // Integer multiples of the step, never accumulated sums: 0.3, not 0.30000000000000004.
    expect(niceLinearTicks(0, 0.7, 7).ticks).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
  });

  it('covers random ranges with equal 1-2-5 steps and a sensible count (seeded)', () => {
    const rand = mulberry32(20210101);
    for (let trial = 0; trial < 500; trial += 1) {
      const scale = 10 ** (rand() * 16 - 8);
      const a = (rand() * 2 - 1) * scale;
      const b = a + rand() * scale + scale * 1e-6;
      const count = 2 + Math.floor(rand() * 8);
      const { domain, ticks } = niceLinearTicks(a, b, count);
      expect(ticks[0]).toBe(domain[0]);
      expect(ticks[ticks.length - 1]).toBe(domain[1]);
      expect(domain[0]).toBeLessThanOrEqual(a);
      expect(domain[1]).toBeGreaterThanOrEqual(b);
      const step = ticks[1]! - ticks[0]!;
      expect(isNiceStep(step)).toBe(true);
      for (let i = 1; i < ticks.length; i += 1) expect(ticks[i]! - ticks[i - 1]!).toBeCloseTo(step, 9 - Math.log10(step));
      // √10 rounding bounds the step to [span/count/√10·…]: tick intervals stay within count/4 … 2.5·count + 2.
      expect(ticks.length - 1).toBeGreaterThanOrEqual(Math.max(1, Math.floor(count / 4)));
      expect(ticks.length - 1).toBeLessThanOrEqual(Math.ceil(2.5 * count) + 2);
    }
  });

  it('puts log ticks on decades beyond three decades and on 1, 2, 5 below', () => {
    expect(niceLogTicks(0.003, 40, 5)).toEqual({
      scale: 'log', domain: [0.001, 100], ticks: [0.001, 0.01, 0.1, 1, 10, 100], labels: ['0.001', '0.01', '0.1', '1', '10', '100'],
    });
    expect(niceLogTicks(0.5, 30, 5).ticks).toEqual([0.5, 1, 2, 5, 10, 20, 50]);
    expect(niceLogTicks(2e-7, 3e-5, 5).labels).toEqual(['2e\u22127', '5e\u22127', '1e\u22126', '2e\u22126', '5e\u22126', '1e\u22125', '2e\u22125', '5e\u22125']);
    // Within a decade, linear nice ticks on the log axis (more of them than 1-2-5 would give).
    expect(niceLogTicks(4.1, 8.9, 5).ticks).toEqual([4, 5, 6, 7, 8, 9]);
  });

  it.each([
    [0.95, 0.05, '0.95'],
    [1.0, 0.05, '1'],
    [-0.4, 0.2, '\u22120.4'],
    [1234.5, 0.5, '1234.5'],
    [250000, 50000, '2.5e5'],
    [1000000, 1000000, '1e6'],
    [0.00025, 0.00005, '2.5e\u22124'],
    [3e-17, 0.1, '0'], // binary noise next to zero
  ])('formatTick(%s, step %s) → %s', (value, step, label) => {
    expect(formatTick(value, step)).toBe(label);
  });
});

describe('svgFigure: a standalone, well-formed, deterministic document', () => {
  it('has the prolog, xmlns, viewBox and size, and parses strictly', () => {
    const doc = svgFigure({ ...sgdPanel, width: 500, height: 300 });
    const root = parseXmlDocument(doc);
    expect(root.name).toBe('svg');
    expect(root.attrs).toMatchObject({ xmlns: 'http://www.w3.org/2000/svg', width: '500', height: '300', viewBox: '0 0 500 300' });
    expect(all(root, (e) => e.name === 'title')[0]!.text).toBe('SGD: −log γ vs 1/k');
    expect(byClass(root, 'y-label')[0]!.text).toBe('−log γ');
    expect(doc.endsWith('</svg>\n')).toBe(true);
  });

  it('gives the same bytes for the same spec', () => {
    const again: FigureSpec = JSON.parse(JSON.stringify(sgdPanel)) as FigureSpec;
    expect(svgFigure(again)).toBe(svgFigure(sgdPanel));
  });

  it('escapes a hostile name everywhere it appears, and replaces characters XML forbids', () => {
    const hostile = '</text><script>alert("x&y")</script> \'q\' \u0007 √η';
    const doc = svgFigure({
      title: hostile, xLabel: hostile, yLabel: hostile,
      series: [{ kind: 'points', name: hostile, points: [{ x: 1, y: 2 }] }],
    });
    const root = parseXmlDocument(doc);
    expect(all(root, (e) => e.name === 'script')).toHaveLength(0);
    const expected = hostile.replace('\u0007', '\uFFFD');
    expect(byClass(root, 'title')[0]!.text).toBe(expected);
    expect(byClass(root, 'x-label')[0]!.text).toBe(expected);
    const legendTexts = all(byClass(root, 'legend')[0]!, (e) => e.name === 'text').map((e) => e.text);
    expect(legendTexts).toEqual([expected]);
    expect(escapeXml('a<b>&"\'')).toBe('a&lt;b&gt;&amp;&quot;&apos;');
    expect(escapeXml('\uD800x')).toBe('\uFFFDx'); // a lone surrogate cannot be encoded in UTF-8
  });

  it('colours series from the palette in order, unless a colour is given', () => {
    const root = parseXmlDocument(svgFigure({
      title: 't', xLabel: 'x', yLabel: 'y',
      series: [
        { kind: 'points', name: 'a', points: [{ x: 0, y: 0 }] },
        { kind: 'points', name: 'b', points: [{ x: 1, y: 1 }] },
        { kind: 'points', name: 'c', color: '#123456', points: [{ x: 2, y: 2 }] },
      ],
    }));
    const strokes = all(root, (e) => e.name === 'circle' && e.attrs['data-series'] === undefined && (e.attrs.class ?? '').includes('marker'))
      .map((e) => e.attrs.stroke);
    // Three plotted markers then three legend markers.
    expect(strokes).toEqual([SVG_PALETTE[0], SVG_PALETTE[1], '#123456', SVG_PALETTE[0], SVG_PALETTE[1], '#123456']);
  });
});

describe('svgFigure: coordinates agree with the axes', () => {
  const root = parseXmlDocument(svgFigure(sgdPanel));
  const x = readAxis(root, 'x-axis');
  const y = readAxis(root, 'y-axis');
  const frame = frameOf(root);

  it('places ticks evenly, at a 1-2-5 step, covering the data (bars included)', () => {
    for (const axis of [x, y]) {
      const step = axis.values[1]! - axis.values[0]!;
      expect(isNiceStep(step)).toBe(true);
      axis.values.forEach((v, i) => expect(axis.pixels[i]).toBeCloseTo(axis.map(v), 1));
    }
    expect(x.values[0]).toBeLessThanOrEqual(1);
    expect(x.values[x.values.length - 1]).toBeGreaterThanOrEqual(2);
    const lows = measured.map((p) => p.lo);
    const highs = measured.map((p) => p.hi);
    expect(y.values[0]).toBeLessThanOrEqual(Math.min(...lows));
    expect(y.values[y.values.length - 1]).toBeGreaterThanOrEqual(Math.max(...highs));
    // The frame runs a little beyond the end ticks, so no marker sits on it.
    expect(frame.left).toBeLessThan(x.pixels[0]!);
    expect(frame.right).toBeGreaterThan(x.pixels[x.pixels.length - 1]!);
  });

  it('puts each marker at the pixel the axis mapping gives (within the 0.01 px rounding)', () => {
    const [filled, open] = all(root, (e) => e.name === 'g' && e.attrs.class === 'series points');
    const filledMarkers = filled!.children.filter((e) => e.name === 'circle');
    expect(filledMarkers).toHaveLength(measured.length);
    filledMarkers.forEach((c, i) => {
      expect(Math.abs(num(c, 'cx') - x.map(measured[i]!.x))).toBeLessThan(0.011);
      expect(Math.abs(num(c, 'cy') - y.map(measured[i]!.y))).toBeLessThan(0.011);
      expect(c.attrs.fill).toBe(SVG_PALETTE[0]);
    });
    const openMarkers = open!.children.filter((e) => e.name === 'circle');
    expect(openMarkers.map((c) => c.attrs.fill)).toEqual(ks.map(() => '#ffffff'));
    openMarkers.forEach((c, i) => expect(Math.abs(num(c, 'cy') - y.map(2.1 + 3 / ks[i]!))).toBeLessThan(0.011));
  });

  it('draws asymmetric bars from lo to hi with a cap at each end', () => {
    const bars = byClass(root, 'bar');
    expect(bars).toHaveLength(measured.length);
    bars.forEach((b, i) => {
      const p = measured[i]!;
      expect(Math.abs(num(b, 'y1') - y.map(p.hi))).toBeLessThan(0.011); // pixel y grows downward
      expect(Math.abs(num(b, 'y2') - y.map(p.lo))).toBeLessThan(0.011);
      // Asymmetric: the part below the point is longer by the 0.05·i the data adds, minus the 0.1 the top has more.
      expect((num(b, 'y2') - y.map(p.y)) - (y.map(p.y) - num(b, 'y1'))).toBeCloseTo(y.map(0) - y.map(0.05 * i - 0.1), 1);
    });
    expect(byClass(root, 'cap')).toHaveLength(2 * measured.length);
  });

  it('runs the fit line over the data x range with both ends on slope·x + intercept', () => {
    const [fit] = all(root, (e) => e.attrs.class === 'series fit');
    const polyline = fit!.children[0]!;
    expect(polyline.attrs['stroke-dasharray']).toBe('6 4');
    const ends = polyline.attrs.points!.split(' ').map((pair) => pair.split(',').map(Number) as [number, number]);
    expect(ends).toHaveLength(2);
    const [[x0, y0], [x1, y1]] = ends as [[number, number], [number, number]];
    expect(x.inverse(x0)).toBeCloseTo(1, 4);
    expect(x.inverse(x1)).toBeCloseTo(2, 4);
    // 0.005 px of rounding is below 1e-4 data units on a ~300 px axis spanning ~6 units.
    expect(Math.abs(y.inverse(y0) - (3 * x.inverse(x0) + 2))).toBeLessThan(2e-4);
    expect(Math.abs(y.inverse(y1) - (3 * x.inverse(x1) + 2))).toBeLessThan(2e-4);
  });

  it('maps a log axis by log10: the decade ticks are evenly spaced and a point at 10 lands between 1 and 100', () => {
    const doc = parseXmlDocument(svgFigure({
      title: 'escape time', xLabel: 'η', yLabel: 'τ', logX: true,
      series: [{ kind: 'points', name: '', points: [{ x: 0.02, y: 1 }, { x: 10, y: 2 }, { x: 300, y: 3 }] }],
    }));
    const lx = readAxis(doc, 'x-axis', true);
    expect(lx.values[0]).toBeLessThanOrEqual(0.02);
    expect(lx.values[lx.values.length - 1]).toBeGreaterThanOrEqual(300);
    lx.values.forEach((v, i) => expect(lx.pixels[i]).toBeCloseTo(lx.map(v), 1));
    const cxs = all(doc, (e) => e.name === 'circle').map((c) => num(c, 'cx'));
    expect(Math.abs(cxs[1]! - lx.map(10))).toBeLessThan(0.011);
    expect(Math.abs(cxs[1]! - (lx.map(1) + lx.map(100)) / 2)).toBeLessThan(0.02);
  });

  it('draws a fit on a log x axis as the sampled curve y = slope·x + intercept', () => {
    const doc = parseXmlDocument(svgFigure({
      title: 'curve', xLabel: 'x', yLabel: 'y', logX: true,
      series: [
        { kind: 'points', name: 'data', points: [{ x: 1, y: 1 }, { x: 100, y: 3 }] },
        { kind: 'fit', name: 'fit', slope: 0.02, intercept: 1 },
      ],
    }));
    const lx = readAxis(doc, 'x-axis', true);
    const ly = readAxis(doc, 'y-axis');
    const pts = all(doc, (e) => e.name === 'polyline')[0]!.attrs.points!.split(' ').map((s) => s.split(',').map(Number) as [number, number]);
    expect(pts).toHaveLength(65);
    for (const [px, py] of pts) expect(Math.abs(ly.inverse(py) - (0.02 * lx.inverse(px) + 1))).toBeLessThan(1e-3);
  });
});

describe('svgFigure: awkward data', () => {
  it('skips non-finite points, counts them in <desc>, and breaks a line at them', () => {
    const doc = parseXmlDocument(svgFigure({
      title: 't', xLabel: 'x', yLabel: 'y',
      series: [
        { kind: 'points', name: 'p', points: [{ x: 0, y: 1 }, { x: Number.NaN, y: 1 }, { x: 1, y: Number.POSITIVE_INFINITY }, { x: 2, y: 3 }] },
        { kind: 'line', name: 'l', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 1.5, y: Number.NaN }, { x: 2, y: 2 }, { x: 3, y: 2 }] },
      ],
    }));
    expect(all(doc, (e) => e.name === 'desc')[0]!.text).toBe('kramers figure: 2 series, 6 points drawn; 3 non-finite points skipped');
    expect(all(doc, (e) => e.attrs.class === 'series points')[0]!.children).toHaveLength(2);
    const lines = all(doc, (e) => e.name === 'polyline');
    expect(lines.map((l) => l.attrs.points!.split(' ').length)).toEqual([2, 2]);
  });

  it('counts non-positive values on a log axis as skipped', () => {
    const doc = parseXmlDocument(svgFigure({
      title: 't', xLabel: 'x', yLabel: 'y', logY: true,
      series: [{ kind: 'points', name: 'p', points: [{ x: 0, y: 0 }, { x: 1, y: -2 }, { x: 2, y: 5 }, { x: 3, y: 50 }] }],
    }));
    expect(all(doc, (e) => e.name === 'desc')[0]!.text).toMatch(/2 points drawn; 2 non-finite points skipped/);
  });

  it('draws an empty figure (no series, or empty ones) with default axes and a "no data" note', () => {
    for (const series of [[], [{ kind: 'points', name: 'none yet', points: [] }]] as Series[][]) {
      const doc = parseXmlDocument(svgFigure({ title: 'empty', xLabel: 'x', yLabel: 'y', series }));
      expect(readAxis(doc, 'x-axis').values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
      expect(byClass(doc, 'no-data')).toHaveLength(1);
      expect(all(doc, (e) => e.name === 'circle')).toHaveLength(series.length); // only the legend's marker
    }
  });

  it('centres a single point inside ticks that cover it', () => {
    const doc = parseXmlDocument(svgFigure({ title: 'one', xLabel: 'x', yLabel: 'y', series: [{ kind: 'points', name: '', points: [{ x: 7, y: -3 }] }] }));
    const x = readAxis(doc, 'x-axis');
    const y = readAxis(doc, 'y-axis');
    expect(x.values[0]).toBeLessThan(7);
    expect(x.values[x.values.length - 1]).toBeGreaterThan(7);
    expect(y.values[0]).toBeLessThan(-3);
    expect(y.values[y.values.length - 1]).toBeGreaterThan(-3);
    const [c] = all(doc, (e) => e.name === 'circle');
    expect(Math.abs(num(c!, 'cx') - x.map(7))).toBeLessThan(0.011);
    expect(Math.abs(num(c!, 'cy') - y.map(-3))).toBeLessThan(0.011);
    const f = frameOf(doc);
    expect(num(c!, 'cx')).toBeCloseTo((f.left + f.right) / 2, 1);
  });

  it('cuts bars at the frame: an unbounded end runs to it uncapped, a fixed yDomain cuts the rest', () => {
    const doc = parseXmlDocument(svgFigure({
      title: 't', xLabel: 'x', yLabel: 'y', yDomain: [0, 10],
      series: [{
        kind: 'points', name: 'p', points: [
          { x: 1, y: 5, lo: 4, hi: Number.POSITIVE_INFINITY }, // no escape seen: γ's lower bound 0, so −log γ unbounded
          { x: 2, y: 5, lo: -20, hi: 6 },
          { x: 3, y: 5, lo: 4, hi: 6 },
          { x: 4, y: 12, lo: 11, hi: 13 }, // outside the fixed domain
        ],
      }],
    }));
    const f = frameOf(doc);
    const bars = byClass(doc, 'bar');
    expect(bars).toHaveLength(3);
    expect(num(bars[0]!, 'y1')).toBe(f.top);
    expect(num(bars[1]!, 'y2')).toBe(f.bottom);
    for (const b of bars) {
      expect(num(b, 'y1')).toBeGreaterThanOrEqual(f.top);
      expect(num(b, 'y2')).toBeLessThanOrEqual(f.bottom);
    }
    expect(byClass(doc, 'cap')).toHaveLength(4); // 1 + 1 + 2
    expect(all(doc, (e) => e.name === 'desc')[0]!.text).toMatch(/1 points outside the axes left out/);
  });

  it('clips a line that leaves a fixed domain to the frame edge', () => {
    const doc = parseXmlDocument(svgFigure({
      title: 't', xLabel: 'x', yLabel: 'y', xDomain: [0, 1], yDomain: [0, 1],
      series: [{ kind: 'line', name: 'l', points: [{ x: 0, y: 0 }, { x: 2, y: 2 }] }],
    }));
    const f = frameOf(doc);
    const [[x0, y0], [x1, y1]] = all(doc, (e) => e.name === 'polyline')[0]!.attrs.points!.split(' ').map((s) => s.split(',').map(Number)) as [[number, number], [number, number]];
    expect([x0, y0]).toEqual([f.left, f.bottom]);
    expect([x1, y1]).toEqual([f.right, f.top]);
  });
});

describe('svgFigure: bad input', () => {
  const base = { title: 't', xLabel: 'x', yLabel: 'y', series: [] };
  it.each([
    [{ ...base, width: 10 }, /width must be a whole number of pixels from 200/],
    [{ ...base, xDomain: [1, 0] as const }, /xDomain must be \[min, max\] with finite min < max/],
    [{ ...base, logY: true, yDomain: [0, 1] as const }, /yDomain must be positive on a log axis/],
    [{ ...base, series: [{ kind: 'points', name: 'a', color: '#red', points: [] }] }, /series\[0\]\.color must be #rrggbb/],
    [{ ...base, series: [{ kind: 'fit', name: 'f', slope: Number.NaN, intercept: 0 }] }, /series\[0\] \(fit\) slope and intercept must be finite/],
    [{ ...base, series: [{ kind: 'points', name: 'γ', points: [{ x: 1, y: 1, lo: 2, hi: 1 }] }] }, /series "γ" point 0 has lo \(2\) > hi \(1\); pass the lower end as lo/],
  ] as [FigureSpec, RegExp][])('%#: %s', (spec, message) => {
    expect(() => svgFigure(spec)).toThrow(message);
  });

  it('rejects wrong shapes at compile time', () => {
    const p = { x: 1, y: 1 };
    // @ts-expect-error an interval needs both ends
    const half: Series = { kind: 'points', name: 'a', points: [{ ...p, lo: 0 }] };
    // @ts-expect-error markers belong to point series
    const line: Series = { kind: 'line', name: 'b', marker: 'open', points: [p] };
    // @ts-expect-error a fit is slope and intercept, not points
    const fit: Series = { kind: 'fit', name: 'c', points: [p] };
    // @ts-expect-error dash styles are named
    const dash: Series = { kind: 'line', name: 'd', dash: '4 2', points: [p] };
    expect([half, line, fit, dash]).toHaveLength(4);
  });
});

describe('svgFigureGrid', () => {
  it('places panels in columns, each with its own clip path, in one well-formed document', () => {
    const panels = [sgdPanel, { ...sgdPanel, title: 'SGLD', width: 500 }, { ...sgdPanel, title: 'Adam', height: 300 }];
    const doc = svgFigureGrid(panels, { columns: 2, title: 'Styblinski–Tang & friends' });
    const root = parseXmlDocument(doc);
    expect(root.attrs).toMatchObject({ width: '1280', height: String(36 + 2 * 420), viewBox: `0 0 1280 ${36 + 2 * 420}` });
    const nested = root.children.filter((e) => e.name === 'svg');
    expect(nested.map((e) => [e.attrs.x, e.attrs.y])).toEqual([['0', '36'], ['640', '36'], ['0', '456']]);
    const ids = all(root, (e) => e.name === 'clipPath').map((e) => e.attrs.id);
    expect(new Set(ids).size).toBe(3);
    const refs = all(root, (e) => e.attrs['clip-path'] !== undefined).map((e) => e.attrs['clip-path']);
    expect(refs).toEqual(ids.map((id) => `url(#${id})`));
    expect(all(root, (e) => e.name === 'text' && e.text === 'Styblinski–Tang & friends')).toHaveLength(1);
    expect(svgFigureGrid(panels, { columns: 2, title: 'Styblinski–Tang & friends' })).toBe(doc);
  });

  it('rejects a bad column count and an empty list', () => {
    expect(() => svgFigureGrid([sgdPanel], { columns: 0 })).toThrow(/columns must be an integer ≥ 1/);
    expect(() => svgFigureGrid([], { columns: 2 })).toThrow(/figures is empty/);
  });
});
