import { describe, expect, it } from 'vitest';
import { formatNumber } from './format-number.js';
import { htmlReport, type HtmlReportInput, type ReportRun, type SeriesPoint } from './html-report.js';
import { LOG_Y_RATIO, MAX_CHART_POINTS, thin, wantsLogY } from './html-report-charts.js';
import { SVG_PALETTE } from './svg-figure.js';
import { all, byClass, parseXmlBody, type El } from '../test/strict-xml.js';

const named = (root: El, name: string) => all(root, (e) => e.name === name);
/** All text inside an element, children included. */
const textOf = (el: El): string => el.text + el.children.map(textOf).join('');

function parsePage(doc: string): El {
  const doctype = '<!DOCTYPE html>\n';
  if (!doc.startsWith(doctype)) throw new Error('missing <!DOCTYPE html>');
  return parseXmlBody(doc.slice(doctype.length));
}

/** Everything that could make a browser fetch something: attributes pointing anywhere, CSS imports and urls. */
function externalReferences(doc: string): string[] {
  const found: string[] = [];
  const tags = doc.match(/<[A-Za-z][^>]*>/g) ?? [];
  for (const t of tags) {
    if (/^<(?:script|link|img|iframe|object|embed|image|use|base|audio|video|source|foreignObject)\b/i.test(t)) found.push(t);
    for (const [, name, value] of t.matchAll(/\s([\w:.-]+)\s*=\s*"([^"]*)"/g)) {
      const fetching = /^(?:src|href|xlink:href|srcset|action|formaction|poster|background|data|ping|manifest)$/i.test(name!);
      // A value that is a URL; text that merely mentions one is escaped and never starts a value with a scheme.
      const url = /^\s*(?:(?:https?|ftp|file|data|javascript|blob|wss?):|\/\/)/i.test(value!) || /url\((?!#)/i.test(value!);
      if (fetching || url) found.push(t);
    }
    // Anything unquoted would escape the check above: every attribute must be double-quoted.
    if (/\s[\w:.-]+\s*=\s*[^"\s]/.test(t.replace(/"[^"]*"/g, '""'))) found.push(t);
  }
  const style = doc.match(/<style>([^<]*)<\/style>/)?.[1] ?? '';
  if (/@import|url\(|https?:/i.test(style)) found.push(style);
  return found;
}

// ---------------------------------------------------------------------------------------------------------------

/** loss from 1 down to 0.01 at every step (two decades), accuracy per epoch, λ_min going negative. */
function run(id: string, k: number, opts: { lambdaMin?: boolean } = {}): ReportRun {
  const loss: SeriesPoint[] = Array.from({ length: 200 }, (_, i) => [i, 10 ** (-2 * (i / 199)) * (1 + 0.1 * k)]);
  const acc: SeriesPoint[] = [39, 79, 119, 159, 199].map((it, e) => [it, 0.6 + 0.07 * e + 0.01 * k]);
  const series: Record<string, SeriesPoint[]> = { 'basics/loss': loss, 'evaluate/test_accuracy': acc };
  if (opts.lambdaMin !== false) series['sharpness/lambda_min'] = [[39, 0.5 - k], [99, -0.25 - k], [199, -1 - k]];
  return {
    id,
    optimizer: id,
    config: { learningRate: 0.1 * (k + 1), batchSize: 32, betas: [0.9, 0.999] },
    final: { status: 'completed', loss: 0.0123456789 * (k + 1), iterations: 200 },
    series,
  };
}

function input(runs: ReportRun[] = [run('sgd', 0, { lambdaMin: false }), run('sgld', 1), run('adam', 2)]): HtmlReportInput {
  return {
    title: 'kramers compare — banknote',
    runs,
    table: {
      columns: ['run', 'status', 'steps', 'train_loss', 'test_accuracy', 'noise_scale'],
      rows: runs.map((r, k) => [r.id, 'completed', 200, 0.0123456789 * (k + 1), 0.8712345 + 0.01 * k, k === 1 ? null : { value: 1234.5678 + k, stderr: 12.3456 }]),
    },
    configuration: { dataset: 'banknote', epochs: 5, hidden: [16, 16], diffusion: 1e-4, sharpness: true, lr: { per: { sgd: 0.1 } } },
    versions: { kramers: '0.1.0', tfjs: '4.22.0', node: 'v20.19.0', backend: 'wasm' },
    generatedAt: '2025-01-02T03:04:05.678Z',
  };
}

describe('htmlReport: a self-contained page', () => {
  const doc = htmlReport(input());
  const page = parsePage(doc);

  it('is one well-formed document with unique ids and an inline SVG per metric', () => {
    expect(page.name).toBe('html');
    const svgs = named(page, 'svg');
    expect(svgs).toHaveLength(3);
    const figures = byClass(page, 'chart');
    expect(figures.map((f) => f.attrs['data-metric'])).toEqual(['basics/loss', 'evaluate/test_accuracy', 'sharpness/lambda_min']);
    // Each chart's source also parses on its own.
    for (const m of doc.matchAll(/<svg[\s\S]*?<\/svg>/g)) expect(() => parseXmlBody(m[0])).not.toThrow();
    const ids = all(page, (e) => e.attrs.id !== undefined).map((e) => e.attrs.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Every clip-path reference resolves to a clipPath of this page.
    const clipIds = new Set(named(page, 'clipPath').map((e) => e.attrs.id));
    const refs = all(page, (e) => e.attrs['clip-path'] !== undefined).map((e) => e.attrs['clip-path']!.slice(5, -1));
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const r of refs) expect(clipIds.has(r)).toBe(true);
  });

  it('requests nothing from outside itself and has no script', () => {
    expect(externalReferences(doc)).toEqual([]);
    expect(doc).not.toMatch(/https?:/i);
    expect(doc).not.toMatch(/<script/i);
    // The scanner itself catches what it should.
    expect(externalReferences('<p><img src="x.png"/><a href="https://x.org">x</a><a href=x.html>y</a></p>')).toHaveLength(4);
    expect(externalReferences('<style>body { background: url(x.png) }</style>')).toHaveLength(1);
    expect(externalReferences('<p style="background: url(x.png)"><i title="javascript:x">')).toHaveLength(2);
  });

  it('names every run and shows every table value (4 digits, the full number in data-value)', () => {
    const table = named(page, 'table').find((t) => t.attrs.class === 'comparison')!;
    const rows = named(table, 'tr').slice(1);
    expect(rows.map((r) => textOf(r.children[0]!))).toEqual(['sgd', 'sgld', 'adam']);
    const { rows: want } = input().table;
    rows.forEach((row, r) => {
      const cells = row.children;
      expect(cells).toHaveLength(6);
      expect(textOf(cells[2]!)).toBe('200');
      expect(textOf(cells[3]!)).toBe(formatNumber(want[r]![3] as number));
      expect(Number(cells[3]!.attrs['data-value'])).toBe(want[r]![3]);
      expect(Number(cells[4]!.attrs['data-value'])).toBe(want[r]![4]);
    });
    expect(textOf(rows[0]!.children[3]!)).toBe('0.01235');
    expect(textOf(rows[0]!.children[5]!)).toBe('1235 ± 12.35');
    expect(textOf(rows[1]!.children[5]!)).toBe('—');
    // Configuration and versions are there as given.
    for (const s of ['banknote', '0.0001', '[16,16]', '{"per":{"sgd":0.1}}', '4.22.0', 'v20.19.0', 'wasm', '2025-01-02T03:04:05.678Z']) {
      expect(textOf(page)).toContain(s);
    }
    const runBlocks = byClass(page, 'run');
    expect(runBlocks.map((b) => b.attrs['data-run'])).toEqual(['sgd', 'sgld', 'adam']);
    expect(textOf(runBlocks[2]!)).toContain('0.30000000000000004'); // learningRate 0.1·3 in full
  });

  it('gives each run one colour in every chart and the table, even where an earlier run has no data', () => {
    const colourOf = { sgd: SVG_PALETTE[0], sgld: SVG_PALETTE[1], adam: SVG_PALETTE[2] };
    for (const svg of named(page, 'svg')) {
      const lines = byClass(svg, 'line');
      const strokes = lines.map((g) => g.children[0]!.attrs.stroke);
      const legend = byClass(svg, 'legend')[0]!;
      const names = named(legend, 'text').map((t) => t.text);
      expect(strokes).toEqual(names.map((n) => colourOf[n as keyof typeof colourOf]));
    }
    // λ_min: sgd has none, so its chart holds sgld and adam only, still in their own colours.
    const lambda = byClass(page, 'chart')[2]!;
    expect(named(byClass(lambda, 'legend')[0]!, 'text').map((t) => t.text)).toEqual(['sgld', 'adam']);
    const swatches = byClass(page, 'swatch').map((s) => s.attrs.style);
    expect(swatches.slice(0, 3)).toEqual(SVG_PALETTE.slice(0, 3).map((c) => `background:${c}`));
  });

  it('puts a metric spanning decades on a log axis and the others on linear ones', () => {
    const figures = byClass(page, 'chart');
    const axis = (f: El) => byClass(f, 'y-axis')[0]!.children.map((t) => ({ v: Number(t.attrs['data-value']), y: Number(named(t, 'line')[0]!.attrs.y1) }));
    // Pixel position is affine in log10(v) on a log axis, in v on a linear one: check the middle tick against the ends.
    const affine = (ticks: { v: number; y: number }[], f: (v: number) => number) => {
      const [a, b] = [ticks[0]!, ticks[ticks.length - 1]!];
      return ticks.map((t) => a.y + ((f(t.v) - f(a.v)) / (f(b.v) - f(a.v))) * (b.y - a.y) - t.y);
    };
    const loss = axis(figures[0]!);
    expect(loss.length).toBeGreaterThanOrEqual(3);
    for (const d of affine(loss, Math.log10)) expect(Math.abs(d)).toBeLessThan(0.02);
    expect(Math.min(...loss.map((t) => t.v))).toBeLessThanOrEqual(0.01);
    for (const f of [figures[1]!, figures[2]!]) {
      const ticks = axis(f);
      for (const d of affine(ticks, (v) => v)) expect(Math.abs(d)).toBeLessThan(0.02);
    }
    expect(wantsLogY([0.05, 0.05 * LOG_Y_RATIO])).toBe(true);
    expect(wantsLogY([0.05, 0.05 * LOG_Y_RATIO * 0.99])).toBe(false);
    expect(wantsLogY([-1, 100])).toBe(false);
    expect(wantsLogY([0.01, 10, Number.NaN])).toBe(true);
  });

  it('is byte-identical for the same input', () => {
    expect(htmlReport(input())).toBe(doc);
    expect(htmlReport(structuredClone(input()))).toBe(doc);
  });
});

describe('htmlReport: hostile text and bad input', () => {
  const hostile = `</td></table><script src="http://evil.example/x.js">alert('x')</script>&amp;\u0007"'`;

  it('escapes a hostile run name everywhere it appears', () => {
    const runs = [run(hostile, 0), run('adam', 1)];
    const doc = htmlReport({ ...input(runs), title: `<b>${hostile}</b>` });
    expect(doc).not.toMatch(/<script/i);
    expect(externalReferences(doc)).toEqual([]);
    const page = parsePage(doc);
    const shown = hostile.replace('\u0007', '\uFFFD');
    expect(named(page, 'title')[0]!.text).toBe(`<b>${shown}</b>`);
    expect(byClass(page, 'run')[0]!.attrs['data-run']).toBe(shown);
    const firstRow = named(named(page, 'table')[0]!, 'tr')[1]!;
    expect(textOf(firstRow.children[0]!)).toBe(shown);
    for (const svg of named(page, 'svg')) expect(named(byClass(svg, 'legend')[0]!, 'text')[0]!.text).toBe(shown);
  });

  it('throws naming the field for malformed input', () => {
    expect(() => htmlReport(input([run('sgd', 0), run('sgd', 1)]))).toThrow(/runs\[1\]\.id "sgd" repeats/);
    const short = input();
    expect(() => htmlReport({ ...short, table: { columns: short.table.columns, rows: [['sgd', 1]] } })).toThrow(/table\.rows\[0\] has 2 cells but table\.columns has 6/);
    const bad = run('sgd', 0);
    const broken = { ...bad, series: { 'basics/loss': [[0, 1], [Number.NaN, 2]] as SeriesPoint[] } };
    expect(() => htmlReport(input([broken]))).toThrow(/runs\[0\]\.series\["basics\/loss"\]\[1\] must be an \[iteration, value\] pair/);
    expect(() => htmlReport({ ...input(), generatedAt: new Date(0) as unknown as string })).toThrow(/generatedAt must be an ISO 8601 string/);
  });

  it('thins long series to evenly spaced points, keeping both ends, and draws non-finite values as gaps', () => {
    const long: SeriesPoint[] = Array.from({ length: 5000 }, (_, i) => [i, i]);
    const t = thin(long);
    expect(t).toHaveLength(MAX_CHART_POINTS);
    expect(t[0]).toEqual([0, 0]);
    expect(t[t.length - 1]).toEqual([4999, 4999]);
    // round(i·4999/1199): spacing 4 or 5, never anything else.
    const gaps = new Set(t.slice(1).map((p, i) => p[0] - t[i]![0]));
    expect([...gaps].sort()).toEqual([4, 5]);
    const diverged = { ...run('sgd', 0), series: { 'basics/loss': [[0, 1], [1, 0.5], [2, Number.NaN], [3, Number.POSITIVE_INFINITY]] as SeriesPoint[] } };
    const page = parsePage(htmlReport(input([diverged])));
    // Two non-finite points, counted once by the line and once by its markers (the series is short).
    expect(named(page, 'desc')[0]!.text).toMatch(/4 non-finite points skipped/);
  });
});
