/** Test-side clients: raw HTTP requests (no URL normalisation) and an SSE reader that parses frames as they arrive. */
import * as http from 'node:http';
import type { KramersEvent, MetricEvent } from '@kramers/core';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(port: number, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface SseReader {
  readonly events: KramersEvent[];
  /** Names of control messages in arrival order ('reset', 'live'). */
  readonly controls: string[];
  readonly response: http.IncomingMessage;
  /** Resolves once `predicate()` holds (checked after every chunk); rejects if the stream ends first. */
  until(predicate: () => boolean): Promise<void>;
  close(): void;
}

export function openSse(port: number, { paused = false } = {}): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/events', agent: false }, (res) => {
      const events: KramersEvent[] = [];
      const controls: string[] = [];
      const waiters: Array<{ predicate: () => boolean; resolve: () => void; reject: (e: Error) => void }> = [];
      let buffer = '';
      let ended = false;
      const check = (): void => {
        for (const w of [...waiters]) {
          if (w.predicate()) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          } else if (ended) {
            waiters.splice(waiters.indexOf(w), 1);
            w.reject(new Error(`stream ended with ${events.length} events`));
          }
        }
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const lines = message.split('\n');
          const name = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (name !== undefined) controls.push(name);
          else if (data !== undefined) events.push(JSON.parse(data) as KramersEvent);
        }
        check();
      });
      const finish = (): void => {
        ended = true;
        check();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      if (paused) res.pause();
      resolve({
        events,
        controls,
        response: res,
        until: (predicate) =>
          new Promise<void>((ok, fail) => {
            if (predicate()) return ok();
            if (ended) return fail(new Error(`stream ended with ${events.length} events`));
            waiters.push({ predicate, resolve: ok, reject: fail });
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

export const metric = (runId: string, iteration: number, name = 'loss', value: MetricEvent['value'] = iteration, extra: Partial<MetricEvent> = {}): MetricEvent => ({
  kind: 'metric',
  runId,
  iteration,
  plugin: 'basics',
  name,
  value,
  wallTime: 1_700_000_000_000 + iteration,
  ...extra,
});

/** Lets the event loop turn (socket reads and writes happen) without waiting on the clock. */
export const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Resolves when `condition()` holds, polling once per event-loop turn; throws after `maxTurns` turns. */
export async function eventually(condition: () => boolean, what: string, maxTurns = 200_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await turn();
  }
  throw new Error(`never happened: ${what}`);
}
