import { Command, Option } from 'commander';
import { BACKEND_CHOICES, createMetricBus, every, installSecondOrderGradients, useBackend, type BackendChoice } from '@kramers/core';
import { sharpness } from '@kramers/hvp-estimator';
import { datasetNames, type DatasetName } from '@kramers/datasets';
import { collectLatest, comparisonTable, jsonlWriter, progressReporter, type LatestState } from '@kramers/reporters';
import {
  fraction,
  learningRates,
  listOf,
  nonNegativeInteger,
  nonNegativeNumber,
  oneOf,
  positiveInteger,
  widths,
} from '../parse-flags.js';
import { DEFAULT_LEARNING_RATES, OPTIMIZER_NAMES, type OptimizerName } from '@kramers/optimizers';
import { runCompare, type CompareResult } from './run-compare.js';
import type { Io } from '../io.js';

interface CompareFlags {
  dataset: DatasetName;
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
  probeSize: number;
  sharpness: boolean;
  json: boolean;
  progress: boolean;
}

/** Columns of the final table, in order; anything else plugins emit follows. */
const TABLE_METRICS = ['train_loss', 'train_accuracy', 'test_accuracy', 'lambda_max', 'lambda_min', 'grad_norm', 'distance'];

export function compareCommand(io: Io): Command {
  return new Command('compare')
    .description('train one MLP from one initialisation with several optimizers side by side and compare them')
    .addOption(new Option('--dataset <name>', 'embedded data set').default('banknote').argParser(oneOf('--dataset', datasetNames)))
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
    .addOption(new Option('--out <file>', 'also write every event to this JSONL file'))
    .option('--json', 'print one JSON document on stdout instead of the table', false)
    .option('--no-progress', 'no progress bars on stderr')
    .action(async (flags: CompareFlags) => {
      const backend = await useBackend(flags.backend);
      const learningRatesByRun: Partial<Record<OptimizerName, number>> = {};
      for (const name of flags.optimizers) {
        const lr = flags.lr?.per[name] ?? flags.lr?.all;
        if (lr !== undefined) learningRatesByRun[name] = lr;
      }
      // Exact Hessian-vector products need the second-order gradient registry: process-wide, so only for this run.
      const uninstall = flags.sharpness ? installSecondOrderGradients() : undefined;
      const bus = createMetricBus();
      const latest = collectLatest(bus);
      const writer = flags.out ? jsonlWriter(flags.out) : undefined;
      if (writer) bus.subscribe(writer.observer);
      let progress: ReturnType<typeof progressReporter> | undefined;
      let result: CompareResult;
      try {
        result = await runCompare({
          dataset: flags.dataset,
          optimizers: flags.optimizers,
          epochs: flags.epochs,
          batchSize: flags.batchSize,
          hidden: flags.hidden,
          learningRates: learningRatesByRun,
          diffusion: flags.diffusion,
          seed: flags.seed,
          testFraction: flags.testFraction,
          probeSize: flags.probeSize,
          // At every epoch's last step: deterministic (same seed, same table), unlike a time budget.
          plugins: (_run, { stepsPerEpoch }) =>
            flags.sharpness ? [sharpness({ topK: 3, schedule: every(stepsPerEpoch, stepsPerEpoch - 1) })] : [],
          bus,
          onStep: (runId, iteration, loss) => {
            progress?.tick(runId, iteration, loss);
          },
          onStart: (stepsPerEpoch) => {
            if (!flags.progress) return;
            progress = progressReporter({
              runs: flags.optimizers.map((id) => ({ id, total: stepsPerEpoch * flags.epochs })),
              stream: io.stderr,
              show: ['test_accuracy', 'lambda_max'],
            });
            bus.subscribe(progress.observer);
          },
        });
      } finally {
        progress?.stop();
        bus.complete();
        writer?.close();
        uninstall?.();
      }
      const state = latest.state;
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(compareJson(result, state, backend, flags))}\n`);
      } else {
        io.stdout.write(renderCompare(result, state, backend));
      }
    });
}

function compareJson(result: CompareResult, state: LatestState, backend: string, flags: CompareFlags) {
  return {
    command: 'compare',
    backend,
    seed: flags.seed,
    epochs: flags.epochs,
    dataset: result.dataset,
    model: result.model,
    probeRows: result.probeRows,
    stepsPerEpoch: result.stepsPerEpoch,
    elapsedMs: Math.round(result.elapsedMs),
    runs: result.runs.map((run) => {
      const summary = state.runs.find((r) => r.runId === run.optimizer);
      const metrics: Record<string, unknown> = {};
      for (const [key, e] of Object.entries(summary?.metrics ?? {})) {
        metrics[key] = {
          value: e.value,
          iteration: e.iteration,
          ...(e.unit !== undefined ? { unit: e.unit } : {}),
          ...(e.uncertainty !== undefined ? { uncertainty: e.uncertainty } : {}),
          ...(e.prediction ? { prediction: true } : {}),
        };
      }
      return {
        optimizer: run.optimizer,
        config: run.config,
        final: run.final,
        metrics,
        errors: (summary?.errors ?? []).map((e) => ({ plugin: e.plugin, phase: e.phase, iteration: e.iteration, message: e.message })),
      };
    }),
  };
}

function renderCompare(result: CompareResult, state: LatestState, backend: string): string {
  const d = result.dataset;
  const lines = [
    '',
    `kramers compare — ${d.name}: ${d.trainRows} training rows, ${d.testRows} test rows; MLP ${result.model.layers.join('-')} (${result.model.parameters} parameters); backend ${backend}; ${(result.elapsedMs / 1000).toFixed(1)} s`,
    '',
    comparisonTable(state, { metrics: [...TABLE_METRICS, ...extraMetrics(state)] }),
  ];
  const errors = state.runs.flatMap((r) => r.errors.map((e) => `  ${r.runId}: plugin ${e.plugin} failed at step ${e.iteration} (${e.phase}): ${e.message}`));
  if (errors.length > 0) lines.push('', 'plugin errors (those plugins were switched off):', ...errors);
  return `${lines.join('\n')}\n`;
}

/** Whole-model scalar metrics beyond the fixed columns, so every installed plugin shows in the table. */
function extraMetrics(state: LatestState): string[] {
  const skip = new Set([...TABLE_METRICS, 'loss', 'update_norm', 'param_norm', 'test_loss', 'hvp_count']);
  const out: string[] = [];
  for (const run of state.runs) {
    for (const e of Object.values(run.metrics)) {
      const diagnostic = e.name.endsWith('_residual');
      if (e.layer === undefined && typeof e.value === 'number' && !skip.has(e.name) && !diagnostic && !out.includes(e.name)) out.push(e.name);
    }
  }
  return out;
}
