import { afterEach, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../src/index.js';
import { eventually, metric, openSse, turn, type SseReader } from './helpers.js';

let dash: Dashboard | undefined;
afterEach(async () => {
  await dash?.close();
  dash = undefined;
});

describe('load on loopback', () => {
  it('50 concurrent clients all receive every event (history and live), 10 runs × 10 metrics', async () => {
    dash = await startDashboard({ liveIntervalMs: 0 });
    const runs = Array.from({ length: 10 }, (_, r) => `run${r}`);
    const names = Array.from({ length: 10 }, (_, m) => `m${m}`);
    const publishStep = (it: number): void => {
      for (const run of runs) for (const name of names) dash!.publish(metric(run, it, name, Math.sin(it + name.length)));
    };
    for (let it = 0; it < 20; it++) publishStep(it);
    const clients: SseReader[] = await Promise.all(Array.from({ length: 50 }, () => openSse(dash!.port)));
    await eventually(() => dash!.clients() === 50, '50 clients connected');
    const steps = 200;
    for (let it = 20; it < steps; it++) {
      publishStep(it);
      await turn();
    }
    const expected = steps * runs.length * names.length;
    await Promise.all(clients.map((c) => c.until(() => c.events.length === expected)));
    for (const c of clients) {
      expect(c.controls).toEqual(['reset', 'live']);
      expect(c.events).toHaveLength(expected);
      expect(c.events[expected - 1]).toMatchObject({ runId: 'run9', name: 'm9', iteration: steps - 1 });
    }
    expect(dash.dropped()).toBe(0);
    for (const c of clients) c.close();
    await eventually(() => dash!.clients() === 0, 'all clients gone');
  });
});
