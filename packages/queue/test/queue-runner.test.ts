import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { figureJobs, inProcessRunner, styblinskiTangFigure, type EscapeJob, type EscapeJobResult } from '@kramers/experiments';
import {
  parseRedisUrl,
  queueJobId,
  queueRunner,
  startQueueWorker,
  SweepIncomplete,
  QueueConnectionError,
  type QueueRunnerEvent,
  type QueueWorker,
  type QueueWorkerEvent,
} from '@kramers/queue';
import { redisServerAvailable, startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';

// Short jobs of the quick Styblinski–Tang grid (SGD and SGLD, 8 replicas): each runs in a fraction of a second.
const jobs: EscapeJob[] = figureJobs(styblinskiTangFigure({ quick: true, replicas: 8 })).filter(
  (j) => j.kind !== 'model' && j.noise !== 'state' && j.optimizer.name !== 'adam',
);
/** What a result observed, without where and how fast it ran. */
const observed = (r: EscapeJobResult | undefined) => r && { job: r.job, escapes: r.escapes, censored: r.censored, stepsRun: r.stepsRun };
// No worker dies here, so the default 10 s lock: a busy machine never makes a live worker lose its job to another,
// which would run it twice (harmless, as the results show, but these tests count runs).
const fast = { stalledIntervalMs: 1_000 } as const;

describe.skipIf(!redisServerAvailable)('queueRunner and startQueueWorker on a real Redis', () => {
  let redis: TestRedis;
  let reference: EscapeJobResult[];
  const workers: QueueWorker[] = [];
  const worker = async (onEvent?: (e: QueueWorkerEvent) => void): Promise<QueueWorker> => {
    const w = await startQueueWorker({ url: redis.url, ...fast, ...(onEvent ? { onEvent } : {}) });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    reference = await inProcessRunner().run(jobs);
  });
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    const r = new Redis(parseRedisUrl(redis.url));
    await r.flushall();
    r.disconnect();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  test('two workers give the in-process results bit for bit, a duplicate counts once, and a re-run reuses them all', async () => {
    const started: string[] = [];
    const onEvent = (e: QueueWorkerEvent): void => void (e.type === 'started' && started.push(e.id));
    await worker(onEvent);
    await worker(onEvent);
    const events: QueueRunnerEvent[] = [];
    const withDuplicate = [...jobs, { ...jobs[0]! }];
    const done: number[] = [];
    const results = await queueRunner({ url: redis.url, onEvent: (e) => events.push(e) }).run(withDuplicate, { onJobDone: (i) => done.push(i) });
    expect(results.map(observed)).toEqual([...reference, reference[0]].map(observed));
    expect(done.sort((a, b) => a - b)).toEqual(withDuplicate.map((_, i) => i));
    expect(new Set(started).size).toBe(jobs.length);
    expect(started.length).toBe(jobs.length);
    expect(events[0]).toEqual({ type: 'submitted', jobs: jobs.length, reused: 0, enqueued: jobs.length });

    const again: QueueRunnerEvent[] = [];
    const rerun = await queueRunner({ url: redis.url, onEvent: (e) => again.push(e) }).run(jobs);
    expect(rerun.map(observed)).toEqual(reference.map(observed));
    expect(again[0]).toEqual({ type: 'submitted', jobs: jobs.length, reused: jobs.length, enqueued: 0 });
    expect(started.length).toBe(jobs.length);
  });

  test('a job that fails on every attempt is reported with its error after its retries; the rest finish', async () => {
    const failures: QueueWorkerEvent[] = [];
    await worker((e) => void (e.type === 'failed' && failures.push(e)));
    const bad: EscapeJob = { ...jobs[1]!, boundary: 'nowhere' };
    const sweep = [jobs[0]!, bad, jobs[2]!];
    const error = await queueRunner({ url: redis.url, attempts: 2, backoffMs: 50 }).run(sweep).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SweepIncomplete);
    const incomplete = error as SweepIncomplete;
    expect(incomplete.failed).toHaveLength(1);
    expect(incomplete.failed[0]).toMatchObject({ index: 1, attempts: 2 });
    expect(incomplete.failed[0]!.error).toMatch(/boundary/);
    expect(incomplete.unfinished).toEqual([]);
    expect(incomplete.interrupted).toBe(false);
    expect(incomplete.results.map(observed)).toEqual([observed(reference[0]), undefined, observed(reference[2])]);
    expect(failures.map((f) => (f.type === 'failed' ? f.attempt : 0))).toEqual([1, 2]);
  });

  test('close() mid-job puts the job back in the queue with nothing stored; another worker finishes it', async () => {
    const long = jobs[0]!; // the grid's longest job first
    const id = queueJobId(long);
    let release!: () => void;
    const releasing = new Promise<void>((r) => (release = r));
    const events: QueueWorkerEvent['type'][] = [];
    const first = await worker((e) => {
      events.push(e.type);
      if (e.type === 'started') release();
    });
    const sweep = queueRunner({ url: redis.url }).run([long]);
    await releasing;
    await first.close();
    expect(events).toEqual(['started', 'released']);
    const r = new Redis(parseRedisUrl(redis.url));
    expect(await r.lrange('kramers:kramers-escape:wait', 0, -1)).toEqual([id]);
    expect(await r.lrange('kramers:kramers-escape:active', 0, -1)).toEqual([]);
    expect(await r.hexists('kramers:kramers-escape:results', id)).toBe(0);
    r.disconnect();
    await worker();
    expect((await sweep).map(observed)).toEqual([observed(reference[0])]);
  });

  test('a password-protected Redis: a wrong password is refused with a clear error, the right one in the URL works', async () => {
    const admin = new Redis(parseRedisUrl(redis.url));
    await admin.config('SET', 'requirepass', 's3cret');
    try {
      const wrong = redis.url.replace('redis://', 'redis://:nope@');
      const error = await queueRunner({ url: wrong }).run(jobs.slice(0, 1)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueueConnectionError);
      expect((error as Error).message).toMatch(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \((WRONGPASS|NOAUTH|ERR)/);
      expect((error as Error).message).not.toContain('nope');
      const right = redis.url.replace('redis://', 'redis://:s3cret@');
      workers.push(await startQueueWorker({ url: right, ...fast }));
      const [result] = await queueRunner({ url: right }).run(jobs.slice(0, 1));
      expect(observed(result)).toEqual(observed(reference[0]));
    } finally {
      await Promise.all(workers.splice(0).map((w) => w.close()));
      await admin.auth('s3cret');
      await admin.config('SET', 'requirepass', '');
      admin.disconnect();
    }
  });

  test('SIGKILL of Redis mid-sweep (append-only file, fsync always) and a restart lose no finished result', async () => {
    const finished: string[] = [];
    const started: string[] = [];
    let crashed: Promise<void> | undefined;
    await worker((e) => {
      if (e.type === 'started') started.push(e.id);
      if (e.type !== 'finished') return;
      finished.push(e.id);
      if (finished.length === 2) crashed = redis.crashAndRestart();
    });
    const results = await queueRunner({ url: redis.url }).run(jobs);
    await crashed;
    expect(results.map(observed)).toEqual(reference.map(observed));
    const r = new Redis(parseRedisUrl(redis.url));
    const stored = Object.keys(await r.hgetall('kramers:kramers-escape:results'));
    r.disconnect();
    expect(stored.sort()).toEqual(jobs.map(queueJobId).sort());
    expect(finished.length).toBeGreaterThanOrEqual(2);
    // Nothing stored before the crash had to be computed again.
    expect(started.sort()).toEqual(jobs.map(queueJobId).sort());
  });
});
