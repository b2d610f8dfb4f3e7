import { accessSync, constants, mkdirSync } from 'node:fs';
import { Command, Option } from 'commander';
import { BACKEND_CHOICES, collectLatest, createMetricBus, every, useBackend, type BackendChoice, type Schedule } from '@kramers/core';
import {
  CompareOptionError,
  ModelSaveError,
  PRESET_NAMES,
  runCompare,
  type CompareOptions,
  type CompareResult,
} from '@kramers/experiments';
import { sharpness } from '@kramers/hvp-estimator';
import { sgn } from '@kramers/sgn-collector';
import { escapePlugin, temperaturePlugin } from '@kramers/escape-tracker';
import { DEFAULT_LEARNING_RATES, OPTIMIZER_NAMES, type OptimizerName } from '@kramers/optimizers';
import { progressReporter, type EventFileWriter } from '@kramers/reporters';
import { CliError } from '../cli-error.js';
import { CliFailure } from '../cli-failure.js';
import type { Io } from '../io.js';
import { fraction, learningRates, listOf, nonNegativeInteger, nonNegativeNumber, oneOf, positiveInteger, widths } from '../parse-flags.js';
import { KRAMERS_VERSION } from '../version.js';
import { compareJson } from './compare-json.js';
import { renderCompare } from './compare-table.js';
import { resolveDataset, type TaskFlag } from './dataset-flag.js';
import { openOutFile, outFailureMessage } from './out-file.js';
import { reportRecorder } from './report-file.js';
import { isLoopbackHost, startDashboard, type Dashboard } from '@kramers/dashboard';
import { catchStopSignals, SIGNAL_EXIT_CODES, type StopSignal } from './signals.js';
import { applyPreset, type PresetPlan } from './preset-flag.js';

/** When the sharpness plugin measures (and the noise probe and the escape plugins with it). */
export type MeasureSchedule = 'budget' | 'epoch';
const MEASURE_SCHEDULES: readonly MeasureSchedule[] = ['budget', 'epoch'];

export interface CompareFlags {
  preset?: string;
  dataset: string;
  task?: TaskFlag;
  targets?: number;
  header?: boolean;
  optimizers: OptimizerName[];
  epochs: number;
  batchSize: number;
  hidden: number[];
  lr?: { all?: number; per: Partial<Record<OptimizerName, number>> };
  diffusion: number;
  seed: number;
  testFraction: number;
  backend: BackendChoice;
  out?: string;
  report?: string;
  dashboard?: boolean;
  host?: string;
  saveModels?: string;
  probeSize: number;
  sharpness: boolean;
  schedule: MeasureSchedule;
  noise: boolean;
  escape: boolean;
  json: boolean;
  progress: boolean;
}

/** The flag behind each runCompare option, so its errors name what the user typed. */
const FLAG_OF: Partial<Record<keyof CompareOptions, string>> = {
  dataset: '--dataset',
  optimizers: '--optimizers',
  runs: '--preset',
  epochs: '--epochs',
  batchSize: '--batch-size',
  hidden: '--hidden',
  learningRates: '--lr',
  diffusion: '--diffusion',
  seed: '--seed',
  testFraction: '--test-fraction',
  probeSize: '--probe-size',
  saveModels: '--save-models',
};

