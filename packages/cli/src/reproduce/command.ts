import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { BACKEND_CHOICES, useBackend } from '@kramers/core';
import {
  figureDocument,
  figureJobs,
  figureStart,
  figureSvgs,
  inProcessRunner,
  styblinskiTangFigure,
  banknoteFigure,
  workerThreadRunner,
  type EscapeJobResult,
  type EscapeRunner,
} from '@kramers/experiments';
import { QueueConnectionError, queueRunner, QueueUrlError, SweepIncomplete, type QueueRunnerEvent } from '@kramers/queue';
import { CliError } from '../cli-error.js';
import { CliFailure } from '../cli-failure.js';
import { catchStopSignals, SIGNAL_EXIT_CODES, type StopSignal } from '../compare/signals.js';
import type { Io } from '../io.js';
import { nonNegativeInteger, oneOf, positiveInteger } from '../parse-flags.js';
import { renderFigure } from './render-figure.js';
import { jobLabel } from './job-label.js';
import { partialFigure, type MissingPoint } from './partial-figure.js';

interface ReproduceFlags {
  quick: boolean;
  weightDecay: boolean;
  replicas: number;
  seed: number;
  workers: number;
  out: string;
  backend: string;
  json: boolean;
  queue?: string;
}

const FIGURES = ['styblinski-tang', 'banknote'] as const;

/** Writes through a temporary name and renames, so an interrupted run never leaves a half-written figure. */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** What the submitter tells the user about the queue. */
function describeQueueEvent(e: QueueRunnerEvent): string {
  switch (e.type) {
    case 'submitted':
      return `queue: ${e.reused} of ${e.jobs} results stored by an earlier run (reused), ${e.enqueued} jobs enqueued${e.jobs - e.reused - e.enqueued > 0 ? `, ${e.jobs - e.reused - e.enqueued} queued already` : ''}; \`kramers worker --queue …\` processes run them`;
    case 'requeued':
      return `queue: job ${e.index} left the queue without a result; enqueued again`;
    case 'redis-unreachable':
      return `queue: lost Redis (${e.message}); retrying`;
    case 'redis-back':
      return 'queue: Redis is back';
    case 'withdrawn':
      return `queue: ${e.removed} jobs not started taken off the queue; ${e.running} running jobs finish on their workers and store their results`;
    case 'no-persistence':
      return 'queue: warning: this Redis keeps no append-only file (appendonly no), so a Redis restart loses finished results; run it with --appendonly yes';
  }
}

