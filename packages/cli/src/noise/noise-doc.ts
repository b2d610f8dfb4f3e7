/**
 * The `--json` document of `kramers noise` (a contract: tests and scripts read these keys). Plain JSON: a quantity
 * that is undefined or not estimable is null, never NaN or absent.
 */
import type { HessianNoiseFit, PerExampleMethod } from '@kramers/sgn-collector';
import type { LossSource } from '../saved-model/model-loss.js';
import type { DirectionGaussianity } from '@kramers/sgn-collector';

export interface NoiseDirectionDoc {
  /** λ_k of the probe loss's Hessian. */
  readonly eigenvalue: number;
  /** Lanczos's Ritz residual; null for `--top-k all` (a dense solver, exact to rounding). */
  readonly ritzResidual: number | null;
  /** u_kᵀ C u_k, C = Σ/B. */
  readonly noiseVariance: number;
  /** Its standard error (sampled mode); null in exact mode. */
  readonly noiseVarianceStderr: number | null;
  /** u_kᵀ C u_k / (λ_k/B): 1 where C = H/B holds along u_k; null when λ_k ≤ 0. */
  readonly ratio: number | null;
  /** g·u_k, the full gradient along u_k. */
  readonly gradientProjection: number;
}

export interface NoiseGaussianityDoc {
  /** K: minibatches whose noise the statistics are over. */
  readonly minibatches: number;
  /** `resampled`: drawn from the per-example gradients (exact mode); `sampled`: computed by tfjs (sampled mode). */
  readonly minibatchSource: 'resampled' | 'sampled';
  readonly seed: number;
  /** One per entry of `directions`, in the same order. */
  readonly perDirection: readonly DirectionGaussianity[];
  /** Şimşekli et al.'s protocol: every component of every minibatch's noise, all parameters, in one series. */
  readonly pooledTailIndex: number | null;
  readonly pooledTailIndexStdErr: number | null;
  /**
   * The same without the parameters whose noise is exactly 0 in every minibatch (a constant input column, a dead
   * ReLU unit): each of their zeros enters the estimator as log 2⁻⁵² and pulls α̂ down by an amount set by that ε.
   */
  readonly pooledTailIndexExcludingZeros: number | null;
  readonly pooledTailIndexExcludingZerosStdErr: number | null;
  readonly pooledZeroParameters: number;
  /** Minibatches whose noise vectors were pooled (fewer than `minibatches` when K·n floats exceed --max-memory). */
  readonly pooledMinibatches: number;
  readonly pooledValues: number;
  /** Why there is no pooled estimate, else null. */
  readonly pooledSkipped: string | null;
}

export interface NoiseScaleDoc {
  /** B_simple = tr Σ / |G|² (McCandlish et al. 2018); null when not estimable. */
  readonly bSimple: number | null;
  /** B_crit ≈ B_simple. */
  readonly criticalBatchSize: number | null;
  /** Standard error of B_simple: 0 in exact mode (the rows are the data set), from tr Σ's in sampled mode. */
  readonly stdErr: number | null;
  readonly gradNormSq: number;
  readonly traceSigma: number;
}

export interface BlockSignalToNoiseDoc {
  readonly gradNormSq: number;
  readonly traceSigma: number;
  /** B·|G_l|²/tr Σ_l; null when tr Σ_l ≤ 0 (no noise in the block). */
  readonly snr: number | null;
}

export interface SignalToNoiseDoc {
  readonly batchSize: number;
  readonly layers: readonly (BlockSignalToNoiseDoc & { readonly name: string })[];
  readonly total: BlockSignalToNoiseDoc;
}

export interface NoiseDoc {
  readonly command: 'noise';
  readonly model: string;
  readonly data: string;
  readonly backend: string;
  readonly loss: string;
  readonly lossSource: LossSource;
  /** The loss at the saved weights, on the probe rows. */
  readonly lossValue: number;
  readonly batchSize: number;
  /** Probe rows: the CSV's rows, or `--probe-size` of them. */
  readonly m: number;
  readonly n: number;
  readonly dataRows: number;
  readonly mode: 'exact' | 'sampled';
  /** Why this mode: the flag, or the per-example matrix's size against --max-memory. */
  readonly modeReason: string;
  /** Exact mode: how the per-example gradients were computed (`dense`: one pass; `loop`: one gradient per row). */
  readonly perExampleMethod: PerExampleMethod | null;
  readonly loopReason: string | null;
  /** Sampled mode: K minibatch gradients computed; null in exact mode. */
  readonly samples: number | null;
  readonly seed: number;
  readonly secondOrderCheck: { readonly ok: boolean; readonly failures: readonly string[] };
  readonly gradNorm: number;
  /** tr Σ, Σ the per-example gradient covariance over the probe rows (population normalisation). */
  readonly traceSigma: number;
  readonly traceSigmaStderr: number | null;
  /** tr C, C = Σ/B: the covariance of a B-row minibatch gradient drawn with replacement. */
  readonly traceC: number;
  readonly traceCStderr: number | null;
  /** (m − B)/(m − 1); tr C times it is the noise of minibatches drawn without replacement, as SGD draws an epoch's. */
  readonly finitePopulationFactor: number;
  readonly traceCFinitePopulationCorrected: number;
  /** `lanczos` (--top-k K) or `all` (--top-k all). */
  readonly directionSource: 'lanczos' | 'all';
  readonly lanczosConverged: boolean;
  readonly directions: readonly NoiseDirectionDoc[];
  /** u_kᵀCu_k against λ_k/B over the directions with λ_k > threshold (the reference README's definitions). */
  readonly fit: HessianNoiseFit | null;
  readonly gaussianity: NoiseGaussianityDoc;
  readonly noiseScale: NoiseScaleDoc;
  /** Per layer (trainable variable) and in total; null in sampled mode when K·n floats exceed --max-memory. */
  readonly signalToNoise: SignalToNoiseDoc | null;
}
