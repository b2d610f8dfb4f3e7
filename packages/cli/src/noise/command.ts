import { Command, Option } from 'commander';
import { BACKEND_CHOICES } from '@kramers/core';
import { CliError } from '../cli-error.js';
import type { Io } from '../io.js';
import { integerAtLeast, nonNegativeInteger, oneOf, positiveInteger, positiveNumber } from '../parse-flags.js';
import { withSavedModelOptions } from '../saved-model/saved-model-options.js';
import { withSavedModelProbe, type SavedModelProbeFlags } from '../saved-model/saved-model-probe.js';
import { measureNoise } from './measure-noise.js';
import type { NoiseDoc } from './noise-doc.js';
import { chooseMode, DEFAULT_MINIBATCHES } from './noise-mode.js';
import { renderNoise } from './render-noise.js';
import { topKFlag, type TopK } from './top-k-flag.js';

interface NoiseFlags extends SavedModelProbeFlags {
  batchSize: number;
  exact?: boolean;
  samples?: number;
  resamples: number;
  topK: TopK;
  maxMemory: number;
  json: boolean;
}

/** Default --max-memory: the per-example matrix is one Float32Array, and 1 GiB is sgn-collector's own default cap. */
const DEFAULT_MAX_MEMORY_MIB = 1024;

export function noiseCommand(io: Io): Command {
  return withSavedModelOptions(
    new Command('noise').description(
      "Gradient noise of a saved tfjs LayersModel on a CSV at batch size B: C = Σ/B against H/B, Gaussian per direction vs pooled, noise scale and critical batch size",
    ),
  )
    .requiredOption('--batch-size <B>', 'the minibatch size B the noise is for (below the number of rows)', positiveInteger('--batch-size'))
    .option('--exact', 'per-example gradients of every row (default when their m × n float32 matrix fits in --max-memory)')
    .addOption(new Option('--samples <K>', 'estimate from K sampled minibatch gradients instead, with standard errors').argParser(integerAtLeast('--samples', 20)))
    .addOption(
      new Option('--resamples <K>', 'exact mode: minibatches resampled from the per-example gradients for the Gaussianity statistics')
        .default(DEFAULT_MINIBATCHES)
        .argParser(integerAtLeast('--resamples', 20)),
    )
    .addOption(new Option('--top-k <k>', 'Hessian directions: the k largest eigenpairs (Lanczos), or "all" (every eigenpair, up to 1000 parameters)').default(5).argParser(topKFlag('--top-k')))
    .addOption(new Option('--max-memory <MiB>', 'largest per-example gradient matrix (and pooled noise matrix) to hold').default(DEFAULT_MAX_MEMORY_MIB).argParser(positiveNumber('--max-memory')))
    .addOption(new Option('--probe-size <n>', 'rows to measure on, a seeded random subset (default: all rows)').argParser(positiveInteger('--probe-size')))
    .addOption(new Option('--seed <n>', 'seed for the probe subset, Lanczos start and minibatch draws').default(0).argParser(nonNegativeInteger('--seed')))
    .addOption(new Option('--backend <name>', 'tfjs backend').default('auto').argParser(oneOf('--backend', BACKEND_CHOICES)))
    .option('--json', 'print one JSON document on stdout', false)
    .action(async (flags: NoiseFlags) => {
      await withSavedModelProbe(flags, io, 'gradient noise', ({ backend, loss, lossSource, dataRows, probe, secondOrderCheck }) => {
        const m = probe.rows;
        if (flags.batchSize >= m) {
          const rows = flags.probeSize !== undefined && flags.probeSize < dataRows ? `the ${m} rows of --probe-size` : `the ${m} rows of --data ${flags.data}`;
          throw new CliError(`--batch-size ${flags.batchSize} leaves no minibatch noise: a minibatch must be part of ${rows}; use at most ${m - 1}`);
        }
        const mode = chooseMode(m, probe.size, flags);
        if (mode.mode === 'sampled' && flags.samples === undefined) {
          io.stderr.write(`kramers: ${mode.reason}: sampled mode, ${mode.samples} minibatch gradients (--samples K to choose)\n`);
        }
        const measured = measureNoise(probe, {
          batchSize: flags.batchSize,
          topK: flags.topK,
          seed: flags.seed,
          mode,
          resamples: flags.resamples,
          maxBytes: flags.maxMemory * 2 ** 20,
        });
        const doc: NoiseDoc = { command: 'noise', model: flags.model, data: flags.data, backend, loss, lossSource, dataRows, secondOrderCheck, ...measured };
        io.stdout.write(flags.json ? `${JSON.stringify(doc)}\n` : renderNoise(doc));
      });
    });
}
