/**
 * readRedisEvents(): the events of a Redis stream as an Observable — the whole stream from its start (what MAXLEN
 * kept), then live, by XREAD BLOCK on a connection of its own. A lost connection is reported once per outage and
 * reading resumes after the last entry read, so nothing is skipped or repeated; events a publisher resent after a
 * lost connection are dropped by their sequence numbers, and events it dropped show as a gap in them.
 */
import { Observable } from 'rxjs';
import type { KramersEvent } from '@kramers/core';
import { ReplyError, type Redis } from 'ioredis';
import { DEFAULT_STREAM } from './redis-bus.js';
import { describeError, redisConnection } from './redis-connection.js';
import { checkRedisUrl } from './redis-url.js';
import { decodeEntry } from './stream-entry.js';

/** What a reader meets besides events: its connection coming and going, entries it cannot use, events it missed. */
export type ReaderStatus =
  | { readonly kind: 'connected' }
  | { readonly kind: 'lost'; readonly error: string }
  | { readonly kind: 'restored' }
  /** An entry that is not a kramers event (another writer's, or malformed); it is skipped. */
  | { readonly kind: 'invalid'; readonly id: string; readonly reason: string }
  /** A publisher's sequence jumped: it dropped `missing` events (Redis slow or away) before this event of `runId`. */
  | { readonly kind: 'gap'; readonly producer: string; readonly runId: string; readonly missing: number };

export interface ReadRedisEventsOptions {
  readonly url: string;
  /** Stream key; default 'kramers'. */
  readonly stream?: string;
  /** Entry id to read after: '0' (default) for the whole stream, '$' for new entries only. */
  readonly from?: string;
  /** Longest wait of one XREAD, in ms; also how long unsubscribing may take to close the read. Default 1000. */
  readonly blockMs?: number;
  /** Entries per XREAD. Default 1000. */
  readonly count?: number;
  readonly onStatus?: (status: ReaderStatus) => void;
}

type XreadReply = Array<[string, Array<[string, string[]]>]> | null;

const waitForReady = (client: Redis, stopped: () => boolean): Promise<void> =>
  new Promise((resolve) => {
    if (client.status === 'ready' || stopped()) return resolve();
    const done = (): void => {
      client.off('ready', done);
      client.off('end', done);
      resolve();
    };
    client.on('ready', done);
    client.on('end', done);
  });

export function readRedisEvents(options: ReadRedisEventsOptions): Observable<KramersEvent> {
  const url = checkRedisUrl(options.url, 'readRedisEvents: url');
  const stream = options.stream ?? DEFAULT_STREAM;
  if (typeof stream !== 'string' || stream === '') throw new Error(`readRedisEvents: stream must be a non-empty key name, got ${JSON.stringify(stream)}`);
  const blockMs = options.blockMs ?? 1000;
  const count = options.count ?? 1000;
  if (!(Number.isSafeInteger(blockMs) && blockMs >= 1)) throw new Error(`readRedisEvents: blockMs must be a positive integer of milliseconds, got ${String(blockMs)}`);
  if (!(Number.isSafeInteger(count) && count >= 1)) throw new Error(`readRedisEvents: count must be a positive integer (entries per read), got ${String(count)}`);
  const onStatus = options.onStatus ?? (() => {});

  return new Observable<KramersEvent>((subscriber) => {
    const client = redisConnection(url, 'kramers-redis-reader');
    let stopped = false;
    let lastId = options.from ?? '0';
    let lost = false;
    let everConnected = false;
    let lastError = 'connection closed';
    const lastSeq = new Map<string, number>();

    const markLost = (): void => {
      if (lost || stopped) return;
      lost = true;
      onStatus({ kind: 'lost', error: lastError });
    };
    client.on('error', (error: unknown) => {
      lastError = describeError(error);
      markLost();
    });
    client.on('close', markLost);
    client.on('ready', () => {
      if (!everConnected) {
        everConnected = true;
        lost = false;
        onStatus({ kind: 'connected' });
      } else if (lost) {
        lost = false;
        onStatus({ kind: 'restored' });
      }
    });

    const deliver = (id: string, fields: string[]): void => {
      const decoded = decodeEntry(fields);
      if (typeof decoded === 'string') {
        onStatus({ kind: 'invalid', id, reason: decoded });
        return;
      }
      const { lines, producer, seq } = decoded;
      const tracked = producer !== undefined && seq !== undefined;
      for (let i = 0; i < lines.length && !stopped; i++) {
        const line = lines[i]!;
        if (tracked) {
          const lineSeq = seq + i;
          const previous = lastSeq.get(producer);
          if (previous !== undefined && lineSeq <= previous) continue;
          lastSeq.set(producer, lineSeq);
          if (previous !== undefined && lineSeq > previous + 1) {
            const runId = typeof line === 'string' ? '' : line.runId;
            onStatus({ kind: 'gap', producer, runId, missing: lineSeq - previous - 1 });
          }
        }
        if (typeof line === 'string') onStatus({ kind: 'invalid', id, reason: `line ${i + 1}: ${line}` });
        else subscriber.next(line);
      }
    };

    const loop = async (): Promise<void> => {
      while (!stopped) {
        if (client.status === 'end') {
          subscriber.error(new Error(`readRedisEvents: the connection to Redis ended (${lastError})`));
          return;
        }
        if (client.status !== 'ready') {
          await waitForReady(client, () => stopped);
          continue;
        }
        let reply: XreadReply;
        try {
          reply = (await client.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', stream, lastId)) as XreadReply;
        } catch (error) {
          if (stopped) return;
          lastError = describeError(error);
          // Redis itself saying no (the key holds another type, a bad `from` id) would say it again at once.
          if (error instanceof ReplyError) {
            subscriber.error(new Error(`readRedisEvents: Redis refused XREAD on stream "${stream}": ${lastError}`));
            return;
          }
          markLost();
          // The connection may not have noticed yet that it is gone; do not spin on it meanwhile.
          if (client.status === 'ready') await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            deliver(id, fields);
            if (stopped) return;
          }
        }
      }
    };
    void loop();

    return () => {
      stopped = true;
      client.disconnect();
    };
  });
}
