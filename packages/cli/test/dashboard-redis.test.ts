// `kramers dashboard --redis <url>`: the page fed live from a Redis stream that training processes publish to; Redis
// going away is reported once and reconnected, never a crash; exactly one of --replay / --redis.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KramersEvent, MetricEvent } from '@kramers/core';
import { redisBus, type RedisBus } from '@kramers/redis-bus';
import { redisServerAvailable, startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { openSse } from '../../../test/support/sse-reader.js';
import { kramers, startCli, waitForMatch } from './run-cli.js';

const metric = (runId: string, iteration: number): MetricEvent => ({
  kind: 'metric',
  runId,
  iteration,
  plugin: 'basics',
  name: 'loss',
  value: 1 / (iteration + 1),
  wallTime: 1_700_000_000_000 + iteration,
});

/** The events a page opened now is sent before the 'live' control: the dashboard's history. */
async function history(url: string): Promise<KramersEvent[]> {
  const page = await openSse(Number(new URL(url).port));
  try {
    await page.until(() => page.history() !== undefined, 'the history');
    return page.history()!;
  } finally {
    page.close();
  }
}

async function until<T>(probe: () => Promise<T> | T, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('usage', () => {
  it('needs exactly one of --replay and --redis, --stream only with --redis, and a Redis URL', async () => {
    const neither = await kramers('dashboard');
    expect(neither.code).toBe(2);
    expect(neither.err).toMatch(/give the events to show: --replay <file> .* or --redis <url>/);
    const both = await kramers('dashboard', '--replay', 'run.jsonl', '--redis', 'redis://127.0.0.1:6379');
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--replay and --redis are exclusive/);
    const stream = await kramers('dashboard', '--replay', 'run.jsonl', '--stream', 'x');
    expect(stream.code).toBe(2);
    expect(stream.err).toMatch(/--stream applies to --redis only/);
    const scheme = await kramers('dashboard', '--redis', 'http://user:secret@127.0.0.1:6379');
    expect(scheme.code).toBe(2);
    expect(scheme.err).toMatch(/--redis http:\/\/user:\*\*\*@127\.0\.0\.1:6379\/?: the scheme must be redis:\/\/ or rediss:\/\//);
    expect(scheme.err).not.toContain('secret');
  });
});

describe.skipIf(!redisServerAvailable)('kramers dashboard --redis', () => {
  let redis: TestRedis;
  let raw: Redis;
  const buses: RedisBus[] = [];
  beforeAll(async () => {
    redis = await startTestRedis();
    raw = new Redis(redis.url);
    raw.on('error', () => {});
  });
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close({ timeoutMs: 0 })));
    raw.disconnect();
    await redis.stop();
  });

  it('shows the history, then live events; a Redis that goes away is reported once, reconnected, and Ctrl-C ends it with exit 0', async () => {
    const bus = redisBus({ url: redis.url, stream: 'live', warn: () => {} });
    buses.push(bus);
    for (let i = 0; i < 50; i++) bus.next(metric('early', i));
    await until(() => bus.stats().sent, (n) => n === 50, 'early events in Redis');
    const run = startCli(['dashboard', '--redis', redis.url, '--stream', 'live']);
    let out = '';
    run.child.stdout.removeAllListeners('data');
    run.child.stdout.on('data', (d) => (out += String(d)));
    const url = (await waitForMatch(() => out, /at (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
    expect(out).toContain('stream "live"');
    // Published before the page started: its history.
    const first = await until(() => history(url), (h) => h.length === 50, 'the stream so far on the page');
    expect(first.map((e) => e.iteration)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // Published while it runs: live.
    for (let i = 0; i < 30; i++) bus.next(metric('later', i));
    await until(() => history(url), (h) => h.filter((e) => e.runId === 'later').length === 30, 'live events on the page');
    // Redis away for longer than several reconnect attempts: one line, the page still up; then back, one line.
    await redis.kill();
    await waitForMatch(run.stderr, /lost Redis at redis:\/\/127\.0\.0\.1:\d+ \(stream "live"\)/);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await history(url)).length).toBe(80);
    await redis.restart();
    await waitForMatch(run.stderr, /is back; reading on after the last event shown/);
    for (let i = 30; i < 40; i++) bus.next(metric('later', i));
    const after = await until(() => history(url), (h) => h.length === 90, 'events after the outage on the page');
    expect(after.filter((e) => e.runId === 'later').map((e) => e.iteration)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(run.stderr().match(/lost Redis/g)).toHaveLength(1);
    expect(run.stderr().match(/is back/g)).toHaveLength(1);
    expect(run.child.exitCode).toBeNull();
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  }, 90_000);

  it('starts while Redis is down: says so once, and connects when it comes', async () => {
    const bus = redisBus({ url: redis.url, stream: 'late', warn: () => {} });
    buses.push(bus);
    bus.next(metric('late', 0));
    await until(() => bus.stats().sent, (n) => n === 1, 'one event in Redis');
    await redis.kill();
    const run = startCli(['dashboard', '--redis', redis.url, '--stream', 'late']);
    let out = '';
    run.child.stdout.removeAllListeners('data');
    run.child.stdout.on('data', (d) => (out += String(d)));
    const url = (await waitForMatch(() => out, /at (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
    await waitForMatch(run.stderr, /cannot reach Redis at .* the page is up, retrying until Redis answers/);
    expect(await history(url)).toEqual([]);
    await redis.restart();
    await waitForMatch(run.stderr, /connected to Redis at/);
    await until(() => history(url), (h) => h.length === 1, 'the stream on the page once connected');
    expect(run.stderr().match(/cannot reach/g)).toHaveLength(1);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  }, 60_000);

  it('a stream key that holds something else is a usage error naming --stream', async () => {
    await raw.set('not-a-stream', 'x');
    const { code, err } = await kramers('dashboard', '--redis', redis.url, '--stream', 'not-a-stream');
    expect(code).toBe(2);
    expect(err).toMatch(/--stream not-a-stream: Redis refused XREAD .*WRONGTYPE.*name the stream the training processes publish to/);
  });
});
