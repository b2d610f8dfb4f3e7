import { CliError } from '../cli-error.js';

/** K minibatches for the Gaussianity statistics when no flag says otherwise: enough to tell α̂ = 1.8 from 2. */
export const DEFAULT_MINIBATCHES = 2000;

export interface ModeFlags {
  readonly exact?: boolean;
  readonly samples?: number;
  /** --max-memory, MiB. */
  readonly maxMemory: number;
}

export interface NoiseMode {
  readonly mode: 'exact' | 'sampled';
  /** K minibatch gradients to compute (sampled mode). */
  readonly samples: number;
  readonly reason: string;
}

/**
 * Exact (per-example gradients of every probe row: m·n float32) when `--exact`, or by default when that matrix fits
 * in --max-memory; sampled (K minibatch gradients) with `--samples K`, or by default when it does not fit.
 */
export function chooseMode(m: number, n: number, flags: ModeFlags): NoiseMode {
  if (flags.exact && flags.samples !== undefined) {
    throw new CliError(
      `--exact and --samples ${flags.samples} choose two different modes; give one: --exact (per-example gradients of every row) or --samples K (K sampled minibatches)`,
    );
  }
  const samples = flags.samples ?? DEFAULT_MINIBATCHES;
  if (flags.samples !== undefined) return { mode: 'sampled', samples, reason: `--samples ${samples}` };
  const mib = (m * n * 4) / 2 ** 20;
  const size = `${m} rows × ${n} parameters, ${mib.toFixed(1)} MiB`;
  const fits = mib <= flags.maxMemory;
  if (flags.exact) {
    if (!fits) {
      throw new CliError(
        `--exact needs the per-example gradients (${size}), more than --max-memory ${flags.maxMemory} MiB; ` +
          'raise --max-memory, take fewer rows with --probe-size N, or estimate from sampled minibatches with --samples K',
      );
    }
    return { mode: 'exact', samples, reason: '--exact' };
  }
  return fits
    ? { mode: 'exact', samples, reason: `the per-example gradients (${size}) fit in --max-memory ${flags.maxMemory} MiB` }
    : { mode: 'sampled', samples, reason: `the per-example gradients (${size}) exceed --max-memory ${flags.maxMemory} MiB` };
}
