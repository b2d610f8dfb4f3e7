// Several training processes, one dashboard: real child processes train a tiny model instrumented with redisBus();
// the dashboard (startDashboard fed by readRedisEvents) shows them live, and its history holds every event of each run
// in the order the run's own JSONL log has them. Then the outage: a dashboard client that never reads and a stopped
// Redis cost the training process at most a bounded, reported slowdown, and what it dropped is counted and warned once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KramersEvent } from '@kramers/core';
import { startDashboard, type Dashboard } from '@kramers/dashboard';
import { readRedisEvents, type ReaderStatus } from '@kramers/redis-bus';
import { readJsonl } from '@kramers/reporters';
import { redisServerAvailable, startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { eventually, openSse } from './sse-reader.js';
import { startTrainingProcess } from './train-process.js';

const byRun = (events: readonly KramersEvent[], runId: string): KramersEvent[] => events.filter((e) => e.runId === runId);
const RUNS = ['sgd', 'adam', 'momentum'] as const;

/** What a page opened now is sent first: the dashboard's history. */
async function historyOf(dashboard: Dashboard): Promise<KramersEvent[]> {
  const page = await openSse(dashboard.port);
  await page.until(() => page.history() !== undefined, 'history sent');
  page.close();
  return page.history()!;
}

describe.skipIf(!redisServerAvailable)('many training processes, one dashboard', () => {
  let redis: TestRedis;
  let dashboard: Dashboard;
  const dir = mkdtempSync(join(tmpdir(), 'kramers-redis-many-'));

  beforeAll(async () => {
    redis = await startTestRedis();
    dashboard = await startDashboard();
  });
  afterAll(async () => {
    await dashboard?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The dashboard fed from a stream, as `kramers dashboard --redis` feeds it; `seen` is what reached it so far. */
  const feed = (stream: string) => {
    const seen: KramersEvent[] = [];
    const statuses: ReaderStatus[] = [];
    const subscription = readRedisEvents({ url: redis.url, stream, onStatus: (s) => statuses.push(s) }).subscribe((e) => {
      seen.push(e);
      dashboard.publish(e);
    });
    return { seen, statuses, stop: () => subscription.unsubscribe() };
  };

  it('three training processes publish concurrently; the page shows all three live, and its history holds every event of each run in order', async () => {
    const input = feed('three');
    const live = await openSse(dashboard.port);
    const runs = RUNS.map((optimizer, i) =>
      startTrainingProcess({ url: redis.url, stream: 'three', runId: optimizer, optimizer, log: join(dir, `${optimizer}.jsonl`), seed: i + 1 }),
    );
    await Promise.all(runs.map((r) => r.ready));
    const trained = await Promise.all(runs.map((r) => r.train(120)));
    // Live: while all three processes are still running (each waits for its next command), the page has every event
    // each has published: a page opened now gets them all, and the page open from the start has seen all three runs.
    for (const [i, run] of RUNS.entries()) {
      expect(trained[i]!.stats.dropped).toBe(0);
      await eventually(() => byRun(input.seen, run).length === trained[i]!.stats.published, `${run}'s events reached the dashboard`);
    }
    const during = await historyOf(dashboard);
    for (const [i, run] of RUNS.entries()) {
      expect(byRun(during, run)).toHaveLength(trained[i]!.stats.published);
      await live.until(() => byRun(live.events, run).length > 0, `${run} on the open page`);
    }
    expect(runs.every((r) => r.child.exitCode === null)).toBe(true);
    const ended = await Promise.all(runs.map((r) => r.end()));
    for (const { closed, code } of ended) {
      expect(code).toBe(0);
      expect(closed).toMatchObject({ dropped: 0, pending: 0 });
      expect(closed.sent).toBe(closed.published);
    }
    await eventually(() => RUNS.every((r, i) => byRun(input.seen, r).length === ended[i]!.closed.published), 'every run end reached the dashboard');
    // The history a page gets afterwards holds, per run, exactly the process's own JSONL log, in order.
    const after = await historyOf(dashboard);
    for (const run of RUNS) {
      const log = readJsonl(join(dir, `${run}.jsonl`));
      // run start, 120 steps × (loss, grad_norm, update_norm, distance, param_norm), run end
      expect(log).toHaveLength(2 + 120 * 5);
      expect(byRun(after, run)).toEqual(log);
    }
    // The three processes really ran side by side: their events interleave in the stream.
    const order = after.map((e) => e.runId);
    const switches = order.filter((r, i) => i > 0 && r !== order[i - 1]).length;
    console.log(`three processes: ${after.length} events in the page's history; the run changes ${switches} times along it`);
    expect(switches).toBeGreaterThan(2);
    expect(input.statuses.filter((s) => s.kind !== 'connected')).toEqual([]);
    live.close();
    input.stop();
  }, 120_000);

  it('a stalled page and a stopped Redis slow training by at most a bounded, reported amount; drops are counted and warned once', async () => {
    const input = feed('outage');
    const run = startTrainingProcess({ url: redis.url, stream: 'outage', runId: 'outage', optimizer: 'sgd', log: join(dir, 'outage.jsonl'), maxPending: 1000 });
    await run.ready;
    await run.train(100); // warm-up: tfjs kernels, the connection
    // Blocks in the balanced order up, down, down, up, up, down, down, up, so drift and the other load on the machine
    // fall on both conditions alike. Up: Redis running, the outage's queue already sent, no stalled page. Down: Redis
    // stopped (SIGKILL) and a page that never reads.
    const schedule = ['up', 'down', 'down', 'up', 'up', 'down', 'down', 'up'] as const;
    const steps = 150;
    let upMs = 0;
    let downMs = 0;
    let upCpuMs = 0;
    let downCpuMs = 0;
    let redisUp = true;
    let droppedBefore = 0;
    const droppedPerOutage: number[] = [];
    let stalled: Awaited<ReturnType<typeof openSse>> | undefined;
    for (const block of schedule) {
      if (block === 'up') {
        stalled?.close();
        stalled = undefined;
        if (!redisUp) {
          await redis.restart();
          redisUp = true;
        }
        // Healthy: the training process connected again with the outage's queue sent, the dashboard reading again.
        for (let s = await run.stats(); !(s.connected && s.pending === 0); s = await run.stats()) await new Promise((r) => setTimeout(r, 50));
        const outages = droppedPerOutage.length;
        await eventually(() => input.statuses.filter((s) => s.kind === 'restored').length === outages, 'the dashboard reading again');
        const up = await run.train(steps);
        expect(up.stats.dropped).toBe(droppedBefore);
        upMs += up.ms;
        upCpuMs += up.cpuMs;
      } else {
        stalled ??= await openSse(dashboard.port, { paused: true });
        const redisWasUpBefore = redisUp;
        if (redisUp) {
          await redis.kill();
          redisUp = false;
          droppedPerOutage.push(0);
        }
        const down = await run.train(steps);
        downMs += down.ms;
        downCpuMs += down.cpuMs;
        // 150 steps × 5 events a block while Redis is away: the queue never holds more than maxPending, and is full
        // by the second block of an outage (1500 events); the rest are dropped and counted.
        expect(down.stats.pending).toBeLessThanOrEqual(1000);
        if (!redisWasUpBefore) expect(down.stats.pending).toBe(1000);
        droppedPerOutage[droppedPerOutage.length - 1]! += down.stats.dropped - droppedBefore;
        droppedBefore = down.stats.dropped;
      }
    }
    const ratio = downMs / upMs;
    const dropped = droppedBefore;
    console.log(
      `outage: ${(upMs / (4 * steps)).toFixed(3)} ms/step with Redis up, ${(downMs / (4 * steps)).toFixed(3)} ms/step with Redis ` +
        `stopped and a stalled page (ratio ${ratio.toFixed(2)}; the process's CPU ${(upCpuMs / (4 * steps)).toFixed(3)} vs ${(downCpuMs / (4 * steps)).toFixed(3)} ms/step; ` +
        `blocks of ${steps} steps, ${schedule.join(' ')}); dropped per outage ${droppedPerOutage.join(', ')}`,
    );
    expect(ratio).toBeLessThanOrEqual(1.5);
    expect(droppedPerOutage.every((d) => d > 0)).toBe(true);
    const { closed, code } = await run.end();
    expect(code).toBe(0);
    expect(closed).toMatchObject({ dropped, pending: 0 });
    expect(closed.sent + closed.dropped).toBe(closed.published);
    const warnings = run.stderr().split('\n').filter((l) => l.includes('kramers redis-bus:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/is not taking events .*dropped/);
    // The page got everything that was not dropped, in the log's order, ending with the run end; the reader saw each
    // outage's drops as a gap in the publisher's sequence.
    await eventually(() => input.seen.length === closed.sent, 'every sent event reached the dashboard');
    const log = readJsonl(join(dir, 'outage.jsonl'));
    expect(log).toHaveLength(closed.published);
    const shown = byRun(await historyOf(dashboard), 'outage');
    expect(shown).toEqual(input.seen);
    expect(shown.at(-1)).toMatchObject({ kind: 'run', phase: 'end' });
    expect(input.statuses.flatMap((s) => (s.kind === 'gap' ? [s.missing] : []))).toEqual(droppedPerOutage);
    const logText = log.map((e) => JSON.stringify(e));
    let next = 0;
    for (const e of shown) {
      const text = JSON.stringify(e);
      while (next < logText.length && logText[next] !== text) next++;
      expect(next, `${text} in the log's order`).toBeLessThan(logText.length);
      next++;
    }
    expect(input.statuses.map((s) => s.kind).filter((k) => k === 'lost' || k === 'restored')).toEqual(['lost', 'restored', 'lost', 'restored']);
    input.stop();
  }, 120_000);
});
