import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { isLoopbackHost, replayJsonl, startDashboard } from '@kramers/dashboard';
import { checkRedisUrl, DEFAULT_STREAM } from '@kramers/redis-bus';
import { CliError } from '../cli-error.js';
import { CliFailure } from '../cli-failure.js';
import type { Io } from '../io.js';
import { nonNegativeInteger } from '../parse-flags.js';
import { serveRedisStream } from './redis-source.js';
import { waitForStop } from './wait-for-stop.js';

interface DashboardFlags {
  replay?: string;
  redis?: string;
  stream?: string;
  port: number;
  host: string;
}

/** Exactly one source, and --stream only with --redis; the Redis URL checked before anything starts. */
function checkSource(flags: DashboardFlags): void {
  if ((flags.replay === undefined) === (flags.redis === undefined)) {
    throw new CliError(
      flags.replay === undefined
        ? 'give the events to show: --replay <file> (a finished run\'s JSONL log) or --redis <url> (live, from training processes publishing with redisBus)'
        : '--replay and --redis are exclusive: give --replay <file> for a finished log or --redis <url> for live runs, not both',
    );
  }
  if (flags.stream !== undefined && flags.redis === undefined) throw new CliError('--stream applies to --redis only (the Redis stream key to read)');
  if (flags.stream !== undefined && flags.stream.trim() === '') throw new CliError('--stream must name a stream key, e.g. --stream kramers');
  if (flags.redis !== undefined) {
    try {
      checkRedisUrl(flags.redis, '--redis');
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  }
  if (flags.replay !== undefined && !existsSync(flags.replay)) {
    throw new CliError(`--replay ${flags.replay}: no such file; give the JSONL log of a run (kramers compare --out run.jsonl)`);
  }
}

/** `kramers dashboard --replay run.jsonl | --redis redis://…`: a finished log or live runs on the page, until Ctrl-C. */
export function dashboardCommand(io: Io): Command {
  return new Command('dashboard')
    .description('Serve the live page, until Ctrl-C: a finished run from its JSONL log (--replay), or live runs from a Redis stream (--redis)')
    .option('--replay <file>', 'the JSONL event log to show (kramers compare --out run.jsonl)')
    .option('--redis <url>', 'read events live from Redis (redis://host:port, rediss:// for TLS) that training processes publish to with redisBus')
    .option('--stream <name>', `the Redis stream key, with --redis (default "${DEFAULT_STREAM}")`)
    .addOption(new Option('--port <n>', 'port (0: any free port)').default(0).argParser(nonNegativeInteger('--port')))
    .addOption(new Option('--host <address>', 'address to bind; anything but loopback exposes the page to the network').default('127.0.0.1'))
    .action(async (flags: DashboardFlags) => {
      checkSource(flags);
      // Exposure is always explicit: naming a non-loopback --host is the opt-in.
      const dashboard = await startDashboard({ port: flags.port, host: flags.host, allowNetwork: !isLoopbackHost(flags.host) });
      try {
        if (flags.redis !== undefined) {
          await serveRedisStream(dashboard, flags.redis, flags.stream ?? DEFAULT_STREAM, io);
          return;
        }
        const replay = flags.replay!;
        let count: number;
        try {
          count = replayJsonl(replay, dashboard);
        } catch (err) {
          throw new CliFailure(`--replay ${replay}: ${(err as Error).message}`);
        }
        io.stdout.write(`kramers dashboard: ${count} events from ${replay} at ${dashboard.url} (Ctrl-C to stop)\n`);
        await waitForStop();
      } finally {
        await dashboard.close();
      }
    });
}
