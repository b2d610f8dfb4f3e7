import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EscapeJob, EscapeJobResult } from './escape-job.js';
import type { EscapeRunner } from './escape-runner.js';
import type { WorkerReply, WorkerRequest } from './escape-worker-protocol.js';

export interface WorkerThreadRunnerOptions {
  /** Number of worker threads (each runs one job at a time on its own tfjs backend). */
  readonly workers: number;
  /** 'auto' (wasm, else cpu), 'wasm' or 'cpu'. */
  readonly backend?: string;
}

/** The built worker script; from sources (tests, tsx) the package's dist build is used, so build first. */
function workerScript(): URL {
  const here = new URL('./escape-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL('../../dist/escape/escape-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error('worker threads need the built package: run `npm run build` (or tsc -b) first');
}

/**
 * Runs jobs on N worker threads, longest expected first is the caller's choice of order; each worker takes the next
 * job when it finishes one. Results come back in the order of the job list, identical to an in-process run (every
 * replica's random stream depends only on the job's seed and the replica's id).
 */
export function workerThreadRunner(options: WorkerThreadRunnerOptions): EscapeRunner {
  const count = options.workers;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`workers = ${String(count)}; use an integer ≥ 1, e.g. 2`);
  }
  return {
    name: `worker-threads×${count}`,
    async run(jobs: readonly EscapeJob[], hooks = {}) {
      const results: (EscapeJobResult | undefined)[] = new Array(jobs.length);
      let next = 0;
      let failure: Error | undefined;
      const script = workerScript();
      const one = async (): Promise<void> => {
        if (next >= jobs.length) return;
        const worker = new Worker(script, { workerData: { backend: options.backend ?? 'auto' } });
        try {
          while (next < jobs.length && failure === undefined) {
            const index = next++;
            const result = await new Promise<EscapeJobResult>((resolve, reject) => {
              const stopPoll = setInterval(() => {
                if (hooks.shouldStop?.() === true) worker.postMessage({ type: 'stop' } satisfies WorkerRequest);
              }, 200);
              const onMessage = (reply: WorkerReply): void => {
                if (reply.type === 'progress') hooks.onProgress?.(index, reply.stepsRun, reply.remaining);
                else {
                  clearInterval(stopPoll);
                  worker.off('message', onMessage);
                  worker.off('error', onError);
                  if (reply.type === 'result') resolve(reply.result);
                  else reject(new Error(`escape job ${index} failed in a worker: ${reply.message}`));
                }
              };
              const onError = (err: Error): void => {
                clearInterval(stopPoll);
                worker.off('message', onMessage);
                reject(err);
              };
              worker.on('message', onMessage);
              worker.once('error', onError);
              worker.postMessage({ type: 'run', job: jobs[index]! } satisfies WorkerRequest);
            });
            results[index] = result;
            hooks.onJobDone?.(index, result);
          }
        } catch (err) {
          failure ??= err instanceof Error ? err : new Error(String(err));
        } finally {
          await worker.terminate();
        }
      };
      await Promise.all(Array.from({ length: Math.min(count, jobs.length) }, one));
      if (failure !== undefined) throw failure;
      return results as EscapeJobResult[];
    },
  };
}