export function compareCommand(io: Io, commandLine: string): Command {
  return new Command('compare')
    .description('train one MLP from one initialisation with several optimizers side by side and compare them')
    .addOption(
      new Option('--preset <name>', `a named comparison (${PRESET_NAMES.join(', ')}): large-batch trains SGD at B = 32 and B = 1024, with and without linear learning-rate scaling, on digits; other flags override its settings`)
        .argParser(oneOf('--preset', PRESET_NAMES)),
    )
    .addOption(new Option('--dataset <name|file.csv>', 'an embedded data set (banknote, wine, digits, iris, breast_cancer) or a CSV file').default('banknote'))
    .addOption(new Option('--task <task>', 'for a CSV: classification (integer label last) or regression (float targets last)').argParser(oneOf('--task', ['classification', 'regression'] as const)))
    .addOption(new Option('--targets <n>', 'for a regression CSV: how many of the last columns are targets (default 1)').argParser(positiveInteger('--targets')))
    .option('--header', "for a CSV: line 1 holds column names (default: detected, a header when a cell of line 1 is not a number)")
    .option('--no-header', 'for a CSV: line 1 is data')
    .addOption(
      new Option('--optimizers <list>', `comma-separated: ${OPTIMIZER_NAMES.join(', ')}`)
        .default(['sgd', 'sgld', 'adam'], 'sgd,sgld,adam')
        .argParser(listOf('--optimizers', OPTIMIZER_NAMES)),
    )
    .addOption(new Option('--epochs <n>', 'passes over the training set').default(30).argParser(positiveInteger('--epochs')))
    .addOption(new Option('--batch-size <n>', 'minibatch size B').default(32).argParser(positiveInteger('--batch-size')))
    .addOption(new Option('--hidden <widths>', 'hidden layer widths').default([16, 16], '16,16').argParser(widths('--hidden')))
    .addOption(
      new Option(
        '--lr <rates>',
        `learning rate for all ("0.05") or per optimizer ("sgd=0.1,adam=0.003"); defaults: ${OPTIMIZER_NAMES.map((n) => `${n}=${DEFAULT_LEARNING_RATES[n]}`).join(', ')}`,
      ).argParser(learningRates('--lr', OPTIMIZER_NAMES)),
    )
    .addOption(new Option('--diffusion <D>', "SGLD's injected temperature D (θ ← θ − ηg + √(2ηD)·ξ)").default(1e-4).argParser(nonNegativeNumber('--diffusion')))
    .addOption(new Option('--seed <n>', 'seed for initialisation, split, batches and SGLD noise').default(0).argParser(nonNegativeInteger('--seed')))
    .addOption(new Option('--test-fraction <f>', 'held-out share of rows').default(0.2).argParser(fraction('--test-fraction')))
    .addOption(new Option('--backend <name>', 'tfjs backend').default('auto').argParser(oneOf('--backend', BACKEND_CHOICES)))
    .addOption(new Option('--probe-size <n>', 'rows of the fixed probe batch (seeded subset of the training set) for curvature').default(2048).argParser(positiveInteger('--probe-size')))
    .option('--no-sharpness', 'skip the live Hessian eigenvalues (λ_max, λ_min) of the sharpness plugin')
    .addOption(
      new Option(
        '--schedule <when>',
        "when curvature (and the noise probe and escape prediction with it) is measured: 'budget' — log-spaced early, then within 10 % of training time, always at the end (default); 'epoch' — at every epoch's last step, the same steps on every machine (a preset's default)",
      ).choices(MEASURE_SCHEDULES as string[]),
    )
    .option('--no-noise', 'skip the gradient-noise plugin (noise scale, critical batch size, noise along the Hessian directions)')
    .option('--no-escape', 'skip the temperature along the top Hessian direction and the predicted escape steps (they need the sharpness plugin)')
    .addOption(new Option('--out <file>', 'also append every event to this JSONL file (run start/end events separate invocations)'))
    .option('--dashboard', 'serve the live page (loss, sharpness, temperature, predicted escape, noise scale per run) while training; it stays up after training until Ctrl-C')
    .addOption(new Option('--host <address>', 'with --dashboard: address to bind (default 127.0.0.1); anything else exposes the page to the network'))
    .addOption(new Option('--report <file>', 'also write a self-contained HTML report (table, charts over training, configuration) there at the end, also when interrupted'))
    .addOption(new Option('--save-models <dir>', 'save each run\'s final model as <dir>/<run id>/model.json (for kramers curvature)'))
    .option('--json', 'print one JSON document on stdout instead of the table', false)
    .option('--no-progress', 'no progress lines on stderr')
    .action(async (given: CompareFlags, command: Command) => {
      // Usage errors first, before anything slow or anything written.
      const plan: PresetPlan = applyPreset(given, (flag) => command.getOptionValueSource(flag) === 'cli');
      // A preset compares runs at the same steps, so it measures per epoch unless told otherwise.
      const flags: CompareFlags = { ...plan.flags, schedule: given.schedule ?? (plan.runs !== undefined ? 'epoch' : 'budget') };
      const dataset = resolveDataset(flags);
      const rates: Partial<Record<OptimizerName, number>> = { ...plan.learningRates };
      if (flags.saveModels !== undefined) checkWritableDir(flags.saveModels);
      const report = flags.report !== undefined ? reportRecorder(flags.report) : undefined;

      const stop = new AbortController();
      let stoppedBy: StopSignal | undefined;
      let signalled: () => void = () => {};
      const firstSignal = new Promise<void>((resolve) => (signalled = resolve));
      const writer = flags.out !== undefined ? openOutFile(flags.out, () => stop.abort()) : undefined;
      // One handler for the whole command: a signal is dispatched a turn after it arrives, so swapping handlers between
      // training and the dashboard's wait would drop one that lands in between (and the page would never close).
      const uncatch = catchStopSignals(
        (signal) => {
          stoppedBy = signal;
          stop.abort();
          signalled();
        },
        (signal) => {
          flushQuietly(writer);
          io.stderr.write(`kramers: ${signal} again; exiting without finishing the runs\n`);
          process.exit(SIGNAL_EXIT_CODES[signal]);
        },
      );
      const bus = createMetricBus();
      const latest = collectLatest(bus);
      if (writer) bus.subscribe(writer.observer);
      let dashboard: Dashboard | undefined;
      try {
        dashboard = await openDashboard(flags, io);
      } catch (err) {
        uncatch();
        throw err;
      }
      try {
        // The page never slows training: publishing only queues, and a client that cannot keep up is dropped.
        if (dashboard) bus.subscribe(dashboard.observer);
        if (report) bus.subscribe(report.observer);
        let progress: ReturnType<typeof progressReporter> | undefined;
        let result: CompareResult;
        let backend: string;
        try {
          // The sharpness plugin measures under a scoped second-order gradient registry; training keeps tfjs's own gradients.
          backend = await useBackend(flags.backend);
          result = await runCompare({
            dataset,
            ...(plan.runs !== undefined ? { runs: plan.runs, dropLast: plan.dropLast } : { optimizers: flags.optimizers }),
            epochs: flags.epochs,
            batchSize: flags.batchSize,
            hidden: flags.hidden,
            ...(plan.runs !== undefined ? {} : { learningRates: rates }),
            diffusion: flags.diffusion,
            seed: flags.seed,
            testFraction: flags.testFraction,
            probeSize: flags.probeSize,
            // Within the default budget (10 % of training time; the final parameters always), or at every epoch's last
            // step: the same steps on every machine, at whatever it costs (≈ 2.7× training's time at 30 epochs of banknote).
            plugins: (_run, { stepsPerEpoch, trainRows }) => [
              ...(flags.sharpness
                ? [
                    flags.schedule === 'epoch'
                      ? sharpness({ topK: 3, minEigenvalue: true, schedule: every(stepsPerEpoch, stepsPerEpoch - 1) })
                      : // λ_min is most of a measurement's cost: under the budget it is measured at the end only (the table's value)
                        sharpness({ topK: 3, minEigenvalue: 'final' }),
                  ]
                : []),
              // after each sharpness measurement it measures the noise at the probe too; between, it streams the noise scale
              // (a preset may schedule its probe part, see its noiseProbeSchedule)
              ...(flags.noise ? [sgn({ datasetSize: trainRows, seed: flags.seed, ...noiseProbe(plan, flags.schedule, stepsPerEpoch) })] : []),
              // after each sharpness measurement: T along u₁, then a ≤ 35-evaluation line scan for the barrier and the
              // predicted escape steps against the steps left (no basin quench: an MLP still descending drifts too far)
              ...(flags.sharpness && flags.escape
                ? [
                    temperaturePlugin(),
                    // A preset's barrier is absolute and shared, so the runs' predicted escapes compare (see its escapeBarrier).
                    escapePlugin({ totalSteps: stepsPerEpoch * flags.epochs, basin: false, ...(plan.escapeBarrier !== undefined ? { riseCap: plan.escapeBarrier } : {}) }),
                  ]
                : []),
            ],
            bus,
            signal: stop.signal,
            runInfo: { command: commandLine, version: KRAMERS_VERSION },
            ...(flags.saveModels !== undefined ? { saveModels: flags.saveModels } : {}),
            onStep: (runId, iteration, loss) => progress?.tick(runId, iteration, loss),
            onStart: (_stepsPerEpoch, runs) => {
              if (!flags.progress) return;
              progress = progressReporter({
                runs: runs.map((run) => ({ id: run.id, total: run.stepsPerEpoch * flags.epochs })),
                stream: io.stderr,
                show: [typeof dataset !== 'string' && dataset.task === 'regression' ? 'test_mse' : 'test_accuracy', 'lambda_max', 'noise_scale', 'T_top', 'predicted_steps'],
              });
              bus.subscribe(progress.observer);
            },
          });
        } catch (err) {
          if (err instanceof CompareOptionError) throw new CliError(`${FLAG_OF[err.option] ?? err.option} ${err.problem}`);
          if (err instanceof ModelSaveError) throw new CliFailure(`--save-models: ${err.message}`);
          throw err;
        } finally {
          progress?.stop();
          // Completing the bus closes the --out file (a final synchronous flush).
          bus.complete();
        }
        // Interrupted runs get their report too: it shows what was done.
        report?.write({ result, state: latest.state, backend, version: KRAMERS_VERSION, commandLine, flags: { ...flags, ...(plan.runs ? { runs: plan.runs } : {}) } });
        const failed = writer && flags.out !== undefined ? outFailureMessage(flags.out, writer) : undefined;
        if (failed !== undefined) throw new CliFailure(failed);
        if (stoppedBy !== undefined) {
          const done = result.runs.map((run) => `${run.id} ${run.final.iterations}/${run.stepsPerEpoch * flags.epochs}`).join(', ');
          const saved = writer ? `; ${writer.written} events in ${flags.out}` : '';
          throw new CliFailure(`interrupted by ${stoppedBy}; steps done: ${done}${saved}`, SIGNAL_EXIT_CODES[stoppedBy]);
        }
        const state = latest.state;
        io.stdout.write(
          flags.json
            ? `${JSON.stringify(compareJson(result, state, { backend, seed: flags.seed, epochs: flags.epochs, version: KRAMERS_VERSION, ...(flags.preset !== undefined ? { preset: flags.preset } : {}) }))}\n`
            : renderCompare(result, state, backend, flags.preset),
        );
        if (dashboard) {
          // Like TensorBoard, the page outlives training: it stays up until Ctrl-C.
          io.stderr.write(`kramers: training done; the dashboard stays at ${dashboard.url} until Ctrl-C\n`);
          await firstSignal;
        }
      } finally {
        uncatch();
        // Every way out (done, interrupted, failed) closes the page, or its server would keep the process alive.
        await dashboard?.close();
      }
    });
}

