import type { RedisOptions } from 'ioredis';
import { parseRedisUrl } from './redis-url.js';

/** Where a sweep's queue lives: shared by the submitter and every worker, which must agree on all of it. */
export interface QueueLocation {
  /** redis://[user:password@]host:port[/db], or rediss:// for TLS. */
  readonly url: string;
  /** BullMQ queue name (default 'kramers-escape'); sweeps on different names share nothing. */
  readonly queueName?: string;
  /** Key prefix in Redis (default 'kramers'). */
  readonly prefix?: string;
}

export const DEFAULT_QUEUE_NAME = 'kramers-escape';
export const DEFAULT_PREFIX = 'kramers';

export interface ResolvedLocation {
  readonly connection: RedisOptions;
  readonly queueName: string;
  readonly prefix: string;
  /** The hash of finished results, field = queueJobId, value = { key, result } as JSON. */
  readonly resultsKey: string;
}

export function resolveLocation(location: QueueLocation): ResolvedLocation {
  const connection = parseRedisUrl(location.url);
  const queueName = location.queueName ?? DEFAULT_QUEUE_NAME;
  const prefix = location.prefix ?? DEFAULT_PREFIX;
  if (queueName === '' || queueName.includes(':')) throw new RangeError(`queueName "${queueName}": use a non-empty name without ':'`);
  return { connection, queueName, prefix, resultsKey: `${prefix}:${queueName}:results` };
}
