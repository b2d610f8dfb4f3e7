import { Command, CommanderError } from 'commander';
import { compareCommand } from './compare/command.js';
import { curvatureCommand } from './curvature/command.js';
import { noiseCommand } from './noise/command.js';
import { escapeCommand } from './escape/command.js';
import { reproduceCommand } from './reproduce/command.js';
import { dashboardCommand } from './dashboard/command.js';
import { workerCommand } from './worker/command.js';
import { CliError } from './cli-error.js';
import { CliFailure } from './cli-failure.js';
import type { Io } from './io.js';
import { KRAMERS_VERSION } from './version.js';

/** The command tree. `argv` (as process.argv) is recorded in each run's start event. */
export function program(io: Io, argv: readonly string[] = []): Command {
  const output = { writeOut: (s: string) => io.stdout.write(s), writeErr: (s: string) => io.stderr.write(s) };
  const root = new Command('kramers')
    .description('Optimizer analysis for TensorFlow.js: sharpness, gradient noise, temperature and escape times')
    .version(KRAMERS_VERSION)
    .exitOverride()
    .configureOutput(output)
    .showHelpAfterError('(run with --help for usage)');
  const commandLine = ['kramers', ...argv.slice(2)].join(' ');
  for (const command of [compareCommand(io, commandLine), curvatureCommand(io), noiseCommand(io), escapeCommand(io), reproduceCommand(io), dashboardCommand(io), workerCommand(io)]) {
    root.addCommand(command.exitOverride().configureOutput(output).showHelpAfterError('(run with --help for usage)'));
  }
  return root;
}

/**
 * Runs the CLI; returns the exit code: 0 success, 2 usage error (a bad flag or input file), 1 failure, 130/143 after
 * SIGINT/SIGTERM. Expected failures print one line; anything else is a bug and prints its stack.
 */
export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    await program(io, argv).parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit with 0; commander has already printed usage errors.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      io.stderr.write(`kramers: ${err.message}\n`);
      return 2;
    }
    if (err instanceof CliFailure) {
      io.stderr.write(`kramers: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`kramers: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
