/**
 * `kramers dashboard --redis <url>`: the page fed live from a Redis stream that training processes publish to
 * (redisBus from @kramers/redis-bus), history first. Redis going away is reported once per outage on stderr and the
 * reader reconnects on its own; the page stays up with what it has. Only a stream Redis refuses to read (the key holds
 * another type) ends the command, as a usage error naming --stream.
 */
import type { Dashboard } from '@kramers/dashboard';
import { readRedisEvents, redactRedisUrl, type ReaderStatus } from '@kramers/redis-bus';
import { CliError } from '../cli-error.js';
import type { Io } from '../io.js';
import { waitForStop } from './wait-for-stop.js';

/** The line for a reader status, or undefined for those not worth a line. `state` remembers what was said. */
interface SaidSoFar {
  connected: boolean;
  lostSaid: boolean;
  invalidSaid: boolean;
}

function statusLine(status: ReaderStatus, where: string, state: SaidSoFar): string | undefined {
  switch (status.kind) {
    case 'connected':
      state.connected = true;
      if (!state.lostSaid) return undefined;
      state.lostSaid = false;
      return `connected to ${where}`;
    case 'lost':
      state.lostSaid = true;
      return state.connected
        ? `lost ${where} (${status.error}); the page keeps what it has, reconnecting until Redis answers`
        : `cannot reach ${where} (${status.error}); the page is up, retrying until Redis answers`;
    case 'restored':
      state.lostSaid = false;
      return `${where} is back; reading on after the last event shown`;
    case 'gap':
      return `run ${status.runId}: its training process dropped ${status.missing} events (Redis was slow or away; its bus.stats().dropped counts them)`;
    case 'invalid':
      if (state.invalidSaid) return undefined;
      state.invalidSaid = true;
      return `skipped stream entry ${status.id}: ${status.reason} (further ones are skipped silently)`;
  }
}

/** Serves the stream's events until Ctrl-C. */
export async function serveRedisStream(dashboard: Dashboard, url: string, stream: string, io: Io): Promise<void> {
  const where = `Redis at ${redactRedisUrl(url)} (stream "${stream}")`;
  const state: SaidSoFar = { connected: false, lostSaid: false, invalidSaid: false };
  let refused: Error | undefined;
  let wake: () => void = () => {};
  const subscription = readRedisEvents({
    url,
    stream,
    onStatus: (status) => {
      const line = statusLine(status, where, state);
      if (line !== undefined) io.stderr.write(`kramers dashboard: ${line}\n`);
    },
  }).subscribe({
    next: (event) => dashboard.publish(event),
    error: (err: unknown) => {
      refused = err instanceof Error ? err : new Error(String(err));
      wake();
    },
  });
  io.stdout.write(`kramers dashboard: events from ${where} at ${dashboard.url} (Ctrl-C to stop)\n`);
  await Promise.race([waitForStop(), new Promise<void>((resolve) => (wake = resolve))]);
  subscription.unsubscribe();
  if (refused !== undefined) {
    throw new CliError(`--stream ${stream}: ${refused.message.replace(/^readRedisEvents: /, '')}; name the stream the training processes publish to (redisBus's stream, default "kramers")`);
  }
}
