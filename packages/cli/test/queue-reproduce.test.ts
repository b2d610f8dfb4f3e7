import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { parseRedisUrl } from '@kramers/queue';
import { redisServerAvailable, startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { cli, kramers, startCli, waitForMatch } from './run-cli.js';

// The quick Styblinski–Tang grid with 10 replicas a point: 17 jobs of 0.1–5 s, the whole sweep in about 15 s.
const SWEEP = ['reproduce', 'styblinski-tang', '--quick', '--replicas', '10'];
// Short locks, so the job of a killed worker goes to another within seconds.
const FAST_STALL = ['--lock-duration', '3000', '--stalled-interval', '1000'];
const RESULTS = 'kramers:kramers-escape:results';

interface FigureDoc {
  figure: string;
  jobs: number;
  runner: string;
  panels: { id: string; points: unknown[] }[];
  missing?: { panels: string[]; job: string; reason: string }[];
}
const readDoc = (out: string): FigureDoc => JSON.parse(readFileSync(join(out, 'styblinski-tang.json'), 'utf8')) as FigureDoc;

const dir = mkdtempSync(join(tmpdir(), 'kramers-queue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kramers reproduce --queue: usage errors', () => {
  test('--queue with --workers > 1, a malformed URL and an unreachable Redis each exit with one line naming --queue', async () => {
    const both = await kramers(...SWEEP, '--queue', 'redis://127.0.0.1:1', '--workers', '2', '--out', join(dir, 'none'));
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--queue and --workers 2 do not combine.*drop --workers/);
    const bad = await kramers(...SWEEP, '--queue', 'localhost:6379', '--out', join(dir, 'none'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--queue: queue URL "localhost:6379": scheme "localhost:" is not redis: or rediss:; write redis:\/\/host:port/);
    const worker = await kramers('worker', '--queue', 'http://h:1');
    expect(worker.code).toBe(2);
    expect(worker.err).toMatch(/^kramers: --queue: queue URL "http:\/\/h:1"/);
  });

  test.skipIf(!redisServerAvailable)('a Redis nobody listens on: exit 1, saying where and what to do', async () => {
    const { freePort } = await import('../../../test/support/redis-server.js');
    const port = await freePort();
    const run = await kramers(...SWEEP, '--queue', `redis://127.0.0.1:${port}`, '--out', join(dir, 'none'));
    expect(run.code).toBe(1);
    expect(run.err).toContain(`kramers: --queue: cannot reach Redis at redis://127.0.0.1:${port} (connect ECONNREFUSED`);
  });
});

describe.skipIf(!redisServerAvailable)('kramers reproduce --queue with kramers worker processes', () => {
  let redis: TestRedis;
  let reference: FigureDoc;
  const running: ReturnType<typeof startCli>[] = [];
  const worker = async (): Promise<ReturnType<typeof startCli>> => {
    const w = startCli(['worker', '--queue', redis.url, ...FAST_STALL]);
    running.push(w);
    await waitForMatch(w.stderr, /taking escape jobs from queue kramers-escape/);
    return w;
  };
  const storedIds = async (): Promise<string[]> => {
    const r = new Redis(parseRedisUrl(redis.url));
    const ids = await r.hkeys(RESULTS);
    r.disconnect();
    return ids;
  };

  beforeAll(async () => {
    const out = join(dir, 'in-process');
    const run = await cli([...SWEEP, '--out', out]);
    expect(run.code).toBe(0);
    reference = readDoc(out);
  });
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterEach(async () => {
    for (const w of running.splice(0)) {
      w.child.kill('SIGKILL');
      await w.exited;
    }
    const r = new Redis(parseRedisUrl(redis.url));
    await r.flushall();
    r.disconnect();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  // One sweep for both claims (CI time): two worker processes give the in-process figure bit for bit, and one of them
  // SIGKILLed mid-job halfway through changes nothing: its job goes to the other and every job counts once.
  test('two worker processes, one SIGKILLed mid-job halfway: the in-process figure bit for bit, every job counted once', async () => {
    const a = await worker();
    const b = await worker();
    const out = join(dir, 'killed');
    const submit = startCli([...SWEEP, '--queue', redis.url, '--out', out]);
    await waitForMatch(submit.stderr, /\[ 6\/17\]/);
    expect(a.stderr()).toMatch(/finished /);
    expect(b.stderr()).toMatch(/finished /);
    const before = (a.stderr().match(/started /g) ?? []).length;
    const started = new RegExp(`(?:[^]*?started .*\\n){${before + 1}}`);
    await waitForMatch(a.stderr, started);
    a.child.kill('SIGKILL');
    await a.exited;
    const inHand = [...a.stderr().matchAll(/started .* \[([0-9a-f]{12})\]/g)].at(-1)![1]!;
    const finishedByA = a.stderr().includes(`finished`) && new RegExp(`started [^\\n]*\\[${inHand}\\]\\n[^]*finished`).test(a.stderr());
    expect(await submit.exited).toBe(0);
    expect(submit.stderr()).toContain('queue: 0 of 17 results stored by an earlier run (reused), 17 jobs enqueued');
    expect(submit.stderr()).toMatch(/running: \d+ iterations, \d+\/10 inside/);
    const doc = readDoc(out);
    expect(doc.runner).toBe(`queue kramers-escape at ${redis.url}`);
    expect(doc.jobs).toBe(17);
    expect(doc.panels).toEqual(reference.panels);
    // The SVG figures are the local run's, byte for byte (they show neither the runner nor the time taken).
    const svgs = readdirSync(join(dir, 'in-process')).filter((f) => f.endsWith('.svg')).sort();
    expect(svgs.length).toBe(9);
    expect(readdirSync(out).filter((f) => f.endsWith('.svg')).sort()).toEqual(svgs);
    for (const f of svgs) expect(readFileSync(join(out, f), 'utf8')).toBe(readFileSync(join(dir, 'in-process', f), 'utf8'));
    expect((await storedIds()).length).toBe(17);
    if (!finishedByA) expect(b.stderr()).toContain(`[${inHand}]`);
  });

  test('Ctrl-C in the submitter: unstarted jobs leave the queue, the figure has the finished points, a re-run reuses them', async () => {
    await worker();
    const out = join(dir, 'interrupted');
    const submit = startCli([...SWEEP, '--queue', redis.url, '--out', out]);
    await waitForMatch(submit.stderr, /\[ 3\/17\]/);
    submit.child.kill('SIGINT');
    expect(await submit.exited).toBe(130);
    expect(submit.stderr()).toMatch(/queue: \d+ jobs not started taken off the queue; [01] running jobs finish on their workers/);
    const partial = readDoc(out);
    expect(partial.missing!.length).toBeGreaterThan(0);
    expect(partial.missing!.length + partial.jobs).toBe(17);
    expect(partial.missing!.every((m) => m.reason === 'unfinished: the sweep was stopped first')).toBe(true);
    const r = new Redis(parseRedisUrl(redis.url));
    const counts = { wait: await r.llen('kramers:kramers-escape:wait'), delayed: await r.zcard('kramers:kramers-escape:delayed') };
    r.disconnect();
    expect(counts).toEqual({ wait: 0, delayed: 0 });

    // The re-run reuses every stored result (stopped once that is seen: finishing it is the other test's business).
    const rerun = startCli([...SWEEP, '--queue', redis.url, '--out', join(dir, 'rerun')]);
    const [, reused] = await waitForMatch(rerun.stderr, /queue: (\d+) of 17 results stored by an earlier run/);
    expect(Number(reused)).toBeGreaterThanOrEqual(partial.jobs);
    expect(Number(reused)).toBe((await storedIds()).length);
    rerun.child.kill('SIGINT');
    expect(await rerun.exited).toBe(130);

    const w = running.pop()!;
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(143);
    expect(w.stderr()).toContain('kramers worker: SIGTERM: stopping');
  });
});
