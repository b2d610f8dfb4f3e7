/**
 * The page's script (app.js with the charts library it imports, bundled by esbuild into one classic script) run in a
 * vm with a minimal DOM, a recording uPlot and a scripted EventSource: no browser here, so this checks the page's own
 * logic (routing events to charts, thinning, one redraw per frame, run toggles).
 */
import * as vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { metric } from './helpers.js';

class FakeElement {
  children: FakeElement[] = [];
  style: Record<string, string> = {};
  className = '';
  textContent = '';
  title = '';
  clientWidth = 600;
  listeners: Record<string, Array<() => void>> = {};
  tHead = { replaceChildren: (...c: FakeElement[]) => void (this.headRows = c) };
  tBodies = [{ replaceChildren: (...c: FakeElement[]) => void (this.bodyRows = c) }];
  headRows: FakeElement[] = [];
  bodyRows: FakeElement[] = [];
  append(...c: Array<FakeElement | string>) { for (const x of c) if (typeof x !== 'string') this.children.push(x); }
  replaceChildren(...c: FakeElement[]) { this.children = c; }
  addEventListener(type: string, f: () => void) { (this.listeners[type] ??= []).push(f); }
  click() { for (const f of this.listeners['click'] ?? []) f(); }
}

const pageScript = buildSync({
  entryPoints: [fileURLToPath(new URL('../assets/app.js', import.meta.url))],
  bundle: true,
  format: 'iife',
  write: false,
  logLevel: 'silent',
}).outputFiles[0]!.text;

function loadPage() {
  const byId = new Map<string, FakeElement>();
  const plots: Array<{ series: Array<{ label: string; show: boolean }>; data: unknown[][]; setDataCalls: number }> = [];
  const frames: Array<() => void> = [];
  let source: Record<string, (m?: { data: string }) => void> & { listeners: Record<string, () => void> } = { listeners: {} } as never;
  class FakePlot {
    series: Array<{ label: string; show: boolean }>;
    data: unknown[][];
    setDataCalls = 0;
    constructor(opts: { series: Array<{ label: string }> }, data: unknown[][]) {
      this.series = opts.series.map((s) => ({ label: s.label, show: true }));
      this.data = data;
      plots.push(this);
    }
    setData(d: unknown[][]) { this.data = d; this.setDataCalls++; }
    setSeries(i: number, o: { show: boolean }) { this.series[i]!.show = o.show; }
    destroy() {}
    setSize() {}
  }
  const context = {
    document: {
      getElementById: (id: string) => { if (!byId.has(id)) byId.set(id, new FakeElement()); return byId.get(id); },
      querySelector: () => new FakeElement(),
      createElement: () => new FakeElement(),
      createTextNode: (t: string) => t,
    },
    window: { addEventListener: () => {} },
    requestAnimationFrame: (f: () => void) => frames.push(f),
    devicePixelRatio: 1,
    uPlot: FakePlot,
    EventSource: class {
      constructor() { source = Object.assign(this as never, { listeners: {} }); }
      addEventListener(name: string, f: () => void) { source.listeners[name] = f; }
    },
  };
  vm.runInNewContext(pageScript, context);
  const runFrames = () => { const n = frames.length; frames.splice(0).forEach((f) => f()); return n; };
  const send = (e: unknown) => source.onmessage!({ data: JSON.stringify(e) });
  return { byId, plots, runFrames, send, source };
}

describe('the page script', () => {
  it('routes events to charts per run, redraws once per frame, toggles runs, fills table and lists', () => {
    const page = loadPage();
    page.source.listeners['reset']!();
    page.runFrames();
    for (let i = 0; i < 500; i++) {
      for (const run of ['sgd', 'adam']) {
        page.send(metric(run, i, 'loss', 1 / (i + 1)));
        page.send(metric(run, i, 'lambda_max', 10 + i, { plugin: 'sharpness', uncertainty: { lower: 9 + i, upper: 11 + i } }));
      }
    }
    page.send(metric('sgd', 499, 'trapped', 1, { plugin: 'escape', attributes: { reason: 'barrier too high', remedy: 'raise lr' } }));
    page.send({ kind: 'plugin-error', runId: 'adam', iteration: 3, plugin: 'sgn', phase: 'step', message: 'boom', wallTime: 0 });
    // 2002 events, one frame requested.
    expect(page.runFrames()).toBe(1);
    const loss = page.plots.find((p) => p.series.some((s) => s.label === 'sgd loss'))!;
    expect(loss.series.map((s) => s.label)).toEqual(['iteration', 'sgd loss', 'adam loss']);
    expect((loss.data[0] as unknown as Float64Array).length).toBe(500);
    expect((loss.data[1] as number[])[499]).toBeCloseTo(1 / 500, 12);
    const sharp = page.plots.find((p) => p.series.some((s) => s.label === 'sgd lambda_max'))!;
    expect(sharp.series.map((s) => s.label)).toContain('sgd lambda_max upper');
    expect((sharp.data[3] as number[])[10]).toBe(9 + 10); // the lower band
    const runsBox = page.byId.get('runs')!;
    runsBox.children[1]!.click(); // hide adam
    expect(loss.series[2]!.show).toBe(false);
    expect(loss.series[1]!.show).toBe(true);
    expect(page.byId.get('latest')!.bodyRows).toHaveLength(2);
    expect(page.byId.get('markers')!.children[0]!.textContent).toBe('sgd trapped at step 499: barrier too high; raise lr');
    expect(page.byId.get('errors')!.children[0]!.textContent).toBe('adam: plugin sgn failed at step 3 (step): boom');
    page.send(metric('sgd', 500, 'loss', 0.5));
    page.runFrames();
    expect(loss.setDataCalls).toBe(1);
    expect((loss.data[0] as unknown as Float64Array).length).toBe(501);
  });
});

