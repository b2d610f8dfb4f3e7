import { afterEach, describe, expect, it } from 'vitest';
import type { MetricEvent } from '@kramers/core';
import { startDashboard, type Dashboard } from '../src/index.js';
import { eventually, metric, openSse, type SseReader } from './helpers.js';

let dash: Dashboard | undefined;
afterEach(async () => {
  await dash?.close();
  dash = undefined;
});

const iterations = (events: readonly unknown[]): number[] => (events as MetricEvent[]).map((e) => e.iteration);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('/events', () => {
  it('sends a late client every event so far (history), then the live stream, in order', async () => {
    dash = await startDashboard({ liveIntervalMs: 0 });
    for (let i = 0; i < 100; i++) dash.publish(metric('sgd', i));
    const client = await openSse(dash.port);
    expect(client.response.headers['content-type']).toContain('text/event-stream');
    await client.until(() => client.controls.includes('live'));
    expect(client.controls).toEqual(['reset', 'live']);
    expect(iterations(client.events)).toEqual(range(0, 100));
    for (let i = 100; i < 150; i++) dash.publish(metric('sgd', i, 'loss', i / 7));
    await client.until(() => client.events.length === 150);
    expect(iterations(client.events)).toEqual(range(0, 150));
    expect((client.events[120] as MetricEvent).value).toBeCloseTo(120 / 7, 12);
    expect(dash.clients()).toBe(1);
    client.close();
    await eventually(() => dash!.clients() === 0, 'the closed client is forgotten');
  });

  it('gives a returning client the history again, then the live stream', async () => {
    dash = await startDashboard({ liveIntervalMs: 0 });
    const first = await openSse(dash.port);
    for (let i = 0; i < 30; i++) dash.publish(metric('adam', i));
    await first.until(() => first.events.length === 30);
    first.close();
    await eventually(() => dash!.clients() === 0, 'the first connection is gone');
    for (let i = 30; i < 60; i++) dash.publish(metric('adam', i));
    const back = await openSse(dash.port);
    await back.until(() => back.controls.includes('live'));
    expect(iterations(back.events)).toEqual(range(0, 60));
    dash.publish({ kind: 'plugin-error', runId: 'adam', iteration: 60, plugin: 'sgn', phase: 'step', message: 'broke: ünïcode ok', wallTime: 1 });
    dash.publish(metric('adam', 61));
    await back.until(() => back.events.length === 62);
    expect(back.events[60]).toMatchObject({ kind: 'plugin-error', message: 'broke: ünïcode ok' });
    expect(iterations(back.events).slice(-1)).toEqual([61]);
    back.close();
  });

  it('thins history to at most N points per run and metric, evenly, keeping the first and the latest', async () => {
    const N = 100;
    dash = await startDashboard({ history: { maxPointsPerSeries: N, maxNonScalarPointsPerSeries: 3 } });
    const total = 10_007;
    for (let i = 0; i < total; i++) {
      dash.publish(metric('sgd', i, 'loss'));
      dash.publish(metric('sgld', i, 'loss'));
      if (i % 2 === 0) dash.publish(metric('sgd', i, 'lambda_max', 2 * i, { plugin: 'sharpness' }));
      if (i % 100 === 0) dash.publish(metric('sgd', i, 'density', { kind: 'histogram', edges: [0, 1], counts: [i] }, { plugin: 'sharpness' }));
    }
    dash.publish({ kind: 'run', runId: 'sgd', iteration: total, phase: 'end', info: { status: 'completed' }, wallTime: 0 });
    const client = await openSse(dash.port);
    await client.until(() => client.controls.includes('live'));
    const series = (run: string, name: string): MetricEvent[] =>
      client.events.filter((e): e is MetricEvent => e.kind === 'metric' && e.runId === run && e.name === name);
    for (const [run, name, last, seen] of [['sgd', 'loss', total - 1, total], ['sgld', 'loss', total - 1, total], ['sgd', 'lambda_max', total - 1, Math.ceil(total / 2)]] as const) {
      const its = iterations(series(run, name));
      expect(its.length, `${run} ${name}`).toBeLessThanOrEqual(N);
      // Stride doubling leaves between N/2 and N points: thinned, not starved.
      expect(its.length).toBeGreaterThanOrEqual(N / 2);
      expect(its[0]).toBe(0);
      expect(its[its.length - 1]).toBe(last);
      // Every kept point but the latest sits on one stride, a power of two in units of the series' own spacing.
      const spacing = name === 'lambda_max' ? 2 : 1;
      const stride = (its[1]! - its[0]!) / spacing;
      expect(Math.log2(stride) % 1).toBe(0);
      expect(its.slice(0, -1).every((it, k) => it === k * stride * spacing)).toBe(true);
      expect(Math.ceil(seen / stride)).toBeLessThanOrEqual(N);
    }
    const density = series('sgd', 'density');
    expect(density.length).toBeLessThanOrEqual(3);
    expect(density[density.length - 1]!.iteration).toBe(10_000);
    expect(client.events[client.events.length - 1]).toMatchObject({ kind: 'run', phase: 'end' });
    // History keeps the global arrival order across series.
    const seqOk = client.events.slice(0, -1).every((e, k) => k === 0 || e.iteration >= client.events[k - 1]!.iteration);
    expect(seqOk).toBe(true);
    client.close();
  });

  it('feeds from a bus through its observer and keeps the page up after the bus completes', async () => {
    const { createMetricBus } = await import('@kramers/core');
    dash = await startDashboard({ liveIntervalMs: 0 });
    const bus = createMetricBus();
    bus.subscribe(dash.observer);
    const client = await openSse(dash.port);
    await client.until(() => client.controls.includes('live'));
    bus.next(metric('sgd', 0));
    bus.complete();
    await client.until(() => client.events.length === 1);
    const later = await openSse(dash.port);
    await later.until(() => later.controls.includes('live'));
    expect(later.events).toHaveLength(1);
    client.close();
    later.close();
  });

  it('decimates the live stream per series, and a page connecting while a point is held gets it once', async () => {
    dash = await startDashboard({ liveIntervalMs: 100 });
    const early = await openSse(dash.port);
    await early.until(() => early.controls.includes('live'));
    for (let it = 0; it < 50; it++) dash.publish(metric('sgd', it));
    dash.publish(metric('adam', 0));
    // 0 goes out at once, 1…49 replace each other, 49 is held; a page arriving now must not get 49 twice.
    const late = await openSse(dash.port);
    await late.until(() => late.controls.includes('live'));
    await early.until(() => early.events.some((e) => e.runId === 'sgd' && e.iteration === 49));
    await late.until(() => late.events.some((e) => e.runId === 'sgd' && e.iteration === 49));
    await new Promise((r) => setTimeout(r, 250));
    const iterations = (c: SseReader) => c.events.filter((e) => e.runId === 'sgd').map((e) => e.iteration);
    expect(iterations(early)).toEqual([0, 49]);
    // The late page has 49 in its history, in publish order, and never again.
    expect(iterations(late).filter((i) => i === 49)).toHaveLength(1);
    expect(late.events.findIndex((e) => e.runId === 'sgd' && e.iteration === 49)).toBeLessThan(late.events.findIndex((e) => e.runId === 'adam'));
    expect(early.events.filter((e) => e.runId === 'adam')).toHaveLength(1);
    early.close();
    late.close();
  });

  it('ends every stream on close()', async () => {
    dash = await startDashboard({ liveIntervalMs: 0 });
    const a = await openSse(dash.port);
    const b = await openSse(dash.port);
    await eventually(() => dash!.clients() === 2, 'two clients connected');
    const ended = Promise.all([a, b].map((c) => c.until(() => false).catch(() => 'ended')));
    await dash.close();
    expect(await ended).toEqual(['ended', 'ended']);
    expect(dash.clients()).toBe(0);
    dash = undefined;
  });

  it('sends heartbeat comments on an idle stream', async () => {
    dash = await startDashboard({ heartbeatMs: 20 });
    const client = await openSse(dash.port);
    let raw = '';
    client.response.on('data', (d: string) => (raw += d));
    await client.until(() => raw.includes(': heartbeat\n\n'));
    expect(client.events).toHaveLength(0);
    client.close();
  });
});
