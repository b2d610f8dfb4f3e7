import type { QueueWorkerEvent } from '@kramers/queue';
import { jobLabel } from '../reproduce/job-label.js';

/** One log line per thing a worker does; `slot` tells the processes of one `kramers worker --concurrency N` apart. */
export function workerEventLine(e: QueueWorkerEvent, slot: string): string {
  const head = `kramers worker${slot}:`;
  switch (e.type) {
    case 'started':
      return `${head} started  ${jobLabel(e.job)}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''} [${e.id.slice(0, 12)}]`;
    case 'finished':
      return `${head} finished ${jobLabel(e.job)}: ${e.result.escapes.length}/${e.job.replicas} escaped in ${e.result.stepsRun} iterations, ${(e.result.elapsedMs / 1000).toFixed(1)} s${e.stored ? '' : ' (a result was stored already; kept that one)'}`;
    case 'reused':
      return `${head} ${jobLabel(e.job)}: its result is stored already; not run again`;
    case 'failed':
      return `${head} failed   ${jobLabel(e.job)} (attempt ${e.attempt} of ${e.attempts}): ${e.error}`;
    case 'released':
      return `${head} released ${jobLabel(e.job)} back to the queue, nothing stored`;
    case 'stalled':
      return `${head} job ${e.id.slice(0, 12)} lost its worker (killed?); back in the queue`;
    case 'error':
      return `${head} ${e.message}`;
  }
}
