/**
 * The page's script run in a vm with a minimal DOM, a recording uPlot and a scripted EventSource: no browser here,
 * so this checks the page's own logic (routing events to charts, thinning, one redraw per frame, run toggles).
 */
import * as fs from 'node:fs';
import * as vm from 'node:vm';
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
  vm.runInNewContext(fs.readFileSync(new URL('../assets/app.js', import.meta.url), 'utf8'), context);
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
