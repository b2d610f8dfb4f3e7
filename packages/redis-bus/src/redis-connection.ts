/**
 * An ioredis connection that never queues in memory on its own: while disconnected a command fails at once
 * (enableOfflineQueue false), and commands in flight when the connection drops fail at the first reconnect attempt
 * instead of waiting to be resent (maxRetriesPerRequest 0, no automatic resend). The bus keeps its own bounded queue
 * and resends from it; ioredis only reconnects, forever, with a capped backoff.
 */
import { Redis } from 'ioredis';

/** Reconnect delay after `attempt` failures: 100 ms doubling to at most 2 s, so an outage costs a few connects a second at most. */
export const reconnectDelayMs = (attempt: number): number => Math.min(100 * 2 ** Math.min(attempt - 1, 5), 2000);

export function redisConnection(url: string, connectionName: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: reconnectDelayMs,
    connectionName,
  });
}

/** An ioredis error as one line: its system code (ECONNREFUSED, …) first when the message does not already say it. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
