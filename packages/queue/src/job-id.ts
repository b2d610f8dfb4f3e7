import { createHash } from 'node:crypto';
import { escapeJobKey, type EscapeJob } from '@kramers/experiments';

/**
 * The queue's id of a job: a digest of its canonical key (configuration and seed), so the same job submitted twice,
 * retried or re-run later has one id, which BullMQ dedupes on and the result store is keyed by. A digest because
 * the key is long JSON and BullMQ ids may not contain ':'.
 */
export function queueJobId(job: EscapeJob): string {
  return createHash('sha256').update(escapeJobKey(job)).digest('hex');
}
