import { Command, Option } from 'commander';
import { BACKEND_CHOICES, useBackend } from '@kramers/core';
import { escapeDocument, prepareEscapeJob, runEscapeJob } from '@kramers/experiments';
import { CliError } from '../cli-error.js';
import { CliFailure } from '../cli-failure.js';
import { catchStopSignals, SIGNAL_EXIT_CODES, type StopSignal } from '../compare/signals.js';
import type { Io } from '../io.js';
import { nonNegativeInteger, nonNegativeNumber, oneOf, positiveInteger, positiveNumber, fraction } from '../parse-flags.js';
import { boundaryFlag, escapeJobFromFlags, flagError, numberList, startFlag, type EscapeFlags } from './escape-flags.js';
import { renderEscape } from './render-escape.js';

const finite = (flag: string) => (raw: string): number => {
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new CliError(`${flag} must be a finite number, got "${raw}".`);
  return n;
};

export function escapeCommand(io: Io): Command {
  return new Command('escape')
    .description('One escape experiment: R replicas of an optimizer started at a minimum of an analytic landscape; observed escape rate beside the theory\'s prediction')
    .addOption(new Option('--landscape <name>', 'analytic landscape').default('styblinski-tang').argParser(oneOf('--landscape', ['styblinski-tang', 'double-well', 'quadratic-valley'] as const)))
    .addOption(new Option('--dim <n>', 'Styblinski–Tang: dimension').default(10).argParser(positiveInteger('--dim')))
    .addOption(new Option('--k <k>', 'Styblinski–Tang: sharpness rescaling L_k(θ) = f(√k·θ)').default(1).argParser(positiveNumber('--k')))
    .addOption(new Option('--loss-scale <c>', 'Styblinski–Tang: loss multiplier c (small c makes SGD escapes observable at a stable η)').default(0.01).argParser(positiveNumber('--loss-scale')))
    .addOption(new Option('--barrier <h>', 'double well: barrier height').default(1).argParser(positiveNumber('--barrier')))
    .addOption(new Option('--width <w>', 'double well: minima at ±w').default(1).argParser(positiveNumber('--width')))
    .addOption(new Option('--tilt <t>', 'double well: linear tilt').default(0).argParser(finite('--tilt')))
    .addOption(new Option('--curvatures <list>', 'quadratic valley: curvatures, e.g. 1,0.5').argParser(numberList('--curvatures')))
    .addOption(new Option('--start <where>', 'global | local | coordinates (polished to the minimum of their valley)').argParser(startFlag))
    .addOption(new Option('--optimizer <name>', 'update rule of every replica').default('sgd').argParser(oneOf('--optimizer', ['sgd', 'sgld', 'momentum', 'adam'] as const)))
    .addOption(new Option('--lr <eta>', 'learning rate (default: sgd 0.5, sgld 0.5, momentum 0.05, adam 0.2)').argParser(positiveNumber('--lr')))
    .addOption(new Option('--diffusion <D>', 'SGLD: injected temperature D (noise √(2ηD)·ξ)').argParser(positiveNumber('--diffusion')))
    .addOption(new Option('--momentum <beta>', 'momentum: β (tfjs: m ← βm + g)').default(0.9).argParser(nonNegativeNumber('--momentum')))
    .addOption(new Option('--beta1 <b>', 'Adam β₁').default(0.9).argParser(fraction('--beta1')))
    .addOption(new Option('--beta2 <b>', 'Adam β₂').default(0.999).argParser(fraction('--beta2')))
    .addOption(new Option('--epsilon <e>', 'Adam ε').default(1e-7).argParser(positiveNumber('--epsilon')))
    .addOption(new Option('--batch-size <B>', 'B of the simulated gradient noise C = H/B').default(1).argParser(positiveNumber('--batch-size')))
    .addOption(new Option('--noise <model>', 'gradient noise: frozen (H at the minimum), state ([H(θ)]₊ everywhere) or none (default: frozen; none for sgld)').argParser(oneOf('--noise', ['frozen', 'state', 'none'] as const)))
    .addOption(new Option('--boundary <rule>', 'valley boundary: midway | col | box:r | ball:r (r rescaled by 1/√k)').default('midway').argParser(boundaryFlag))
    .addOption(new Option('--replicas <R>', 'independent replicas, advanced together').default(100).argParser(positiveInteger('--replicas')))
    .addOption(new Option('--max-steps <n>', 'step budget; replicas still inside are right-censored').default(300_000).argParser(positiveInteger('--max-steps')))
    .addOption(new Option('--seed <n>', 'seed; replica r draws from a stream of (seed, r) alone').default(0).argParser(nonNegativeInteger('--seed')))
    .addOption(new Option('--backend <name>', 'tfjs backend').default('auto').argParser(oneOf('--backend', BACKEND_CHOICES)))
    .option('--json', 'print one JSON document on stdout', false)
    .action(async (flags: EscapeFlags) => {
      let job;
      try {
        job = escapeJobFromFlags(flags);
        // Landscape, valley and boundary are built (no tensors yet), so a value that cannot work is a usage error.
        prepareEscapeJob(job);
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw flagError((err as Error).message);
      }
      let stoppedBy: StopSignal | undefined;
      const uncatch = catchStopSignals(
        (signal) => {
          stoppedBy = signal;
        },
        (signal) => {
          io.stderr.write(`kramers: ${signal} again; exiting without a report\n`);
          process.exit(SIGNAL_EXIT_CODES[signal]);
        },
      );
      try {
        await useBackend(flags.backend as never);
        const result = await runEscapeJob(job, { shouldStop: () => stoppedBy !== undefined });
        const doc = escapeDocument(result);
        io.stdout.write(flags.json ? `${JSON.stringify(doc)}\n` : renderEscape(doc));
        if (stoppedBy !== undefined) {
          throw new CliFailure(`interrupted by ${stoppedBy} after ${result.stepsRun} iterations; the report counts the replicas still inside as censored`, SIGNAL_EXIT_CODES[stoppedBy]);
        }
      } finally {
        uncatch();
      }
    });
}
