/**
 * redisBus(): a MetricBus whose events also go to a Redis stream, for a dashboard on another process or machine.
 * `next()` never waits: it encodes the event and queues it; a background pump sends the queue head as one XADD entry
 * (one batch in flight at a time, so order is kept and a stalled Redis holds one batch, not all of them). When
 * Redis is slow or gone and the queue is at its bound, new events are dropped and counted, with one warning.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Subject } from 'rxjs';
import { ReplyError } from 'ioredis';
import type { KramersEvent, MetricBus } from '@kramers/core';
import { pendingQueue } from './pending-queue.js';
import { describeError, redisConnection } from './redis-connection.js';
import { checkRedisUrl, redactRedisUrl } from './redis-url.js';
import { encodeEvent, entryFields } from './stream-entry.js';

export const DEFAULT_STREAM = 'kramers';

/** Room beyond maxPending for run and plugin-error events (a few per run), so an outage that drops metrics keeps them. */
const RESERVE_EVENTS = 1000;
const RESERVE_BYTES = 1024 * 1024;
/** An entry stops growing at about this many characters (one event may be bigger), so one XADD stays small. */
const MAX_ENTRY_CHARS = 512 * 1024;

export interface RedisBusOptions {
  /** redis://[user:password@]host:port[/db], or rediss:// for TLS. */
  readonly url: string;
  /** Stream key; default 'kramers'. Every process that should appear on one page uses the same one. */
  readonly stream?: string;
  /**
   * Approximate cap on the stream's length in entries (XADD MAXLEN ~); older entries are trimmed. An entry is the
   * batch of events one process sent at once (1 to batchSize). Default 100 000.
   */
  readonly maxLen?: number;
  /**
   * Metric events waiting for Redis before new ones are dropped. Default 10 000. Run and plugin-error events have
   * 1000 places (and 1 MiB) more, so a run's start, end and errors outlast an outage that drops its metrics.
   */
  readonly maxPending?: number;
  /** The same bound in JSON characters (≈ bytes). Default 16 MiB. */
  readonly maxPendingBytes?: number;
  /** Most events in one stream entry (one XADD). Default 1000. */
  readonly batchSize?: number;
  /** Where the one warning about dropped events goes; default console.warn. */
  readonly warn?: (message: string) => void;
}

export interface RedisBusStats {
  /** Events given to next(). */
  readonly published: number;
  /** Events Redis confirmed. */
  readonly sent: number;
  /** Events given up: refused by a full queue, refused by Redis, or still queued when close() timed out. */
  readonly dropped: number;
  /** Events queued now. */
  readonly pending: number;
  readonly pendingBytes: number;
  /** True while the connection is ready. */
  readonly connected: boolean;
}

export interface CloseOptions {
  /** How long close() waits for the queue to reach Redis before giving up on the rest. Default 5000 ms. */
  readonly timeoutMs?: number;
}

export interface RedisBusControls {
  /** The stream key events go to. */
  readonly stream: string;
  stats(): RedisBusStats;
  /**
   * Stops taking events, waits (up to `timeoutMs`) until Redis has every queued event, then disconnects; what is still
   * queued then counts as dropped. Completing the bus (`bus.complete()`) starts the same close. Idempotent.
   */
  close(options?: CloseOptions): Promise<RedisBusStats>;
}

export type RedisBus = MetricBus & RedisBusControls;

const positiveInteger = (value: unknown, field: string, fix: string): number => {
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= 1)) {
    throw new Error(`redisBus: ${field} must be a positive integer (${fix}), got ${String(value)}`);
  }
  return value;
};

