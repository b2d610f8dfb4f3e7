import type { EscapeJob, EscapeJobResult } from './escape-job.js';

/** Messages between a worker-thread runner and its workers (structured-clone safe). */
export type WorkerRequest = { readonly type: 'run'; readonly job: EscapeJob } | { readonly type: 'stop' };

export type WorkerReply =
  | { readonly type: 'progress'; readonly stepsRun: number; readonly remaining: number }
  | { readonly type: 'result'; readonly result: EscapeJobResult }
  | { readonly type: 'error'; readonly message: string };
