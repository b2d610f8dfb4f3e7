import type { EscapeJobResult } from './escape-job.js';
import type { EscapeRunner } from './escape-runner.js';
import { runAnyEscapeJob } from './run-any-escape-job.js';

/** Runs the jobs one after another on this thread's tfjs backend, yielding to the event loop so signals are heard. */
export function inProcessRunner(): EscapeRunner {
  return {
    name: 'in-process',
    async run(jobs, hooks = {}) {
      const results: EscapeJobResult[] = [];
      for (const [i, job] of jobs.entries()) {
        const result = await runAnyEscapeJob(job, {
          onProgress: (steps, remaining) => hooks.onProgress?.(i, steps, remaining),
          shouldStop: hooks.shouldStop,
        });
        results.push(result);
        hooks.onJobDone?.(i, result);
      }
      return results;
    },
  };
}