export function redisBus(options: RedisBusOptions): RedisBus {
  if (typeof options !== 'object' || options === null) throw new Error('redisBus: pass options, e.g. redisBus({ url: "redis://127.0.0.1:6379" })');
  const url = checkRedisUrl(options.url, 'redisBus: url');
  const stream = options.stream ?? DEFAULT_STREAM;
  if (typeof stream !== 'string' || stream === '') throw new Error(`redisBus: stream must be a non-empty key name, got ${JSON.stringify(stream)}`);
  const maxLen = positiveInteger(options.maxLen ?? 100_000, 'maxLen', 'entries the stream keeps');
  const maxPending = positiveInteger(options.maxPending ?? 10_000, 'maxPending', 'events held while Redis is slow or away');
  const maxPendingBytes = positiveInteger(options.maxPendingBytes ?? 16 * 1024 * 1024, 'maxPendingBytes', 'characters held while Redis is slow or away');
  const batchSize = positiveInteger(options.batchSize ?? 1000, 'batchSize', 'events per stream entry');
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const where = `Redis at ${redactRedisUrl(url)} (stream "${stream}")`;

  const producer = `${hostname()}/${process.pid}/${randomUUID()}`;
  const client = redisConnection(url, 'kramers-redis-bus');
  const queue = pendingQueue({ maxEvents: maxPending, maxBytes: maxPendingBytes, reserveEvents: RESERVE_EVENTS, reserveBytes: RESERVE_BYTES });
  const maxLenArg = String(maxLen);
  let seq = 0;
  let sent = 0;
  let dropped = 0;
  let inFlight = false;
  let scheduled = false;
  let accepting = true;
  // Set when close() gives up: the batch still in flight was counted as dropped, so its late answer counts for nothing.
  let abandoned = false;
  let lastError = 'not connected yet';
  const warned = new Set<'full' | 'refused'>();
  const idle: Array<() => void> = [];

  const warnOnce = (reason: 'full' | 'refused', message: string): void => {
    if (warned.has(reason)) return;
    warned.add(reason);
    warn(message);
  };
  const settleIdle = (): void => {
    if (queue.length > 0 || inFlight) return;
    for (const resolve of idle.splice(0)) resolve();
  };

  const pump = (): void => {
    scheduled = false;
    if (inFlight || queue.length === 0 || client.status !== 'ready') return;
    const batch = queue.peekRun(batchSize, MAX_ENTRY_CHARS);
    inFlight = true;
    client.xadd(stream, 'MAXLEN', '~', maxLenArg, '*', ...entryFields(batch.map((e) => e.json), producer, batch[0]!.seq)).then(
      () => {
        if (abandoned) return;
        sent += batch.length;
        queue.remove(batch.length);
        finishBatch();
      },
      (error: unknown) => {
        if (abandoned) return;
        if (error instanceof ReplyError) {
          // Redis itself said no (out of memory, the key holds another type): resending would fail the same way.
          dropped += batch.length;
          queue.remove(batch.length);
          warnOnce('refused', `kramers redis-bus: ${where} refused events (${describeError(error)}); such events are dropped and counted in bus.stats().dropped`);
        } else {
          // The connection failed: the batch stays at the head and goes again once it is back.
          lastError = describeError(error);
        }
        finishBatch();
      },
    );
  };
  const finishBatch = (): void => {
    inFlight = false;
    if (queue.length > 0 && client.status === 'ready') schedulePump();
    settleIdle();
  };
  const schedulePump = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  };

  client.on('ready', () => {
    lastError = '';
    schedulePump();
  });
  // ioredis reports every failed reconnect as an 'error' event; without a listener it would print each one.
  client.on('error', (error: unknown) => (lastError = describeError(error)));
  client.on('close', () => {
    if (lastError === '') lastError = 'the connection closed';
  });

  const enqueue = (event: KramersEvent): void => {
    if (!accepting) return;
    const eventSeq = seq++;
    const reserve = event.kind !== 'metric';
    // While the queue is full a metric is dropped before it costs an encoding: an outage makes training cheaper, not dearer.
    if (!reserve && queue.full()) {
      dropEvent();
      return;
    }
    if (!queue.offer({ json: encodeEvent(event), seq: eventSeq }, reserve)) {
      dropEvent();
      return;
    }
    schedulePump();
  };
  const dropEvent = (): void => {
    dropped++;
    warnOnce(
      'full',
      `kramers redis-bus: ${where} is not taking events (${client.status === 'ready' ? 'too slow' : lastError}); ` +
        `${queue.length} are waiting, so new events are dropped until it catches up. Training goes on; bus.stats().dropped counts them.`,
    );
  };

  const stats = (): RedisBusStats => ({
    published: seq,
    sent,
    dropped,
    pending: queue.length,
    pendingBytes: queue.bytes,
    connected: client.status === 'ready',
  });

  const subject = new Subject<KramersEvent>();
  let closing: Promise<RedisBusStats> | undefined;
  const drainAndDisconnect = async (timeoutMs: number): Promise<RedisBusStats> => {
    schedulePump();
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      idle.push(resolve);
      timer = setTimeout(resolve, timeoutMs);
      settleIdle();
    });
    clearTimeout(timer);
    abandoned = true;
    dropped += queue.length;
    queue.remove(queue.length);
    // QUIT lets Redis finish what it has; a server that does not answer within a second is cut off.
    if (client.status === 'ready' && !inFlight) {
      const quit = client.quit().then(() => undefined, () => undefined);
      await Promise.race([quit, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
    client.disconnect();
    return stats();
  };
  const close = (closeOptions: CloseOptions = {}): Promise<RedisBusStats> => {
    if (closing !== undefined) return closing;
    const timeoutMs = closeOptions.timeoutMs ?? 5000;
    if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0)) throw new Error(`redisBus close(): timeoutMs must be ≥ 0 milliseconds, got ${String(timeoutMs)}`);
    accepting = false;
    closing = drainAndDisconnect(timeoutMs);
    subject.complete();
    return closing;
  };

  // An error pushed into the bus ends it like completion (close, flush); it is the other subscribers' to report.
  subject.subscribe({ next: enqueue, complete: () => void close(), error: () => void close() });
  return Object.assign(subject, { stream, stats, close });
}
