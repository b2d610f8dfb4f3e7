/** The dashboard's /events stream as the Redis tests read it, and a time-bounded wait. */
export { openSse, type SseReader } from '../../../test/support/sse-reader.js';

/** Resolves once `condition()` holds, polled every 20 ms; rejects naming `what` after `timeoutMs`. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never happened within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
