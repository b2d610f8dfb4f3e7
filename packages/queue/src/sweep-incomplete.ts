import type { EscapeJob, EscapeJobResult } from '@kramers/experiments';

/** A job that failed on every attempt, with the last attempt's error. */
export interface FailedJob {
  readonly index: number;
  readonly job: EscapeJob;
  readonly error: string;
  readonly attempts: number;
}

/**
 * A queue sweep that ended without every result: some jobs failed after their retries, or the submitter was
 * stopped. Everything else ran to the end; `results` has those (undefined where a job has none), in job order.
 */
export class SweepIncomplete extends Error {
  readonly results: readonly (EscapeJobResult | undefined)[];
  readonly failed: readonly FailedJob[];
  /** Indices of jobs neither finished nor failed (the submitter stopped first). */
  readonly unfinished: readonly number[];
  readonly interrupted: boolean;

  constructor(parts: { results: readonly (EscapeJobResult | undefined)[]; failed: readonly FailedJob[]; unfinished: readonly number[]; interrupted: boolean }) {
    const n = parts.results.length;
    const what = [
      parts.failed.length > 0 ? `${parts.failed.length} failed (${parts.failed.map((f) => `job ${f.index}: ${f.error}`).join('; ')})` : '',
      parts.unfinished.length > 0 ? `${parts.unfinished.length} unfinished (stopped)` : '',
    ].filter((s) => s !== '');
    super(`${n - parts.results.filter((r) => r !== undefined).length} of ${n} escape jobs have no result: ${what.join(', ')}`);
    this.name = 'SweepIncomplete';
    this.results = parts.results;
    this.failed = parts.failed;
    this.unfinished = parts.unfinished;
    this.interrupted = parts.interrupted;
  }
}