describe('the charts library (charts.js, as @kramers/dashboard/charts)', () => {
  const library = buildSync({
    entryPoints: [fileURLToPath(new URL('../assets/charts.js', import.meta.url))],
    bundle: true,
    format: 'iife',
    globalName: 'kramersCharts',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!.text;

  function loadLibrary() {
    const plots: Array<{ series: Array<{ label: string; show: boolean }>; data: unknown[][]; destroyed: boolean }> = [];
    class FakePlot {
      series: Array<{ label: string; show: boolean }>;
      data: unknown[][];
      destroyed = false;
      constructor(opts: { series: Array<{ label: string }> }, data: unknown[][]) {
        this.series = opts.series.map((s) => ({ label: s.label, show: true }));
        this.data = data;
        plots.push(this);
      }
      setData(d: unknown[][]) { this.data = d; }
      setSeries(i: number, o: { show: boolean }) { this.series[i]!.show = o.show; }
      destroy() { this.destroyed = true; }
      setSize() {}
    }
    const context: Record<string, unknown> = {
      document: { createElement: () => new FakeElement(), createTextNode: (t: string) => t },
      requestAnimationFrame: () => { throw new Error('the library must use the requestFrame it was given'); },
    };
    vm.runInNewContext(library, context);
    const lib = context['kramersCharts'] as {
      createCharts: (c: FakeElement, o?: Record<string, unknown>) => {
        push(e: unknown): void; flush(): void; toggleRun(id: string, v?: boolean): boolean; destroy(): void;
        runs(): Array<{ id: string; visible: boolean; status: string; iteration: number }>; latest(id: string, name: string): unknown;
      };
      CHARTS: Array<{ id: string }>;
    };
    return { lib, plots, FakePlot };
  }

  it('builds its own parts in a container, thins series to maxPoints keeping the latest, toggles and reports runs', () => {
    const { lib, plots, FakePlot } = loadLibrary();
    expect(() => lib.createCharts(new FakeElement())).toThrow(/options\.uPlot must be the uPlot constructor/);
    const frames: Array<() => void> = [];
    const container = new FakeElement();
    const specs = lib.CHARTS.filter((s) => s.id === 'loss' || s.id === 'sharpness');
    const charts = lib.createCharts(container, { uPlot: FakePlot, charts: specs, maxPoints: 8, requestFrame: (f: () => void) => frames.push(f) });
    // Run toggles, the latest-values table, the charts grid and the two lists.
    expect(container.children).toHaveLength(5);
    for (let i = 0; i < 100; i++) charts.push(metric('sgld', i, 'loss', 2 / (i + 1)));
    charts.push(metric('sgld', 99, 'lambda_max', 3.5, { plugin: 'sharpness' }));
    charts.push({ kind: 'run', runId: 'sgld', iteration: 99, phase: 'end', info: { status: 'completed' }, wallTime: 0 });
    expect(frames).toHaveLength(1);
    charts.flush();
    expect(plots).toHaveLength(2);
    const loss = plots.find((p) => p.series[1]!.label === 'sgld loss')!;
    const xs = Array.from(loss.data[0] as unknown as Float64Array);
    // 100 points, cap 8: the stride doubled to 16 (x = 0, 16, …, 96), plus the latest point.
    expect(xs).toEqual([0, 16, 32, 48, 64, 80, 96, 99]);
    expect((loss.data[1] as number[])[7]).toBeCloseTo(2 / 100, 12);
    expect(charts.runs()).toEqual([{ id: 'sgld', color: '#1f77b4', visible: true, status: 'completed', iteration: 99 }]);
    expect(charts.latest('sgld', 'lambda_max')).toBe(3.5);
    expect(charts.toggleRun('sgld')).toBe(true);
    expect(loss.series[1]!.show).toBe(false);
    expect(charts.toggleRun('sgld', true)).toBe(true);
    expect(loss.series[1]!.show).toBe(true);
    expect(charts.toggleRun('adam')).toBe(false);
    charts.destroy();
    expect(plots.every((p) => p.destroyed)).toBe(true);
    const pending = frames.length;
    charts.push(metric('sgld', 100, 'loss', 0.01));
    expect(frames).toHaveLength(pending);
  });
});