/** The sgn plugin's probe part: a preset's schedule, else with every per-epoch measurement, else its own budget. */
function noiseProbe(plan: PresetPlan, schedule: MeasureSchedule, stepsPerEpoch: number): { probeSchedule?: Schedule } {
  if (plan.noiseProbeSchedule !== undefined) return { probeSchedule: plan.noiseProbeSchedule };
  return schedule === 'epoch' ? { probeSchedule: every(stepsPerEpoch, stepsPerEpoch - 1) } : {};
}

/** With --dashboard: the live page, started before training so the first steps are on it. */
async function openDashboard(flags: CompareFlags, io: Io): Promise<Dashboard | undefined> {
  if (flags.dashboard !== true) {
    if (flags.host !== undefined) throw new CliError('--host applies to --dashboard only; add --dashboard');
    return undefined;
  }
  const host = flags.host ?? '127.0.0.1';
  // Exposure is always explicit: naming a non-loopback --host is the opt-in.
  const dashboard = await startDashboard({ host, allowNetwork: !isLoopbackHost(host) });
  io.stderr.write(`kramers: dashboard at ${dashboard.url}\n`);
  return dashboard;
}

/** --save-models must be a directory we can write to, found out before any training. */
function checkWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new CliFailure(`--save-models ${dir}: cannot write there (${(err as Error).message}); nothing was trained`);
  }
}

function flushQuietly(writer: EventFileWriter | undefined): void {
  try {
    writer?.flush();
  } catch {
    // Exiting anyway; the failure was already reported or cannot be.
  }
}
