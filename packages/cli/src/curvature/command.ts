import type * as tf from '@tensorflow/tfjs';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  BACKEND_CHOICES,
  ConfigError,
  createProbeContext,
  createRng,
  PROBE_LOSS_NAMES,
  permutation,
  probeLossName,
  probeSecondOrderSupport,
  useBackend,
  withSecondOrderGradients,
  type BackendChoice,
  type ProbeLossName,
} from '@kramers/core';
import { loadModel } from '@kramers/core/node';
import { findNonFiniteWeight } from '@kramers/experiments';
import { analyzeCurvature, CURVATURE_DEFAULTS } from '@kramers/hvp-estimator';
import { registerOptimizers } from '@kramers/optimizers';
import { CliError } from '../cli-error.js';
import type { Io } from '../io.js';
import { integerAtLeast, nonNegativeInteger, oneOf, positiveInteger, positiveNumber } from '../parse-flags.js';
import { loadCurvatureData, probeTensors } from './curvature-data.js';
import { resolveCurvatureLoss } from './curvature-loss.js';
import { renderCurvature, type CurvatureDoc } from './render-curvature.js';

interface CurvatureFlags {
  model: string;
  data: string;
  loss?: ProbeLossName;
  targets?: number;
  header?: boolean;
  topK: number;
  trace: boolean;
  traceProbes: number;
  density: boolean;
  densityBins: number;
  probeSize?: number;
  tol: number;
  seed: number;
  backend: BackendChoice;
  json: boolean;
}

