import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { BACKEND_CHOICES, useBackend } from '@kramers/core';
import {
  figureJobs,
  figureSvgs,
  inProcessRunner,
  runFigure,
  styblinskiTangFigure,
  banknoteFigure,
  workerThreadRunner,
  type EscapeJob,
} from '@kramers/experiments';
import { CliError } from '../cli-error.js';
import { CliFailure } from '../cli-failure.js';
import { catchStopSignals, SIGNAL_EXIT_CODES, type StopSignal } from '../compare/signals.js';
import type { Io } from '../io.js';
import { nonNegativeInteger, oneOf, positiveInteger } from '../parse-flags.js';
import { renderFigure } from './render-figure.js';

interface ReproduceFlags {
  quick: boolean;
  weightDecay: boolean;
  replicas: number;
  seed: number;
  workers: number;
  out: string;
  backend: string;
  json: boolean;
}

const FIGURES = ['styblinski-tang', 'banknote'] as const;

function jobLabel(job: EscapeJob): string {
  if (job.kind === 'model') {
    const o = job.optimizer;
    const what = o.name === 'sgld' ? `D=${o.diffusion.toPrecision(3)} η=${o.learningRate}` : `η=${o.learningRate}`;
    return `${o.name} ${job.dataset} k=${job.k} B=${job.batchSize} ${what}${job.weightDecay === 0 ? ' no-wd' : ''}`;
  }
  const l = job.landscape;
  const o = job.optimizer;
  const where = l.name === 'styblinski-tang' ? `k=${l.k}` : l.name;
  const what = o.name === 'sgld' ? `D=${o.diffusion.toPrecision(3)}` : `η=${o.learningRate}${job.noise === 'none' ? '' : ` B=${job.batchSize}`}`;
  return `${o.name} ${where} ${what}${job.noise === 'state' ? ' state-noise' : ''}`;
}

/** Writes through a temporary name and renames, so an interrupted run never leaves a half-written figure. */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function reproduceCommand(io: Io): Command {
  return new Command('reproduce')
    .description("Regenerate a figure of the paper from scratch: escape-rate laws with intervals, the theory's predictions, linear fits and the exponential-vs-power-law test; writes SVG figures and one JSON document")
    .argument('<figure>', `figure to reproduce: ${FIGURES.join(', ')}`, oneOf('<figure>', FIGURES))
    .option('--quick', 'a smaller grid (3 points a panel) that runs in about a minute', false)
    .option('--no-weight-decay', 'banknote: pretrain and train without L2 weight decay (no minimum: drift-driven escapes, for contrast)')
    .addOption(new Option('--replicas <R>', 'replicas per point').default(100).argParser(positiveInteger('--replicas')))
    .addOption(new Option('--seed <n>', 'seed of every job').default(0).argParser(nonNegativeInteger('--seed')))
    .addOption(new Option('--workers <N>', 'run jobs on N worker threads (1: in this process)').default(1).argParser(positiveInteger('--workers')))
    .addOption(new Option('--out <dir>', 'directory for the SVG figures and the JSON document').default('kramers-figures'))
    .addOption(new Option('--backend <name>', 'tfjs backend').default('auto').argParser(oneOf('--backend', BACKEND_CHOICES)))
    .option('--json', 'print the JSON document on stdout instead of the summary', false)
    .action(async (figure: (typeof FIGURES)[number], flags: ReproduceFlags) => {
      if (!flags.weightDecay && figure !== 'banknote') {
        throw new CliError(`--no-weight-decay applies to the banknote figure only; ${figure} has no weight decay`);
      }
      try {
        mkdirSync(flags.out, { recursive: true });
      } catch (err) {
        throw new CliFailure(`--out ${flags.out}: cannot create it (${(err as Error).message}); nothing was run`);
      }
      const common = { quick: flags.quick, replicas: flags.replicas, seed: flags.seed };
      const spec = figure === 'banknote' ? banknoteFigure({ ...common, weightDecay: flags.weightDecay ? 1e-2 : 0 }) : styblinskiTangFigure(common);
      const jobs = figureJobs(spec);
      let stoppedBy: StopSignal | undefined;
      const uncatch = catchStopSignals(
        (signal) => {
          stoppedBy = signal;
          io.stderr.write(`kramers: ${signal}: stopping; unfinished points will be censored (again to exit at once)\n`);
        },
        (signal) => process.exit(SIGNAL_EXIT_CODES[signal]),
      );
      const t0 = performance.now();
      let done = 0;
      try {
        const backend = await useBackend(flags.backend as never);
        const runner = flags.workers > 1 ? workerThreadRunner({ workers: flags.workers, backend }) : inProcessRunner();
        io.stderr.write(`kramers reproduce ${figure}: ${jobs.length} escape experiments × ${flags.replicas} replicas, ${runner.name} on ${backend}\n`);
        const doc = await runFigure(spec, runner, {
          shouldStop: () => stoppedBy !== undefined,
          onJobDone: (i, r) => {
            done++;
            const job = jobs[i]!;
            io.stderr.write(
              `[${String(done).padStart(2)}/${jobs.length}] ${jobLabel(job).padEnd(28)} ${String(r.escapes.length).padStart(4)}/${job.replicas} escaped in ${r.stepsRun} iterations, ${(r.elapsedMs / 1000).toFixed(1)} s\n`,
            );
          },
        });
        const svgs = figureSvgs(doc);
        const name = doc.figure;
        writeAtomically(join(flags.out, `${name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
        writeAtomically(join(flags.out, `${name}.svg`), svgs.grid);
        for (const [id, svg] of svgs.panels) writeAtomically(join(flags.out, `${name}-${id}.svg`), svg);
        const seconds = (performance.now() - t0) / 1000;
        io.stdout.write(flags.json ? `${JSON.stringify(doc)}\n` : renderFigure(doc, flags.out, seconds));
        if (stoppedBy !== undefined) {
          throw new CliFailure(`interrupted by ${stoppedBy}; the figure was written with the unfinished points censored`, SIGNAL_EXIT_CODES[stoppedBy]);
        }
      } finally {
        uncatch();
      }
    });
}
