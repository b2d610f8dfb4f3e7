import type { EscapeJob } from '@kramers/experiments';

/** What a queued job carries: the escape job itself and its canonical key (checked by the worker against its id). */
export interface QueueJobData {
  readonly key: string;
  readonly job: EscapeJob;
}

/** A worker's progress report on a job (BullMQ job progress). */
export interface QueueJobProgress {
  readonly stepsRun: number;
  readonly remaining: number;
}

/** BullMQ's name for every kramers job on the queue. */
export const JOB_NAME = 'escape';
