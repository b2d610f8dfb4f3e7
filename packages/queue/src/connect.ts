import type { Redis } from 'ioredis';
import { redact } from './redis-url.js';

/** Connects a lazyConnect client, failing with a message that says where and what to do instead of retrying forever. */
export async function connectOrExplain(redis: Redis, url: string, timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([redis.connect().then(() => redis.ping()), timeout]);
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${redact(url)} (${(err as Error).message}); start redis-server there or fix the URL`);
  } finally {
    clearTimeout(timer);
  }
}
