import { Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { escapeJobKey, type EscapeJob, type EscapeJobResult, type EscapeRunner, type RunnerHooks } from '@kramers/experiments';
import { connectOrExplain } from './connect.js';
import { queueJobId } from './job-id.js';
import { JOB_NAME, type QueueJobData, type QueueJobProgress } from './queue-job.js';
import { resolveLocation, type QueueLocation } from './queue-settings.js';
import { redact } from './redis-url.js';
import { hasResult, readResults } from './result-store.js';
import { SweepIncomplete, type FailedJob } from './sweep-incomplete.js';

/** What the submitter does with the queue, as it happens (for the CLI's log and for tests). */
export type QueueRunnerEvent =
  /** Connected; `reused` jobs already had a stored result, `enqueued` were added (the rest were queued already). */
  | { readonly type: 'submitted'; readonly jobs: number; readonly reused: number; readonly enqueued: number }
  /** A job vanished from the queue without a result (removed by another submitter, or lost with Redis): added again. */
  | { readonly type: 'requeued'; readonly index: number }
  | { readonly type: 'redis-unreachable'; readonly message: string }
  | { readonly type: 'redis-back' }
  /** After a stop: waiting jobs taken off the queue, and jobs left to finish on workers (their results are stored). */
  | { readonly type: 'withdrawn'; readonly removed: number; readonly running: number }
  /** Redis keeps no append-only file: a restart of Redis may lose finished results. */
  | { readonly type: 'no-persistence' };

export interface QueueRunnerOptions extends QueueLocation {
  /** Tries per job before it counts as failed (default 3). */
  readonly attempts?: number;
  /** First retry delay; it doubles with each retry (default 1 000 ms). */
  readonly backoffMs?: number;
  /** How often the submitter checks the result store and the jobs' states (default 500 ms; events wake it sooner). */
  readonly pollMs?: number;
  readonly onEvent?: (event: QueueRunnerEvent) => void;
}

/**
 * A runner that puts the jobs on a BullMQ queue and collects their results from the result store, where any number
 * of `startQueueWorker` processes on any machine that reaches Redis put them. Jobs are keyed by configuration and
 * seed: results stored by an earlier run are reused, a job queued already is not queued twice, and a result is
 * counted once however often its job ran. Results come back in job order, as from the other runners.
 *
 * When some jobs fail after their retries, the rest run to the end and run() rejects with SweepIncomplete carrying
 * every result there is. When hooks.shouldStop() turns true, jobs not yet started are taken off the queue, jobs
 * running are left to finish and store their results (a re-run reuses them), and run() rejects the same way.
 */
export function queueRunner(options: QueueRunnerOptions): EscapeRunner {
  const location = resolveLocation(options);
  const emit = options.onEvent ?? (() => {});
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 1_000;
  const pollMs = options.pollMs ?? 500;
  if (!Number.isSafeInteger(attempts) || attempts < 1) throw new RangeError(`attempts = ${String(attempts)}; use an integer ≥ 1, e.g. 3`);
  return {
    name: `queue ${location.queueName} at ${redact(options.url)}`,
    async run(jobs: readonly EscapeJob[], hooks: RunnerHooks = {}): Promise<EscapeJobResult[]> {
      const redisOptions = { ...location.connection, maxRetriesPerRequest: null };
      const store = new Redis({ ...redisOptions, lazyConnect: true });
      const connection = redisOptions as ConnectionOptions;
      store.on('error', () => {});
      await connectOrExplain(store, options.url);
      const queue = new Queue(location.queueName, { connection, prefix: location.prefix });
      const events = new QueueEvents(location.queueName, { connection, prefix: location.prefix });
      queue.on('error', () => {});
      events.on('error', () => {});
      try {
        await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
        if (!(await appendOnly(store))) emit({ type: 'no-persistence' });
        return await collect(jobs, hooks, { store, queue, events });
      } finally {
        await Promise.allSettled([events.close(), queue.close()]);
        await store.quit().catch(() => store.disconnect());
      }
    },
  };

  async function collect(
    jobs: readonly EscapeJob[],
    hooks: RunnerHooks,
    io: { store: Redis; queue: Queue; events: QueueEvents },
  ): Promise<EscapeJobResult[]> {
    const { store, queue, events } = io;
    const keys = jobs.map(escapeJobKey);
    const ids = jobs.map(queueJobId);
    const indices = new Map<string, number[]>();
    ids.forEach((id, i) => indices.set(id, [...(indices.get(id) ?? []), i]));
    const results: (EscapeJobResult | undefined)[] = new Array(jobs.length).fill(undefined);
    const failed: FailedJob[] = [];
    const pending = new Set(indices.keys());
    const first = (id: string): number => indices.get(id)![0]!;

    const settle = (id: string, result: EscapeJobResult): void => {
      pending.delete(id);
      for (const i of indices.get(id)!) {
        results[i] = result;
        hooks.onJobDone?.(i, result);
      }
    };
    const add = (id: string): Promise<unknown> =>
      queue.add(JOB_NAME, { key: keys[first(id)]!, job: jobs[first(id)]! } satisfies QueueJobData, {
        jobId: id,
        attempts,
        backoff: { type: 'exponential', delay: backoffMs },
        removeOnComplete: true,
        // A failed job stays for inspection (and tells other submitters it failed); a re-run replaces it.
        removeOnFail: false,
      });

    // Results stored by earlier runs first: those jobs are not queued at all.
    const stored = await readResults(store, location.resultsKey, [...pending], [...pending].map((id) => keys[first(id)]!));
    const open = [...pending];
    const reused = stored.filter((r) => r !== undefined).length;
    let enqueued = 0;
    for (const id of open.filter((_, k) => stored[k] === undefined)) {
      const state = await queue.getJobState(id);
      if (state === 'failed' || state === 'completed') await (await queue.getJob(id))?.remove();
      else if (state !== 'unknown') continue; // queued or running already (another submitter, or a stopped run's job)
      await add(id);
      enqueued++;
    }
    emit({ type: 'submitted', jobs: indices.size, reused, enqueued });
    open.forEach((id, k) => stored[k] !== undefined && settle(id, stored[k]!));

    let wake: (() => void) | undefined;
    const nudge = (): void => wake?.();
    const onProgress = ({ jobId, data }: { jobId: string; data: unknown }): void => {
      const p = data as Partial<QueueJobProgress> | null;
      if (!pending.has(jobId) || typeof p?.stepsRun !== 'number' || typeof p.remaining !== 'number') return;
      for (const i of indices.get(jobId)!) hooks.onProgress?.(i, p.stepsRun, p.remaining);
    };
    events.on('progress', onProgress);
    events.on('completed', nudge);
    events.on('failed', nudge);

    let stopped = false;
    let unreachable = false;
    try {
      while (pending.size > 0) {
        if (hooks.shouldStop?.() === true) {
          stopped = true;
          break;
        }
        try {
          const open = [...pending];
          const found = await readResults(store, location.resultsKey, open, open.map((id) => keys[first(id)]!));
          open.forEach((id, k) => found[k] !== undefined && settle(id, found[k]!));
          for (const id of pending) {
            const state = await queue.getJobState(id);
            // A job that failed for good, unless a result came in meanwhile (its lost worker finished after all).
            if (state === 'failed' && !(await hasResult(store, location.resultsKey, id))) {
              const job = await queue.getJob(id);
              pending.delete(id);
              for (const index of indices.get(id)!) {
                failed.push({ index, job: jobs[index]!, error: job?.failedReason ?? 'failed', attempts: job?.attemptsMade ?? attempts });
              }
            } else if (state === 'unknown' && !(await hasResult(store, location.resultsKey, id))) {
              await add(id);
              emit({ type: 'requeued', index: first(id) });
            }
          }
          if (unreachable) emit({ type: 'redis-back' });
          unreachable = false;
        } catch (err) {
          if (!unreachable) emit({ type: 'redis-unreachable', message: (err as Error).message });
          unreachable = true;
        }
        if (pending.size === 0) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      events.off('progress', onProgress);
      events.off('completed', nudge);
      events.off('failed', nudge);
    }

    if (stopped) emit({ type: 'withdrawn', ...(await withdraw(queue, [...pending])) });
    if (failed.length > 0 || stopped) {
      const unfinished = [...pending].flatMap((id) => indices.get(id)!).sort((a, b) => a - b);
      throw new SweepIncomplete({ results, failed: failed.sort((a, b) => a.index - b.index), unfinished, interrupted: stopped });
    }
    return results as EscapeJobResult[];
  }
}

/**
 * Takes the jobs that no worker has started off the queue, so a stopped sweep leaves no work behind; a job already
 * running cannot be removed (its worker holds the lock) and is left to finish and store its result.
 */
async function withdraw(queue: Queue, ids: readonly string[]): Promise<{ removed: number; running: number }> {
  let removed = 0;
  let running = 0;
  for (const id of ids) {
    try {
      const state = await queue.getJobState(id);
      if (state === 'active') running++;
      else if (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') {
        await queue.remove(id);
        removed++;
      }
    } catch {
      running++; // Started between the two calls (locked), or Redis is gone: either way not ours to remove now.
    }
  }
  return { removed, running };
}

/** Whether Redis writes an append-only file; unknown (CONFIG refused, as on some hosted Redis) counts as yes. */
async function appendOnly(redis: Redis): Promise<boolean> {
  try {
    const reply = (await redis.config('GET', 'appendonly')) as string[];
    return reply[1] !== 'no';
  } catch {
    return true;
  }
}