export function curvatureCommand(io: Io): Command {
  return new Command('curvature')
    .description("Hessian spectrum of a saved tfjs LayersModel's training loss on a CSV: top eigenvalues, λ_min, trace, density")
    .requiredOption('--model <model.json>', 'tfjs layers-model JSON; its weights file must sit beside it')
    .requiredOption('--data <data.csv>', 'CSV: feature columns, then an integer class label or (--targets) float targets; used as is, no rescaling')
    .addOption(
      new Option('--loss <name>', `the loss to measure: ${PROBE_LOSS_NAMES.join(', ')} (default: the model's training config, else categoricalCrossentropy for a softmax output)`)
        .argParser(lossName('--loss')),
    )
    .addOption(new Option('--targets <n>', 'float target columns at the end of the CSV, one per model output (MSE, MAE, Huber, binary cross-entropy); default: the output width').argParser(positiveInteger('--targets')))
    .option('--header', 'line 1 of the CSV holds column names (default: detected, a header when a cell of line 1 is not a number)')
    .option('--no-header', 'line 1 of the CSV is data')
    .addOption(new Option('--top-k <k>', 'largest eigenvalues to report').default(CURVATURE_DEFAULTS.topK).argParser(positiveInteger('--top-k')))
    .option('--trace', 'estimate tr(H) (Hutchinson, Rademacher probes, with its standard error)', false)
    .addOption(new Option('--trace-probes <n>', 'Hutchinson probes').default(CURVATURE_DEFAULTS.traceProbes).argParser(integerAtLeast('--trace-probes', 2)))
    .option('--density', 'spectral density by stochastic Lanczos quadrature', false)
    .addOption(new Option('--density-bins <n>', 'density grid points').default(CURVATURE_DEFAULTS.densityBins).argParser(integerAtLeast('--density-bins', 2)))
    .addOption(new Option('--probe-size <n>', 'rows of the fixed Hessian batch, a seeded random subset (default: all rows)').argParser(positiveInteger('--probe-size')))
    .addOption(new Option('--tol <t>', 'Lanczos relative Ritz-residual tolerance').default(CURVATURE_DEFAULTS.tol).argParser(positiveNumber('--tol')))
    .addOption(new Option('--seed <n>', 'seed for the probe subset, Lanczos start and trace probes').default(CURVATURE_DEFAULTS.seed).argParser(nonNegativeInteger('--seed')))
    .addOption(new Option('--backend <name>', 'tfjs backend').default('auto').argParser(oneOf('--backend', BACKEND_CHOICES)))
    .option('--json', 'print one JSON document on stdout', false)
    .action(async (flags: CurvatureFlags) => {
      const backend = await useBackend(flags.backend);
      // A model trained with kramers' SGLD names it in its training config; tfjs must know the class to load it.
      registerOptimizers();
      const model = await loadModel(flags.model).catch((err: Error) => {
        throw new CliError(`--model ${flags.model}: ${withoutPrefix(err.message, `${flags.model}: `)}`);
      });
      try {
        checkModel(model, flags.model);
        const { loss, lossSource } = resolveCurvatureLoss(model, flags.loss, flags.model);
        const data = loadCurvatureData(flags, loss, model);
        // Exact HVPs are only claimed where double backprop agrees with finite differences on this backend.
        const secondOrderCheck = withSecondOrderGradients(() => probeSecondOrderSupport());
        if (!secondOrderCheck.ok) {
          io.stderr.write(`kramers: warning: double-backprop self-test failed on ${backend}:\n  ${secondOrderCheck.failures.join('\n  ')}\n`);
        }
        const rows = flags.probeSize === undefined || flags.probeSize >= data.rows ? undefined : permutation(data.rows, createRng(flags.seed)).slice(0, flags.probeSize);
        const { x, y } = probeTensors(data, loss, rows);
        try {
          let probe;
          try {
            probe = createProbeContext({ model, x, y, loss });
          } catch (err) {
            if (err instanceof ConfigError) throw new CliError(`--model ${flags.model} and --data ${flags.data} do not fit: ${err.message}`);
            throw err;
          }
          if (flags.topK > probe.size) {
            throw new CliError(`--top-k ${flags.topK} is more than the model has parameters (${probe.size}); use at most ${probe.size}`);
          }
          const { loss: lossValue, eigenvectors: _v, minEigenvector: _m, ...report } = analyzeCurvature(probe, {
            topK: flags.topK,
            trace: flags.trace,
            traceProbes: flags.traceProbes,
            density: flags.density,
            densityBins: flags.densityBins,
            tol: flags.tol,
            seed: flags.seed,
          });
          const doc: CurvatureDoc = {
            model: flags.model,
            data: flags.data,
            backend,
            loss,
            lossSource,
            lossValue,
            probeRows: probe.rows,
            secondOrderCheck: { ok: secondOrderCheck.ok, failures: secondOrderCheck.failures },
            ...report,
          };
          io.stdout.write(flags.json ? `${JSON.stringify(doc)}\n` : renderCurvature(doc));
        } finally {
          x.dispose();
          y.dispose();
        }
      } finally {
        model.dispose();
      }
    });
}

/** One flat input, one output, finite weights: what the probe and the CSV layout assume. */
function checkModel(model: tf.LayersModel, path: string): void {
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || model.inputs[0]!.shape.length !== 2) {
    throw new CliError(`--model ${path}: only models with one flat input and one output are supported (e.g. Dense stacks)`);
  }
  const bad = findNonFiniteWeight(model);
  if (bad) {
    throw new CliError(
      `--model ${path}: weight '${bad.name}' (shape [${bad.shape.join(', ')}]) holds ${bad.value} at index ${bad.index}; ` +
        'a model with non-finite weights has no curvature to measure (it diverged in training: retrain it, e.g. with a smaller learning rate)',
    );
  }
}

/** A loss name kramers can measure (tfjs's aliases mse and mae too), as its canonical name. */
function lossName(flag: string) {
  return (raw: string): ProbeLossName => {
    const name = probeLossName(raw);
    if (name === undefined) throw new InvalidArgumentError(`${flag} got "${raw}"; allowed: ${PROBE_LOSS_NAMES.join(', ')}.`);
    return name;
  };
}

function withoutPrefix(message: string, prefix: string): string {
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
