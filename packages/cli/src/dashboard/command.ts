import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { isLoopbackHost, replayJsonl, startDashboard } from '@kramers/dashboard';
import { CliError } from '../cli-error.js';
import { CliFailure } from '../cli-failure.js';
import { catchStopSignals } from '../compare/signals.js';
import type { Io } from '../io.js';
import { nonNegativeInteger } from '../parse-flags.js';

interface DashboardFlags {
  replay: string;
  port: number;
  host: string;
}

/** `kramers dashboard --replay run.jsonl`: a finished run's log on the live page, until Ctrl-C. */
export function dashboardCommand(io: Io): Command {
  return new Command('dashboard')
    .description('Serve the live page for a finished run from its JSONL log (kramers compare --out run.jsonl), until Ctrl-C')
    .requiredOption('--replay <file>', 'the JSONL event log to show')
    .addOption(new Option('--port <n>', 'port (0: any free port)').default(0).argParser(nonNegativeInteger('--port')))
    .addOption(new Option('--host <address>', 'address to bind; anything but loopback exposes the page to the network').default('127.0.0.1'))
    .action(async (flags: DashboardFlags) => {
      if (!existsSync(flags.replay)) throw new CliError(`--replay ${flags.replay}: no such file; give the JSONL log of a run (kramers compare --out run.jsonl)`);
      // Exposure is always explicit: naming a non-loopback --host is the opt-in.
      const dashboard = await startDashboard({ port: flags.port, host: flags.host, allowNetwork: !isLoopbackHost(flags.host) });
      let count: number;
      try {
        count = replayJsonl(flags.replay, dashboard);
      } catch (err) {
        await dashboard.close();
        throw new CliFailure(`--replay ${flags.replay}: ${(err as Error).message}`);
      }
      io.stdout.write(`kramers dashboard: ${count} events from ${flags.replay} at ${dashboard.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const uncatch = catchStopSignals(
          () => {
            uncatch();
            resolve();
          },
          () => resolve(),
        );
      });
      await dashboard.close();
    });
}
