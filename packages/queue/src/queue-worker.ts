import { UnrecoverableError, WaitingError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { escapeJobKey, runAnyEscapeJob, type EscapeJob, type EscapeJobResult, type RunEscapeOptions } from '@kramers/experiments';
import { queueJobId } from './job-id.js';
import type { QueueJobData, QueueJobProgress } from './queue-job.js';
import { resolveLocation, type QueueLocation } from './queue-settings.js';
import { hasResult, storeResult } from './result-store.js';
import { connectOrExplain } from './connect.js';

/** What a worker does, as it happens (for the `kramers worker` log and for tests). */
export type QueueWorkerEvent =
  | { readonly type: 'started'; readonly id: string; readonly job: EscapeJob; readonly attempt: number }
  | { readonly type: 'finished'; readonly id: string; readonly job: EscapeJob; readonly result: EscapeJobResult; readonly stored: boolean }
  /** The job's result was stored already (its earlier run finished, then the worker died before BullMQ heard): not run again. */
  | { readonly type: 'reused'; readonly id: string; readonly job: EscapeJob }
  | { readonly type: 'failed'; readonly id: string; readonly job: EscapeJob; readonly error: string; readonly attempt: number; readonly attempts: number }
  /** Stopped by close() before it finished: put back in the queue for another worker, nothing stored. */
  | { readonly type: 'released'; readonly id: string; readonly job: EscapeJob }
  /** A job whose worker stopped renewing its lock (killed, or frozen) was put back in the queue by this worker. */
  | { readonly type: 'stalled'; readonly id: string }
  | { readonly type: 'error'; readonly message: string };

export interface QueueWorkerOptions extends QueueLocation {
  /**
   * Jobs this worker runs at once (default 1). With the default runJob they share this thread's tfjs backend, which
   * runs one op at a time: for more cores, run more worker processes (`kramers worker --concurrency N` does).
   */
  readonly concurrency?: number;
  /**
   * How long a job's lock lasts without renewal (default 10 000 ms); the worker renews it every half of that. A killed
   * worker's job is given to another after at most lockDurationMs + stalledIntervalMs.
   */
  readonly lockDurationMs?: number;
  /** How often this worker looks for jobs whose lock expired (default 5 000 ms). */
  readonly stalledIntervalMs?: number;
  /** Times a job may be recovered from a dead worker before it counts as failed (default 2). */
  readonly maxStalledCount?: number;
  /** Minimum time between two progress reports of a job (default 500 ms). */
  readonly progressIntervalMs?: number;
  /** Runs one job (default runAnyEscapeJob on this thread's tfjs backend, which the caller has set up). */
  readonly runJob?: (job: EscapeJob, options: RunEscapeOptions) => Promise<EscapeJobResult>;
  readonly onEvent?: (event: QueueWorkerEvent) => void;
}

export interface QueueWorker {
  /**
   * Stops taking jobs; a job in hand stops at its next yield and goes back to the queue (released, nothing stored),
   * unless it finished first; then disconnects. Idempotent.
   */
  close(): Promise<void>;
}

/** A job stopped before its natural end: replicas left inside, budget not spent. */
const truncated = (r: EscapeJobResult): boolean => r.censored > 0 && r.stepsRun < r.job.maxSteps;

/**
 * Processes escape jobs from the queue until closed. Each result is written to the result store before BullMQ marks
 * the job done, so a worker killed in between leaves a result that the retry finds and does not recompute; a
 * result already stored is never overwritten.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const location = resolveLocation(options);
  const emit = options.onEvent ?? (() => {});
  const runJob = options.runJob ?? runAnyEscapeJob;
  const progressEvery = options.progressIntervalMs ?? 500;
  // Commands wait through a Redis restart instead of failing: a finished result is stored once Redis is back.
  const redisOptions = { ...location.connection, maxRetriesPerRequest: null };
  const store = new Redis({ ...redisOptions, lazyConnect: true });
  const connection = redisOptions as ConnectionOptions;
  store.on('error', () => {});
  await connectOrExplain(store, options.url);
  let stopping = false;

  const processor = async (bull: Job<QueueJobData>, token?: string): Promise<{ readonly stored: boolean }> => {
    const { job, key } = bull.data;
    const id = bull.id ?? '';
    if (escapeJobKey(job) !== key || queueJobId(job) !== id) {
      throw new UnrecoverableError('the job does not match its id (submitted by a different kramers version?); resubmit the sweep');
    }
    if (await hasResult(store, location.resultsKey, id)) {
      emit({ type: 'reused', id, job });
      return { stored: false };
    }
    emit({ type: 'started', id, job, attempt: bull.attemptsMade + 1 });
    let last = 0;
    const result = await runJob(job, {
      onProgress: (stepsRun, remaining) => {
        const now = Date.now();
        if (now - last < progressEvery) return;
        last = now;
        bull.updateProgress({ stepsRun, remaining } satisfies QueueJobProgress).catch(() => {});
      },
      shouldStop: () => stopping,
    });
    if (stopping && truncated(result)) {
      // Back to the queue for another worker: a truncated result must never be stored as the job's.
      await bull.moveToWait(token);
      emit({ type: 'released', id, job });
      throw new WaitingError();
    }
    const stored = await storeResult(store, location.resultsKey, id, result);
    emit({ type: 'finished', id, job, result, stored });
    return { stored };
  };

  const worker = new Worker<QueueJobData>(location.queueName, processor, {
    connection,
    prefix: location.prefix,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDurationMs ?? 10_000,
    stalledInterval: options.stalledIntervalMs ?? 5_000,
    maxStalledCount: options.maxStalledCount ?? 2,
    // Finished results live in the result store; the job records are only the queue's bookkeeping.
    removeOnComplete: { count: 0 },
    autorun: true,
  });
  worker.on('failed', (bull, err) => {
    if (bull === undefined) return;
    emit({ type: 'failed', id: bull.id ?? '', job: bull.data.job, error: err.message, attempt: bull.attemptsMade, attempts: bull.opts.attempts ?? 1 });
  });
  worker.on('stalled', (id) => emit({ type: 'stalled', id }));
  worker.on('error', (err) => emit({ type: 'error', message: err.message }));
  await worker.waitUntilReady();

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        stopping = true;
        await worker.close();
        await store.quit().catch(() => store.disconnect());
      })();
      return closing;
    },
  };
}
