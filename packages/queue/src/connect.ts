import type { Redis } from 'ioredis';
import { redact } from './redis-url.js';

/** Redis could not be reached (or refused the credentials) when a runner or worker started. */
export class QueueConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueConnectionError';
  }
}

/** Connects a lazyConnect client, failing with a message that says where and what to do instead of retrying forever. */
export async function connectOrExplain(redis: Redis, url: string, timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  // ioredis reports the cause (ECONNREFUSED, WRONGPASS …) as an 'error' event and rejects with a generic message.
  let cause: string | undefined;
  const onError = (err: Error): void => void (cause ??= err.message);
  redis.on('error', onError);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([redis.connect().then(() => redis.ping()), timeout]);
  } catch (err) {
    redis.disconnect();
    throw new QueueConnectionError(`cannot reach Redis at ${redact(url)} (${cause ?? (err as Error).message}); start redis-server there or fix the URL`);
  } finally {
    clearTimeout(timer);
    redis.off('error', onError);
  }
}
