import { Command, CommanderError } from 'commander';
import { compareCommand } from './compare/command.js';
import { curvatureCommand } from './curvature/command.js';
import { CliError } from './cli-error.js';
import type { Io } from './io.js';

export function program(io: Io): Command {
  const root = new Command('kramers')
    .description('Optimizer analysis for TensorFlow.js: sharpness, gradient noise, temperature and escape times')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)');
  for (const command of [compareCommand(io), curvatureCommand(io)]) {
    root.addCommand(command.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) }).showHelpAfterError('(run with --help for usage)'));
  }
  return root;
}

/** Runs the CLI; returns the exit code (0 success, 2 usage error, 1 failure). */
export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    await program(io).parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit with 0; commander has already printed usage errors.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError || err instanceof RangeError) {
      io.stderr.write(`kramers: ${err.message}\n`);
      return 2;
    }
    io.stderr.write(`kramers: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
