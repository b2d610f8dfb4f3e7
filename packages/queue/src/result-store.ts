import type { Redis } from 'ioredis';
import { escapeJobKey, type EscapeJobResult } from '@kramers/experiments';

/**
 * Finished results live in one Redis hash, keyed by the job's queue id, apart from BullMQ's job records: a result
 * is written once (HSETNX: a retried or duplicated job never replaces or adds to it), survives the job's removal
 * from the queue, and is what a re-run of the sweep reuses.
 */
interface StoredResult {
  readonly key: string;
  readonly result: EscapeJobResult;
}

/** Writes the result unless one is stored already; true when this call wrote it. */
export async function storeResult(redis: Redis, resultsKey: string, id: string, result: EscapeJobResult): Promise<boolean> {
  const value: StoredResult = { key: escapeJobKey(result.job), result };
  return (await redis.hsetnx(resultsKey, id, JSON.stringify(value))) === 1;
}

/**
 * The stored results of these ids (undefined where none is). A stored entry whose key is not the job's (a digest
 * collision, or a hand-edited hash) is ignored rather than trusted.
 */
export async function readResults(redis: Redis, resultsKey: string, ids: readonly string[], keys: readonly string[]): Promise<(EscapeJobResult | undefined)[]> {
  if (ids.length === 0) return [];
  const raw = await redis.hmget(resultsKey, ...ids);
  return raw.map((text, i) => {
    if (text === null) return undefined;
    const stored = JSON.parse(text) as StoredResult;
    return stored.key === keys[i] ? stored.result : undefined;
  });
}

export async function hasResult(redis: Redis, resultsKey: string, id: string): Promise<boolean> {
  return (await redis.hexists(resultsKey, id)) === 1;
}
