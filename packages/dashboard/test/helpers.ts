/** Test-side clients: raw HTTP requests (no URL normalisation) and an SSE reader that parses frames as they arrive. */
import * as http from 'node:http';
import type { MetricEvent } from '@kramers/core';

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

export { openSse, type SseReader } from '../../../test/support/sse-reader.js';

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
