/**
 * Is the minibatch noise Gaussian? Two protocols side by side (docs/theory.md §6; Xie, Sato & Sugiyama 2021,
 * Figure 1): per direction, the noise ξ_s·u_k of K minibatches along one Hessian eigenvector (their Figure 1(c)),
 * and pooled, every component of every ξ_s in one series (Şimşekli et al. 2019's protocol, their Figure 1(a)).
 * Pooling mixes parameters whose noise differs in scale by orders of magnitude, which this tail estimator reads as a
 * heavy tail even when each one is Gaussian; so a pooled α̂ well below 2 beside per-direction α̂ ≈ 2 is that mixing.
 */
import { gaussianity } from './gaussianity.js';
import { pooledTailIndex, tailIndex } from './tail-index.js';

/** The statistics of one direction's minibatch noise; null where a statistic is undefined (JSON has no NaN). */
export interface DirectionGaussianity {
  /** Adjusted skewness G1 and its standard error under normality. */
  readonly skewness: number | null;
  readonly skewnessStdErr: number | null;
  /** Bias-corrected excess kurtosis G2 (0 for a Gaussian, 3 for Laplace) and its standard error under normality. */
  readonly kurtosis: number | null;
  readonly kurtosisStdErr: number | null;
  /** D'Agostino–Pearson p-value: small rejects normality (on skewness, kurtosis or both). */
  readonly pValue: number | null;
  /** Mohammadi et al.'s α̂, clipped to (0, 2]: 2 is Gaussian, smaller is heavier-tailed. */
  readonly tailIndex: number | null;
  readonly tailIndexStdErr: number | null;
}

/** A row-major rows × size matrix of minibatch noise vectors, owned by whoever pools it (it is compacted in place). */
export interface NoiseMatrix {
  readonly rows: number;
  readonly size: number;
  readonly values: Float32Array;
}

export interface PooledTailIndex {
  /** Şimşekli et al.'s series as their code builds it: every component of every ξ_s. */
  readonly alpha: number | null;
  readonly stdErr: number | null;
  /** ξ components pooled (minibatches × parameters, less what the block layout drops). */
  readonly values: number;
  /** The same without the parameters whose noise is exactly 0 in every minibatch (`zeroParameters`). */
  readonly alphaExcludingZeros: number | null;
  readonly stdErrExcludingZeros: number | null;
  /** Minibatches whose ξ was pooled. */
  readonly minibatches: number;
  /**
   * Parameters left out because their noise is exactly 0 in every minibatch: a gradient that is the same for every
   * row, such as a first-layer weight of a constant input column or a dead ReLU unit's. Each of their values enters
   * the estimator as log 2⁻⁵² ≈ −36 and pulls α̂ down by an amount set by that ε, not by any noise.
   */
  readonly zeroParameters: number;
}

/** One direction's statistics from its K minibatch noise values ξ_s·u (deviations from the exact g: not centred). */
export function directionGaussianity(series: ArrayLike<number>): DirectionGaussianity {
  const { moments, normality } = gaussianity(series);
  const tail = tailIndex(series, { center: false });
  return {
    skewness: finite(moments.skewness),
    skewnessStdErr: finite(moments.skewnessStdErr),
    kurtosis: finite(moments.excessKurtosis),
    kurtosisStdErr: finite(moments.kurtosisStdErr),
    pValue: normality.valid ? normality.pValue : null,
    tailIndex: finite(tail.alpha),
    tailIndexStdErr: finite(tail.stdErr),
  };
}

/**
 * The pooled tail index of a minibatches × n noise matrix whose rows are ξ_s = ĝ_s − g (already centred by g): with
 * every parameter, as Şimşekli et al. pool, then without the parameters whose noise is 0 in every minibatch. To need no second K × n buffer
 * it compacts the matrix in place: `noise.values` holds other numbers afterwards.
 */
export function pooledGaussianity(noise: NoiseMatrix): PooledTailIndex {
  const all = pooledTailIndex(noise, { center: false });
  const { rows, size, values } = noise;
  const kept = columnsWithNoise(noise);
  let at = 0;
  for (let s = 0; s < rows; s++) {
    for (const p of kept) values[at++] = values[s * size + p]!;
  }
  const withNoise = kept.length === size ? all : pooledTailIndex({ rows, size: kept.length, values: values.subarray(0, at) }, { center: false });
  return {
    alpha: finite(all.alpha),
    stdErr: finite(all.stdErr),
    values: all.samplesUsed,
    alphaExcludingZeros: finite(withNoise.alpha),
    stdErrExcludingZeros: finite(withNoise.stdErr),
    minibatches: rows,
    zeroParameters: size - kept.length,
  };
}

/** Columns (parameters) with a non-zero value in some row, ascending. */
function columnsWithNoise({ rows, size, values }: NoiseMatrix): number[] {
  const seen = new Uint8Array(size);
  for (let s = 0, at = 0; s < rows; s++) {
    for (let p = 0; p < size; p++, at++) if (values[at] !== 0) seen[p] = 1;
  }
  return Array.from({ length: size }, (_, p) => p).filter((p) => seen[p] === 1);
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
