import type { EscapeJob, EscapeJobResult } from './escape-job.js';

export interface RunnerHooks {
  /** Progress of job `index` (iterations run, replicas still inside). */
  readonly onProgress?: (index: number, stepsRun: number, remaining: number) => void;
  readonly onJobDone?: (index: number, result: EscapeJobResult) => void;
  /** Polled between iterations: true stops every job, leaving the unfinished replicas censored. */
  readonly shouldStop?: () => boolean;
}

/**
 * Executes a list of independent escape jobs and returns their results in the order given. Experiments only build
 * job lists, so where jobs run (this thread, worker threads, a queue) is the runner's business alone.
 */
export interface EscapeRunner {
  readonly name: string;
  run(jobs: readonly EscapeJob[], hooks?: RunnerHooks): Promise<EscapeJobResult[]>;
}
