/** A test-side reader of a dashboard's /events stream (any package's tests): frames parsed as they arrive, optionally never read (stalled). */
import * as http from 'node:http';
import type { KramersEvent } from '@kramers/core';

export interface SseReader {
  readonly events: KramersEvent[];
  /** Control messages in arrival order ('reset', 'live'). */
  readonly controls: string[];
  /** The events sent before the 'live' control: the dashboard's history at connection time (once it has arrived). */
  history(): KramersEvent[] | undefined;
  /** Resolves once `predicate()` holds (checked after every chunk); rejects if the stream ends first or after 30 s. */
  readonly response: http.IncomingMessage;
  until(predicate: () => boolean, what?: string): Promise<void>;
  close(): void;
}

export function openSse(port: number, { paused = false } = {}): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/events', agent: false }, (res) => {
      const events: KramersEvent[] = [];
      const controls: string[] = [];
      const waiters = new Set<{ predicate: () => boolean; ok: () => void; fail: (e: Error) => void; what: string }>();
      let buffer = '';
      let ended = false;
      let historyLength: number | undefined;
      const check = (): void => {
        for (const w of waiters) {
          if (w.predicate()) w.ok();
          else if (ended) w.fail(new Error(`stream ended (${events.length} events) before: ${w.what}`));
          else continue;
          waiters.delete(w);
        }
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const lines = buffer.slice(0, cut).split('\n');
          buffer = buffer.slice(cut + 2);
          const name = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (name === 'live' && historyLength === undefined) historyLength = events.length;
          if (name !== undefined) controls.push(name);
          else if (data !== undefined) events.push(JSON.parse(data) as KramersEvent);
        }
        check();
      });
      const finish = (): void => {
        ended = true;
        check();
      };
      res.on('close', finish);
      res.on('error', finish);
      if (paused) res.pause();
      resolve({
        events,
        controls,
        history: () => (historyLength === undefined ? undefined : events.slice(0, historyLength)),
        response: res,
        until: (predicate, what = 'the awaited condition') =>
          new Promise<void>((ok, fail) => {
            if (predicate()) return ok();
            if (ended) return fail(new Error(`stream ended (${events.length} events) before: ${what}`));
            const timer = setTimeout(() => {
              waiters.delete(waiter);
              fail(new Error(`not within 30 s (${events.length} events): ${what}`));
            }, 30_000);
            const waiter = {
              predicate,
              ok: () => (clearTimeout(timer), ok()),
              fail: (e: Error) => (clearTimeout(timer), fail(e)),
              what,
            };
            waiters.add(waiter);
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
