import type { FlatLayoutEntry } from '@kramers/core';
import type { NoiseDirectionDoc, NoiseDoc, NoiseGaussianityDoc } from './noise-doc.js';
import type { DirectionGaussianity, PooledTailIndex } from '@kramers/sgn-collector';

/** What the exact and the sampled path each measure at the probe's θ, before the directions meet their eigenvalues. */
export type ModeMeasurement = Pick<
  NoiseDoc,
  | 'perExampleMethod'
  | 'loopReason'
  | 'samples'
  | 'gradNorm'
  | 'traceSigma'
  | 'traceSigmaStderr'
  | 'traceC'
  | 'traceCStderr'
  | 'finitePopulationFactor'
  | 'gaussianity'
  | 'noiseScale'
  | 'signalToNoise'
> & {
  /** One per direction, in order. */
  readonly along: readonly Pick<NoiseDirectionDoc, 'noiseVariance' | 'noiseVarianceStderr' | 'gradientProjection'>[];
};

export interface ModeSettings {
  readonly batchSize: number;
  /** K minibatches. */
  readonly minibatches: number;
  /** The user's --seed (reported). */
  readonly seed: number;
  /** Seed of the minibatch draws, derived from --seed. */
  readonly drawSeed: number;
  /** --max-memory in bytes: bounds the pooled noise matrix (K·n float32). */
  readonly maxBytes: number;
  readonly layout: readonly FlatLayoutEntry[];
}

/** Minibatches whose full noise vectors fit in `maxBytes` (K·n float32), for the pooled tail index. */
export function pooledMinibatches(minibatches: number, n: number, maxBytes: number): number {
  return Math.min(minibatches, Math.floor(maxBytes / (4 * n)));
}

/**
 * The Gaussianity section of the report. `pooled` is undefined when the noise vectors it needs (`needed` of them, n
 * float32 each) do not fit in --max-memory.
 */
export function gaussianityDoc(
  source: NoiseGaussianityDoc['minibatchSource'],
  perDirection: readonly DirectionGaussianity[],
  pooled: PooledTailIndex | undefined,
  needed: { readonly rows: number; readonly n: number },
  settings: ModeSettings,
): NoiseGaussianityDoc {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  return {
    minibatches: settings.minibatches,
    minibatchSource: source,
    seed: settings.seed,
    perDirection,
    pooledTailIndex: pooled?.alpha ?? null,
    pooledTailIndexStdErr: pooled?.stdErr ?? null,
    pooledTailIndexExcludingZeros: pooled?.alphaExcludingZeros ?? null,
    pooledTailIndexExcludingZerosStdErr: pooled?.stdErrExcludingZeros ?? null,
    pooledZeroParameters: pooled?.zeroParameters ?? 0,
    pooledMinibatches: pooled?.minibatches ?? 0,
    pooledValues: pooled?.values ?? 0,
    pooledSkipped: pooled
      ? null
      : `${needed.rows} minibatch noise vectors of ${needed.n} float32 (${mib(4 * needed.rows * needed.n)} MiB) exceed --max-memory ${mib(settings.maxBytes)} MiB`,
  };
}

/**
 * sgn-collector returns noise matrices as Float32Arrays typed as ArrayLike: use them as they are rather than copy K·n
 * floats (pooling compacts them in place).
 */
export function float32(values: ArrayLike<number>): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}
