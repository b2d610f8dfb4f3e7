// redisBus() and readRedisEvents() against a real redis-server: the JSONL round trip, history then live, bounded
// queueing while Redis is away (dropped, counted, warned once, the gap seen by readers), resent batches read once,
// refusals, close() and MAXLEN.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KramersEvent, MetricEvent } from '@kramers/core';
import { jsonlWriter, readJsonl } from '@kramers/reporters';
import { readRedisEvents, redisBus, type ReaderStatus, type RedisBus } from '@kramers/redis-bus';
import { redisServerAvailable, startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { eventually } from './sse-reader.js';
import { startStalledRedis } from './stalled-redis.js';

const metric = (runId: string, iteration: number, value: MetricEvent['value'] = iteration, extra: Partial<MetricEvent> = {}): MetricEvent => ({
  kind: 'metric',
  runId,
  iteration,
  plugin: 'basics',
  name: 'loss',
  value,
  wallTime: 1_700_000_000_000 + iteration,
  ...extra,
});

/** Subscribes a reader and collects what it emits and reports. */
function collect(url: string, stream: string, from?: string) {
  const events: KramersEvent[] = [];
  const statuses: ReaderStatus[] = [];
  const errors: Error[] = [];
  const subscription = readRedisEvents({ url, stream, from, blockMs: 200, onStatus: (s) => statuses.push(s) }).subscribe({
    next: (e) => events.push(e),
    error: (e: Error) => errors.push(e),
  });
  return { events, statuses, errors, stop: () => subscription.unsubscribe() };
}

let streamCount = 0;
const freshStream = (): string => `test-${process.pid}-${++streamCount}`;

describe('options', () => {
  it('refuses bad options naming the field and the fix', () => {
    expect(() => redisBus({ url: 'http://127.0.0.1:6379' })).toThrow(/url .*redis:\/\/ or rediss:\/\//);
    expect(() => redisBus({ url: 'not a url' })).toThrow(/redisBus: url "not a url" is not a URL/);
    expect(() => redisBus({ url: 'redis://127.0.0.1:1', maxPending: 0 })).toThrow(/maxPending must be a positive integer/);
    expect(() => redisBus({ url: 'redis://127.0.0.1:1', stream: '' })).toThrow(/stream must be a non-empty key name/);
    expect(() => readRedisEvents({ url: 'redis://127.0.0.1:1', blockMs: 0 })).toThrow(/blockMs must be a positive integer/);
    expect(() => redisBus({ url: 'ftp://user:secret@host' })).toThrow(/user:\*\*\*@/);
  });
});

describe('a Redis that stops answering', () => {
  it('holds one batch in flight, queues up to maxPending, drops and counts the rest with one warning; close() gives up after its timeout', async () => {
    const stalled = await startStalledRedis();
    const warnings: string[] = [];
    const b = redisBus({ url: stalled.url, maxPending: 200, batchSize: 50, warn: (m) => warnings.push(m) });
    try {
      await eventually(() => b.stats().connected, 'connected (the ready check answered)');
      for (let i = 0; i < 1000; i++) {
        b.next(metric('a', i));
        if (i % 100 === 99) await new Promise((r) => setImmediate(r));
      }
      await eventually(() => stalled.swallowed.length > 0, 'the first XADD reached the server');
      await new Promise((r) => setTimeout(r, 100));
      // One entry of at most batchSize events went out and is waiting for its answer; nothing more was written.
      expect(stalled.swallowed).toEqual(['XADD']);
      expect(b.stats()).toMatchObject({ published: 1000, sent: 0, pending: 200, dropped: 800, connected: true });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/is not taking events \(too slow\); 200 are waiting/);
      const closed = await b.close({ timeoutMs: 100 });
      expect(closed).toMatchObject({ published: 1000, sent: 0, pending: 0, dropped: 1000 });
      expect(stalled.swallowed).toEqual(['XADD']);
    } finally {
      await b.close({ timeoutMs: 0 });
      await stalled.close();
    }
  });
});

describe.skipIf(!redisServerAvailable)('redisBus and readRedisEvents', () => {
  let redis: TestRedis;
  let raw: Redis;
  const dir = mkdtempSync(join(tmpdir(), 'kramers-redis-bus-'));
  const buses: RedisBus[] = [];
  const readers: Array<{ stop(): void }> = [];
  const bus = (options: Partial<Parameters<typeof redisBus>[0]> & { stream: string }): RedisBus => {
    const b = redisBus({ url: redis.url, ...options });
    buses.push(b);
    return b;
  };
  const reader = (stream: string, from?: string): ReturnType<typeof collect> => {
    const r = collect(redis.url, stream, from);
    readers.push(r);
    return r;
  };

  beforeAll(async () => {
    redis = await startTestRedis();
    raw = new Redis(redis.url);
    // The tests stop Redis on purpose; this helper connection's reconnect errors are expected.
    raw.on('error', () => {});
  });
  afterEach(async () => {
    for (const r of readers.splice(0)) r.stop();
    await Promise.all(buses.splice(0).map((b) => b.close({ timeoutMs: 0 })));
  });
  afterAll(async () => {
    raw.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries every kind of event in order, exactly as the JSONL log writes and reads it', async () => {
    const stream = freshStream();
    const events: KramersEvent[] = [
      { kind: 'run', runId: 'sgd', iteration: -1, phase: 'start', info: { lr: 0.1, note: 'λ ≈ 1 — ünïcode' }, wallTime: 1 },
      metric('sgd', 0, 0.5, { uncertainty: { stderr: 0.01, lower: 0.4, upper: 0.6, level: 0.95 }, prediction: true, attributes: { loss: 'mse' } }),
      metric('sgd', 1, Number.NaN),
      metric('sgd', 2, Number.POSITIVE_INFINITY, { layer: 'dense_Dense1' }),
      metric('sgd', 3, { kind: 'vector', values: [1, -2.5e-300, Number.NaN], labels: ['a', 'b', 'c'] }),
      metric('sgd', 4, { kind: 'histogram', edges: [0, 1, 2], counts: [3, 4], sum: 7 }),
      metric('sgd', 5, { kind: 'table', columns: ['k', 'v'], rows: [['x', 1], ['line\nbreak', null]] }),
      { kind: 'plugin-error', runId: 'sgd', iteration: 6, plugin: 'sharpness', phase: 'step', message: 'boom\n"quoted"', stack: 'at x', wallTime: 2 },
      ...Array.from({ length: 500 }, (_, i) => metric('sgd', 7 + i, Math.sin(i))),
      { kind: 'run', runId: 'sgd', iteration: 506, phase: 'end', info: { status: 'completed' }, wallTime: 3 },
    ];
    const b = bus({ stream, batchSize: 64 });
    const log = jsonlWriter(join(dir, 'round-trip.jsonl'), { flushIntervalMs: 0 });
    b.subscribe(log.observer);
    const r = reader(stream);
    for (const e of events) b.next(e);
    const closed = await b.close();
    expect(closed).toMatchObject({ published: events.length, sent: events.length, dropped: 0, pending: 0 });
    await eventually(() => r.events.length >= events.length, 'the reader has every event');
    expect(r.events).toEqual(readJsonl(join(dir, 'round-trip.jsonl')));
    expect(r.events).toEqual(JSON.parse(JSON.stringify(events)));
    // 508 events in batches of at most 64: several entries, yet one event stream.
    expect(await raw.xlen(stream)).toBeGreaterThanOrEqual(Math.ceil(events.length / 64));
    expect(r.statuses.filter((s) => s.kind !== 'connected')).toEqual([]);
  });

  it('is a MetricBus: local subscribers see every event as it is published', async () => {
    const stream = freshStream();
    const b = bus({ stream });
    const seen: number[] = [];
    b.subscribe((e) => seen.push(e.iteration));
    for (let i = 0; i < 5; i++) b.next(metric('a', i));
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('a reader that starts late gets the history, then live events; from "$" it gets live events only', async () => {
    const stream = freshStream();
    const b = bus({ stream });
    for (let i = 0; i < 100; i++) b.next(metric('a', i));
    await eventually(() => b.stats().sent === 100, 'the first 100 sent');
    const late = reader(stream);
    const liveOnly = reader(stream, '$');
    await eventually(() => late.events.length === 100, 'history read');
    await eventually(() => liveOnly.statuses.some((s) => s.kind === 'connected'), 'live-only reader connected');
    // XREAD from '$' starts at the stream's end as of its first read; give that read a moment to be issued.
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 100; i < 150; i++) b.next(metric('a', i));
    await eventually(() => late.events.length === 150 && liveOnly.events.length === 50, 'live events read');
    expect(late.events.map((e) => e.iteration)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(liveOnly.events.map((e) => e.iteration)).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
  });

  it('while Redis is away: queues up to maxPending, then drops and counts with one warning; the rest arrive after it returns, and readers see the gap', async () => {
    const stream = freshStream();
    const warnings: string[] = [];
    const b = bus({ stream, maxPending: 100, warn: (m) => warnings.push(m) });
    const r = reader(stream);
    for (let i = 0; i < 20; i++) b.next(metric('a', i));
    await eventually(() => r.events.length === 20, 'first 20 read');
    await redis.kill();
    await eventually(() => !b.stats().connected, 'the bus sees Redis gone');
    for (let i = 20; i < 520; i++) b.next(metric('a', i));
    b.next({ kind: 'run', runId: 'a', iteration: 519, phase: 'end', info: {}, wallTime: 9 });
    const during = b.stats();
    expect(during).toMatchObject({ published: 521, sent: 20, pending: 101, dropped: 400 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/is not taking events \(.*(ECONNREFUSED|closed).*\); 100 are waiting, so new events are dropped/);
    expect(warnings[0]).toContain(`stream "${stream}"`);
    await redis.restart();
    await eventually(() => b.stats().pending === 0, 'the queue drained after Redis returned', 20_000);
    await eventually(() => r.events.length === 121, 'the reader got the queued events');
    expect(b.stats()).toMatchObject({ published: 521, sent: 121, dropped: 400 });
    // The queue's oldest 100 metrics and the run end (kept by the reserve) arrive, in order; the gap is the drops.
    expect(r.events.map((e) => e.iteration)).toEqual([...Array.from({ length: 120 }, (_, i) => i), 519]);
    expect(r.events.at(-1)).toMatchObject({ kind: 'run', phase: 'end' });
    const gaps = r.statuses.filter((s) => s.kind === 'gap');
    expect(gaps).toEqual([{ kind: 'gap', producer: expect.any(String), runId: 'a', missing: 400 }]);
    const kinds = r.statuses.map((s) => s.kind).filter((k) => k !== 'gap');
    expect(kinds).toEqual(['connected', 'lost', 'restored']);
    expect(warnings).toHaveLength(1);
  });

  it('reads a resent batch once and reports entries that are not kramers events', async () => {
    const stream = freshStream();
    const line = (i: number): string => JSON.stringify(metric('a', i));
    // Entry 2 repeats events 1–2 (a batch resent after its reply was lost) and adds 3; entry 3 is another writer's.
    await raw.xadd(stream, '*', 'events', [0, 1, 2].map(line).join('\n'), 'producer', 'p', 'seq', '0');
    await raw.xadd(stream, '*', 'events', [1, 2, 3].map(line).join('\n'), 'producer', 'p', 'seq', '1');
    await raw.xadd(stream, '*', 'temperature', '21');
    await raw.xadd(stream, '*', 'events', `${line(4)}\n{"kind":"other"}\n${line(6)}`, 'producer', 'p', 'seq', '4');
    const r = reader(stream);
    await eventually(() => r.events.length === 6, 'six events');
    expect(r.events.map((e) => e.iteration)).toEqual([0, 1, 2, 3, 4, 6]);
    const invalid = r.statuses.filter((s) => s.kind === 'invalid');
    expect(invalid).toHaveLength(2);
    expect(invalid[0]).toMatchObject({ reason: expect.stringMatching(/no "events" field/) });
    expect(invalid[1]).toMatchObject({ reason: expect.stringMatching(/line 2: not a kramers event: kind is "other"/) });
    expect(r.statuses.some((s) => s.kind === 'gap')).toBe(false);
  });

  it('events refused by Redis (the key holds a string) are dropped, counted and warned about once; a reader fails with the reason', async () => {
    const stream = freshStream();
    await raw.set(stream, 'not a stream');
    const warnings: string[] = [];
    const b = bus({ stream, warn: (m) => warnings.push(m) });
    for (let i = 0; i < 10; i++) {
      b.next(metric('a', i));
      await eventually(() => b.stats().pending === 0, 'each refused');
    }
    expect(b.stats()).toMatchObject({ published: 10, sent: 0, dropped: 10 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/refused events \(WRONGTYPE/);
    const r = reader(stream);
    await eventually(() => r.errors.length === 1, 'the reader fails');
    expect(r.errors[0]!.message).toMatch(/refused XREAD on stream .*WRONGTYPE/);
  });

  it('close() with Redis away gives up after its timeout and counts what was left; next() after close is ignored', async () => {
    const stream = freshStream();
    const b = bus({ stream, warn: () => {} });
    await eventually(() => b.stats().connected, 'connected');
    await redis.kill();
    await eventually(() => !b.stats().connected, 'the bus sees Redis gone');
    for (let i = 0; i < 20; i++) b.next(metric('a', i));
    const closed = await b.close({ timeoutMs: 200 });
    expect(closed).toMatchObject({ published: 20, sent: 0, dropped: 20, pending: 0, connected: false });
    b.next(metric('a', 20));
    expect(b.stats().published).toBe(20);
    expect(b.isStopped).toBe(true);
    await redis.restart();
  });

  it('keeps the stream near maxLen entries (MAXLEN ~)', async () => {
    const stream = freshStream();
    const b = bus({ stream, maxLen: 10, batchSize: 1, maxPending: 1000 });
    for (let i = 0; i < 300; i++) b.next(metric('a', i));
    await b.close();
    const length = await raw.xlen(stream);
    // Approximate trimming removes whole radix-tree nodes (100 entries by default): at most maxLen + 100 remain.
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThanOrEqual(110);
  });
});
