import { isLoopbackHost } from './loopback.js';

/** How much of the past a newly connected page is sent; the JSONL log keeps full resolution. */
export interface HistoryOptions {
  /** Per run and metric (plugin, name, layer): at most this many scalar points, evenly thinned, always the latest. Default 2000. */
  readonly maxPointsPerSeries?: number;
  /** The same for vectors, histograms and tables (the page draws only the latest of these). Default 20. */
  readonly maxNonScalarPointsPerSeries?: number;
}

export interface DashboardOptions {
  /** TCP port; 0 (default) lets the system pick a free one, read it back from `dashboard.port`. */
  readonly port?: number;
  /** Interface to bind; default 127.0.0.1. Anything that is not loopback also needs `allowNetwork: true`. */
  readonly host?: string;
  /** Must be true to bind a non-loopback host: exposing the page (and every metric) to the network is never implicit. */
  readonly allowNetwork?: boolean;
  /** Bytes a client may have pending (queued and in the socket's user-space buffer) before it is dropped. Default 8 MiB. */
  readonly maxClientBufferBytes?: number;
  readonly history?: HistoryOptions;
  /** Interval of SSE comment lines that keep proxies and the browser from timing out an idle stream. Default 15 000 ms. */
  readonly heartbeatMs?: number;
  /** Largest request head accepted (node's `maxHeaderSize`); bigger heads are answered 431. Default 8192. */
  readonly maxHeaderBytes?: number;
  /**
   * Live decimation: per run and metric, at most one point per this many milliseconds is streamed, always ending on
   * the latest (run and plugin-error events are never held). Default 50 (20 points a second a series); 0 streams
   * every event. The history and the JSONL log are not affected.
   */
  readonly liveIntervalMs?: number;
}

export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly allowNetwork: boolean;
  readonly maxClientBufferBytes: number;
  readonly maxPointsPerSeries: number;
  readonly maxNonScalarPointsPerSeries: number;
  readonly heartbeatMs: number;
  readonly maxHeaderBytes: number;
  readonly liveIntervalMs: number;
}

const isInt = (v: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean => Number.isInteger(v) && v >= min && v <= max;

/** Fills defaults and refuses what cannot work or would expose the page without being asked to. */
export function resolveOptions(options: DashboardOptions = {}): ResolvedOptions {
  const {
    port = 0,
    host = '127.0.0.1',
    allowNetwork = false,
    maxClientBufferBytes = 8 * 1024 * 1024,
    heartbeatMs = 15_000,
    maxHeaderBytes = 8192,
    liveIntervalMs = 50,
  } = options;
  const { maxPointsPerSeries = 2000, maxNonScalarPointsPerSeries = 20 } = options.history ?? {};
  if (!isInt(port, 0, 65535)) throw new Error(`startDashboard: port must be an integer in 0..65535 (0 picks a free port), got ${String(port)}`);
  if (typeof host !== 'string' || host.trim() === '') throw new Error(`startDashboard: host must be a non-empty interface name or address such as '127.0.0.1', got ${JSON.stringify(host)}`);
  if (!isLoopbackHost(host) && allowNetwork !== true) {
    throw new Error(
      `startDashboard: host '${host}' is not a loopback address, so the page and every metric would be reachable from the network; ` +
        `pass allowNetwork: true (the CLI's --host) to expose it on purpose, or omit host to bind 127.0.0.1`,
    );
  }
  if (!(Number.isFinite(maxClientBufferBytes) && maxClientBufferBytes >= 1024)) {
    throw new Error(`startDashboard: maxClientBufferBytes must be a number of bytes ≥ 1024, got ${String(maxClientBufferBytes)}`);
  }
  if (!isInt(maxPointsPerSeries, 2)) throw new Error(`startDashboard: history.maxPointsPerSeries must be an integer ≥ 2, got ${String(maxPointsPerSeries)}`);
  if (!isInt(maxNonScalarPointsPerSeries, 1)) {
    throw new Error(`startDashboard: history.maxNonScalarPointsPerSeries must be an integer ≥ 1, got ${String(maxNonScalarPointsPerSeries)}`);
  }
  if (!(Number.isFinite(heartbeatMs) && heartbeatMs >= 10)) throw new Error(`startDashboard: heartbeatMs must be ≥ 10 milliseconds, got ${String(heartbeatMs)}`);
  if (!isInt(maxHeaderBytes, 1024, 1 << 20)) throw new Error(`startDashboard: maxHeaderBytes must be an integer in 1024..1048576, got ${String(maxHeaderBytes)}`);
  if (!(Number.isFinite(liveIntervalMs) && liveIntervalMs >= 0)) {
    throw new Error(`startDashboard: liveIntervalMs must be a number of milliseconds ≥ 0 (0 streams every event), got ${String(liveIntervalMs)}`);
  }
  return { port, host, allowNetwork, maxClientBufferBytes, maxPointsPerSeries, maxNonScalarPointsPerSeries, heartbeatMs, maxHeaderBytes, liveIntervalMs };
}
