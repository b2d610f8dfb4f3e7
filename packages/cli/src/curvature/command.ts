import * as tf from '@tensorflow/tfjs';
import { Command, Option } from 'commander';
import {
  BACKEND_CHOICES,
  createProbeContext,
  installSecondOrderGradients,
  permutation,
  createRng,
  probeSecondOrderSupport,
  useBackend,
  type BackendChoice,
} from '@kramers/core';
import { loadModel } from '@kramers/core/node';
import { loadCsvFile, subset, toTensors, type ClassificationDataset as Dataset } from '@kramers/datasets';
import { analyzeCurvature, type CurvatureReport } from '@kramers/hvp-estimator';
import { formatNumber, formatTable } from '@kramers/reporters';
import { CliError } from '../cli-error.js';
import type { Io } from '../io.js';
import { nonNegativeInteger, oneOf, positiveInteger, positiveNumber } from '../parse-flags.js';

interface CurvatureFlags {
  model: string;
  data: string;
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
    .description(
      'Hessian spectrum of a saved tfjs LayersModel on a CSV (features, then an integer label column), loss = mean categorical cross-entropy',
    )
    .requiredOption('--model <model.json>', 'tfjs layers-model JSON; its weights file must sit beside it')
    .requiredOption('--data <data.csv>', 'CSV with a header: feature columns, then an integer class label (used as is: no rescaling)')
    .addOption(new Option('--top-k <k>', 'largest eigenvalues to report').default(5).argParser(positiveInteger('--top-k')))
    .option('--trace', 'estimate tr(H) (Hutchinson, Rademacher probes, with its standard error)', false)
    .addOption(new Option('--trace-probes <n>', 'Hutchinson probes').default(30).argParser(positiveInteger('--trace-probes')))
    .option('--density', 'spectral density by stochastic Lanczos quadrature', false)
    .addOption(new Option('--density-bins <n>', 'density grid points').default(200).argParser(positiveInteger('--density-bins')))
    .addOption(new Option('--probe-size <n>', 'rows of the fixed Hessian batch, a seeded random subset (default: all rows)').argParser(positiveInteger('--probe-size')))
    .addOption(new Option('--tol <t>', 'Lanczos relative Ritz-residual tolerance').default(1e-3).argParser(positiveNumber('--tol')))
    .addOption(new Option('--seed <n>', 'seed for the probe subset, Lanczos start and trace probes').default(0).argParser(nonNegativeInteger('--seed')))
    .addOption(new Option('--backend <name>', 'tfjs backend').default('auto').argParser(oneOf('--backend', BACKEND_CHOICES)))
    .option('--json', 'print one JSON document on stdout', false)
    .action(async (flags: CurvatureFlags) => {
      const backend = await useBackend(flags.backend);
      const model = await loadModel(flags.model).catch((err: Error) => {
        throw new CliError(`--model ${flags.model}: ${err.message}`);
      });
      const uninstall = installSecondOrderGradients();
      try {
        // A startup self-test: exact HVPs are only claimed where double backprop agrees with finite differences.
        const secondOrderCheck = probeSecondOrderSupport();
        if (!secondOrderCheck.ok) {
          io.stderr.write(`kramers: warning: double-backprop self-test failed on ${backend}:\n  ${secondOrderCheck.failures.join('\n  ')}\n`);
        }
        checkModel(model);
        let data: Dataset;
        try {
          data = loadCsvFile(flags.data, { numClasses: modelClasses(model) });
        } catch (err) {
          throw new CliError(`--data ${flags.data}: ${(err as Error).message}`);
        }
        checkShapes(model, data, flags.data);
        const rows = probeRows(data, flags.probeSize, flags.seed);
        const { x, y } = toTensors(rows === undefined ? data : subset(data, rows));
        try {
          const probe = createProbeContext({ model, x, y });
          const report = analyzeCurvature(probe, {
            topK: flags.topK,
            trace: flags.trace,
            traceProbes: flags.traceProbes,
            density: flags.density,
            densityBins: flags.densityBins,
            tol: flags.tol,
            seed: flags.seed,
          });
          const doc = {
            model: flags.model,
            data: flags.data,
            backend,
            probeRows: probe.rows,
            secondOrderCheck: { ok: secondOrderCheck.ok, failures: secondOrderCheck.failures },
            ...report,
          };
          io.stdout.write(flags.json ? `${JSON.stringify(doc)}\n` : renderCurvature(doc));
        } finally {
          tf.dispose([x, y]);
        }
      } finally {
        uninstall();
        model.dispose();
      }
    });
}

function modelClasses(model: tf.LayersModel): number {
  const shape = model.outputs[0]!.shape;
  return shape[shape.length - 1] ?? 0;
}

function checkModel(model: tf.LayersModel): void {
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || model.inputs[0]!.shape.length !== 2) {
    throw new CliError('--model: only models with one flat input and one output are supported (e.g. Dense stacks)');
  }
}

function checkShapes(model: tf.LayersModel, data: Dataset, path: string): void {
  const inShape = model.inputs[0]!.shape;
  const features = inShape[inShape.length - 1];
  if (features !== data.cols) {
    throw new CliError(
      `--data ${path}: has ${data.cols} feature columns but the model takes ${String(features)} inputs; the CSV must hold the model's features, then the label`,
    );
  }
  const classes = modelClasses(model);
  if (data.numClasses > classes) {
    throw new CliError(
      `--data ${path}: labels go up to ${data.numClasses - 1} but the model has ${classes} outputs; labels must be integers in [0, ${classes - 1}]`,
    );
  }
}

function probeRows(data: Dataset, size: number | undefined, seed: number): Int32Array | undefined {
  if (size === undefined || size >= data.rows) return undefined;
  return permutation(data.rows, createRng(seed)).slice(0, size);
}

type CurvatureDoc = CurvatureReport & {
  model: string;
  data: string;
  backend: string;
  probeRows: number;
  secondOrderCheck: { ok: boolean; failures: readonly string[] };
};

function renderCurvature(doc: CurvatureDoc): string {
  const lines = [
    '',
    `kramers curvature — ${doc.model} on ${doc.data} (${doc.probeRows} rows, ${doc.n} parameters, backend ${doc.backend})`,
    `loss ${formatNumber(doc.loss)}   ‖∇L‖ ${formatNumber(doc.gradNorm)}   HVPs ${doc.hvpCount} (${doc.method}${doc.fallbackReason ? `: ${doc.fallbackReason}` : ''})`,
    '',
    formatTable(
      ['', 'eigenvalue', 'Ritz residual'],
      [
        ...doc.eigenvalues.map((v, i) => [`λ${i + 1}`, v, doc.residuals[i] ?? null]),
        ...(doc.minEigenvalue !== null ? [['λ_min', doc.minEigenvalue, doc.minEigenvalueResidual]] : []),
      ],
    ),
  ];
  if (!doc.converged) lines.push('', 'note: Lanczos stopped before every Ritz pair met the tolerance; raise --tol or check the residuals');
  if (doc.trace) lines.push('', `tr(H) ${formatNumber(doc.trace.estimate)} ± ${formatNumber(doc.trace.stderr)} (${doc.trace.probes} probes)`);
  if (doc.density) {
    const g = doc.density.grid;
    lines.push('', `density: ${g.length} points on [${formatNumber(g[0])}, ${formatNumber(g[g.length - 1])}] (values in --json)`);
  }
  return `${lines.join('\n')}\n`;
}
