import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../src/index.js';
import { eventually, metric, openSse, turn } from './helpers.js';

let dash: Dashboard | undefined;
afterEach(async () => {
  await dash?.close();
  dash = undefined;
});

describe('per-client bounds', () => {
  it('drops a client that never reads once its pending bytes pass the bound; publish stays fast; others get every event', async () => {
    const bound = 256 * 1024;
    dash = await startDashboard({ maxClientBufferBytes: bound, liveIntervalMs: 0 });
    const stalled = await openSse(dash.port, { paused: true });
    const reader = await openSse(dash.port);
    await eventually(() => dash!.clients() === 2, 'both clients connected');
    await reader.until(() => reader.controls.includes('live'));
    // ~1.2 kB per event, 12 MB in all: far beyond the bound plus what loopback sockets buffer in the kernel.
    const padding = 'x'.repeat(1100);
    const total = 10_000;
    let publishMs = 0;
    let droppedAt = -1;
    for (let batch = 0; batch < total / 100; batch++) {
      const t0 = performance.now();
      for (let i = batch * 100; i < (batch + 1) * 100; i++) dash.publish(metric('sgd', i, 'loss', i, { attributes: { padding } }));
      publishMs += performance.now() - t0;
      if (droppedAt < 0 && dash.dropped() === 1) droppedAt = (batch + 1) * 100;
      // The reading client keeps up (as a browser would); the stalled one never reads.
      await reader.until(() => reader.events.length === (batch + 1) * 100);
    }
    console.log(`backpressure: 10 000 publishes (1.2 kB each, 2 clients, 1 stalled) took ${publishMs.toFixed(1)} ms of publish time; stalled client dropped after ${droppedAt} events`);
    expect(publishMs).toBeLessThan(1000);
    expect(dash.dropped()).toBe(1);
    expect(droppedAt).toBeGreaterThan(0);
    expect(dash.clients()).toBe(1);
    expect(reader.events).toHaveLength(total);
    expect(reader.events.every((e, i) => e.iteration === i)).toBe(true);
    // The stalled client's connection was cut: resuming it ends without the full stream.
    stalled.response.resume();
    await stalled.until(() => false).catch(() => undefined);
    expect(stalled.events.length).toBeLessThan(total);
    reader.close();
  });

  it('counts nothing as dropped while clients keep up', async () => {
    dash = await startDashboard({ maxClientBufferBytes: 64 * 1024, liveIntervalMs: 0 });
    const c = await openSse(dash.port);
    await c.until(() => c.controls.includes('live'));
    for (let i = 0; i < 2000; i++) {
      dash.publish(metric('sgd', i));
      if (i % 50 === 49) await turn();
    }
    await c.until(() => c.events.length === 2000);
    expect(dash.dropped()).toBe(0);
    c.close();
  });
});
