import { Command, Option } from 'commander';
import { BACKEND_CHOICES } from '@kramers/core';
import { analyzeCurvature, CURVATURE_DEFAULTS } from '@kramers/hvp-estimator';
import { CliError } from '../cli-error.js';
import type { Io } from '../io.js';
import { integerAtLeast, nonNegativeInteger, oneOf, positiveInteger, positiveNumber } from '../parse-flags.js';
import { withSavedModelOptions } from '../saved-model/saved-model-options.js';
import { withSavedModelProbe, type SavedModelProbeFlags } from '../saved-model/saved-model-probe.js';
import { renderCurvature, type CurvatureDoc } from './render-curvature.js';

interface CurvatureFlags extends SavedModelProbeFlags {
  topK: number;
  trace: boolean;
  traceProbes: number;
  density: boolean;
  densityBins: number;
  tol: number;
  json: boolean;
}

export function curvatureCommand(io: Io): Command {
  return withSavedModelOptions(
    new Command('curvature').description("Hessian spectrum of a saved tfjs LayersModel's training loss on a CSV: top eigenvalues, λ_min, trace, density"),
  )
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
      await withSavedModelProbe(flags, io, 'curvature', ({ backend, loss, lossSource, probe, secondOrderCheck }) => {
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
          secondOrderCheck,
          ...report,
        };
        io.stdout.write(flags.json ? `${JSON.stringify(doc)}\n` : renderCurvature(doc));
      });
    });
}