/** The queue runner for --queue, its URL checked before anything runs. */
function queueFor(url: string, io: Io): EscapeRunner {
  try {
    return queueRunner({ url, onEvent: (e) => io.stderr.write(`${describeQueueEvent(e)}\n`) });
  } catch (err) {
    if (err instanceof QueueUrlError) throw new CliError(`--queue: ${err.message}`);
    throw err;
  }
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
    .option('--queue <url>', 'run the jobs on `kramers worker` processes through Redis at this URL (redis://host:port, rediss:// for TLS)')
    .option('--json', 'print the JSON document on stdout instead of the summary', false)
    .action(async (figure: (typeof FIGURES)[number], flags: ReproduceFlags) => {
      if (flags.queue !== undefined && flags.workers > 1) {
        throw new CliError(`--queue and --workers ${flags.workers} do not combine: with --queue, jobs run on \`kramers worker\` processes; drop --workers`);
      }
      if (!flags.weightDecay && figure !== 'banknote') {
        throw new CliError(`--no-weight-decay applies to the banknote figure only; ${figure} has no weight decay`);
      }
      try {
        mkdirSync(flags.out, { recursive: true });
      } catch (err) {
        throw new CliFailure(`--out ${flags.out}: cannot create it (${(err as Error).message}); nothing was run`);
      }
      const queue = flags.queue === undefined ? undefined : queueFor(flags.queue, io);
      const common = { quick: flags.quick, replicas: flags.replicas, seed: flags.seed };
      let spec = figure === 'banknote' ? banknoteFigure({ ...common, weightDecay: flags.weightDecay ? 1e-2 : 0 }) : styblinskiTangFigure(common);
      const jobs = figureJobs(spec);
      let stoppedBy: StopSignal | undefined;
      const uncatch = catchStopSignals(
        (signal) => {
          stoppedBy = signal;
          io.stderr.write(
            queue === undefined
              ? `kramers: ${signal}: stopping; unfinished points will be censored (again to exit at once)\n`
              : `kramers: ${signal}: stopping; jobs not started yet leave the queue, running ones finish on their workers (again to exit at once)\n`,
          );
        },
        (signal) => process.exit(SIGNAL_EXIT_CODES[signal]),
      );
      const t0 = performance.now();
      let done = 0;
      try {
        const backend = await useBackend(flags.backend as never);
        const runner: EscapeRunner =
          queue !== undefined ? queue : flags.workers > 1 ? workerThreadRunner({ workers: flags.workers, backend }) : inProcessRunner();
        io.stderr.write(`kramers reproduce ${figure}: ${jobs.length} escape experiments × ${flags.replicas} replicas, ${runner.name} on ${backend}\n`);
        const start = figureStart(jobs);
        const lastShown = new Map<number, number>();
        // A queue job runs elsewhere: say where each one is now and then (every 10 s at most), not only when it ends.
        const showProgress = (i: number, steps: number, remaining: number): void => {
          const now = Date.now();
          if (now - (lastShown.get(i) ?? -Infinity) < 10_000) return;
          lastShown.set(i, now);
          io.stderr.write(`        ${jobLabel(jobs[i]!).padEnd(28)} running: ${steps} iterations, ${remaining}/${jobs[i]!.replicas} inside\n`);
        };
        let outcome: { results: EscapeJobResult[]; missing: MissingPoint[]; incomplete?: SweepIncomplete };
        try {
          const results = await runner.run(jobs, {
            shouldStop: () => stoppedBy !== undefined,
            ...(flags.queue === undefined ? {} : { onProgress: (i: number, steps: number, remaining: number) => showProgress(i, steps, remaining) }),
            onJobDone: (i, r) => {
              done++;
              const job = jobs[i]!;
              io.stderr.write(
                `[${String(done).padStart(2)}/${jobs.length}] ${jobLabel(job).padEnd(28)} ${String(r.escapes.length).padStart(4)}/${job.replicas} escaped in ${r.stepsRun} iterations, ${(r.elapsedMs / 1000).toFixed(1)} s\n`,
              );
            },
          });
          outcome = { results, missing: [] };
        } catch (err) {
          if (!(err instanceof SweepIncomplete)) throw err;
          const reasons = new Map<number, string>([
            ...err.failed.map((f): [number, string] => [f.index, `failed after ${f.attempts} attempt(s): ${f.error}`]),
            ...err.unfinished.map((i): [number, string] => [i, 'unfinished: the sweep was stopped first']),
          ]);
          const partial = partialFigure(spec, jobs, err.results, reasons);
          spec = partial.spec;
          outcome = { results: partial.results, missing: partial.missing, incomplete: err };
        }
        if (outcome.results.length === 0) {
          const why = stoppedBy !== undefined ? `interrupted by ${stoppedBy}` : 'every escape experiment failed';
          for (const m of outcome.missing) io.stderr.write(`kramers: ${m.job}: ${m.reason}\n`);
          throw new CliFailure(`${why} before any point finished; nothing written`, stoppedBy === undefined ? 1 : SIGNAL_EXIT_CODES[stoppedBy]);
        }
        const doc = {
          ...figureDocument(spec, outcome.results, { runner: runner.name, elapsedMs: performance.now() - t0, ...(start ? { start } : {}) }),
          ...(outcome.missing.length > 0 ? { missing: outcome.missing } : {}),
        };
        const svgs = figureSvgs(doc);
        const name = doc.figure;
        writeAtomically(join(flags.out, `${name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
        writeAtomically(join(flags.out, `${name}.svg`), svgs.grid);
        for (const [id, svg] of svgs.panels) writeAtomically(join(flags.out, `${name}-${id}.svg`), svg);
        const seconds = (performance.now() - t0) / 1000;
        io.stdout.write(flags.json ? `${JSON.stringify(doc)}\n` : renderFigure(doc, flags.out, seconds));
        const failed = outcome.incomplete?.failed ?? [];
        for (const f of failed) io.stderr.write(`kramers: ${jobLabel(f.job)}: failed after ${f.attempts} attempt(s): ${f.error}\n`);
        if (stoppedBy !== undefined) {
          throw new CliFailure(
            outcome.incomplete === undefined
              ? `interrupted by ${stoppedBy}; the figure was written with the unfinished points censored`
              : `interrupted by ${stoppedBy}; the figure was written with the ${outcome.results.length} finished points (the rest under "missing"); run the same command again to finish: finished results are reused`,
            SIGNAL_EXIT_CODES[stoppedBy],
          );
        }
        if (failed.length > 0) {
          throw new CliFailure(`${failed.length} of ${jobs.length} escape experiments failed after their retries; the figure was written without them (listed under "missing")`);
        }
      } catch (err) {
        if (err instanceof QueueConnectionError) throw new CliFailure(`--queue: ${err.message}`);
        throw err;
      } finally {
        uncatch();
      }
    });
}
