import { isModelJob, type EscapeJob, type EscapeJobResult } from './escape-job.js';
import { runEscapeJob, type RunEscapeOptions } from './run-escape-job.js';
import { runModelEscapeJob } from './run-model-escape-job.js';

/** Runs a landscape or a model escape job: what every runner calls. */
export function runAnyEscapeJob(job: EscapeJob, options: RunEscapeOptions = {}): Promise<EscapeJobResult> {
  return isModelJob(job) ? runModelEscapeJob(job, options) : runEscapeJob(job, options);
}
