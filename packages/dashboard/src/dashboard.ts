/**
 * The live page's server: node:http, loopback by default, a fixed in-memory asset list, and `/events` streaming
 * every published KramersEvent by server-sent events to each connected page, history first.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Observer } from 'rxjs';
import type { KramersEvent } from '@kramers/core';
import { loadAssets } from './assets.js';
import { createHistory } from './history.js';
import { createLiveThrottle, type HeldFrame } from './live-throttle.js';
import { resolveOptions, type DashboardOptions } from './options.js';
import { ALLOWED_METHODS, refuseHost, refuseMethod, requestPath, type Refusal } from './request-guard.js';
import { sseClient, type SseClient } from './sse-client.js';
import { controlFrame, eventFrame, HEARTBEAT_FRAME } from './sse-frame.js';

export interface Dashboard {
  /** `http://host:port/`, the page's address. */
  readonly url: string;
  readonly port: number;
  /** Records `event` in the history and queues it for every connected page; never waits for any of them. */
  publish(event: KramersEvent): void;
  /** Subscribe it to a MetricBus. Completion and errors leave the page up (like TensorBoard) until `close()`. */
  readonly observer: Observer<KramersEvent>;
  /** Ends every stream and stops the server. */
  close(): Promise<void>;
  /** Pages connected to `/events` now. */
  clients(): number;
  /** Pages cut off so far because their pending bytes exceeded `maxClientBufferBytes`. */
  dropped(): number;
}

/** Content-Security-Policy: own scripts, styles and stream only; no inline code, frames, forms or plugins. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': CSP,
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

export async function startDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const o = resolveOptions(options);
  const assets = loadAssets();
  const history = createHistory(o);
  const throttle = createLiveThrottle(o.liveIntervalMs);
  let releaseTimer: NodeJS.Timeout | undefined;
  /** Connected pages, each with the number of events published before it connected (its history's extent). */
  const live = new Map<SseClient, number>();
  let published = 0;
  let droppedCount = 0;
  let flushScheduled = false;
  let closed = false;

  const flushAll = (): void => {
    flushScheduled = false;
    for (const c of live.keys()) c.flush();
  };
  const scheduleFlush = (): void => {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flushAll);
  };
  /** Queues `frame` for every page, or with `seq` only for pages whose history did not already hold it. */
  const broadcast = (frame: string, seq = Infinity): void => {
    for (const [c, joined] of live) {
      if (seq < joined) continue;
      c.enqueue(frame);
      if (c.pendingBytes() > o.maxClientBufferBytes) {
        live.delete(c);
        droppedCount++;
        c.destroy();
      }
    }
    if (live.size > 0) scheduleFlush();
  };
  const releaseHeld = (frames: readonly HeldFrame[]): void => {
    for (const h of frames) broadcast(h.frame, h.seq);
  };

  const refuse = (res: http.ServerResponse, r: Refusal, head: boolean): void => {
    const headers: Record<string, string> = { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' };
    if (r.status === 405) headers['Allow'] = ALLOWED_METHODS;
    res.writeHead(r.status, headers);
    res.end(head ? undefined : `${r.reason}\n`);
  };

  const openStream = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    if (req.method === 'HEAD' || closed) {
      res.end();
      return;
    }
    res.flushHeaders();
    // The snapshot and the registration happen in one synchronous step, so no event is missed or sent twice.
    const frames = history.frames();
    const client = sseClient(res, [controlFrame('reset', { events: frames.length }), ...frames, controlFrame('live', { events: frames.length })]);
    // A point the live throttle holds now is in this history, so its release later skips this page.
    live.set(client, published);
    const forget = (): void => {
      live.delete(client);
    };
    res.on('close', forget);
    req.socket.setNoDelay(true);
    client.flush();
  };

  const server = http.createServer({ maxHeaderSize: o.maxHeaderBytes }, (req, res) => {
    const head = req.method === 'HEAD';
    const bad = refuseMethod(req.method) ?? refuseHost(req.headers.host, o.allowNetwork);
    if (bad) return refuse(res, bad, head);
    const target = requestPath(req.url);
    if ('status' in target) return refuse(res, target, head);
    if (target.path === '/events') return openStream(req, res);
    const asset = assets.get(target.path);
    if (asset === undefined) {
      res.writeHead(404, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(head ? undefined : 'not found\n');
      return;
    }
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': asset.contentType, 'Content-Length': String(asset.body.length) });
    res.end(head ? undefined : asset.body);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    throw new Error(`startDashboard: cannot listen on ${o.host}:${o.port}: ${err instanceof Error ? err.message : String(err)}; choose another port (0 picks a free one)`, { cause: err });
  });

  const heartbeat = setInterval(() => broadcast(HEARTBEAT_FRAME), o.heartbeatMs);
  heartbeat.unref();

  const port = (server.address() as AddressInfo).port;
  const urlHost = o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host;

  const releaseDue = (): void => {
    releaseTimer = undefined;
    releaseHeld(throttle.release(performance.now()));
    armRelease();
  };
  const armRelease = (): void => {
    // Called for every held-back event: the scan of held series runs only when no release is already scheduled.
    if (releaseTimer !== undefined || closed) return;
    const due = throttle.nextDue();
    if (due === undefined) return;
    releaseTimer = setTimeout(releaseDue, Math.max(0, due - performance.now()));
    releaseTimer.unref();
  };

  const publish = (event: KramersEvent): void => {
    const frame = eventFrame(event);
    history.add(event, frame);
    if (closed) return;
    const now = throttle.offer(event, frame, published++, performance.now());
    if (now !== undefined) broadcast(now);
    else armRelease();
  };

  return {
    url: `http://${urlHost}:${port}/`,
    port,
    publish,
    observer: {
      next: publish,
      error: () => {},
      complete: () => {},
    },
    clients: () => live.size,
    dropped: () => droppedCount,
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      if (releaseTimer !== undefined) clearTimeout(releaseTimer);
      releaseHeld(throttle.release(performance.now(), true));
      for (const c of live.keys()) {
        c.flush();
        c.end();
      }
      live.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Streams that do not finish ending promptly (a stalled page) must not hold shutdown hostage.
        setTimeout(() => server.closeAllConnections(), 200).unref();
      });
    },
  };
}
