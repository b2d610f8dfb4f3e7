/**
 * The gradient noise scale during training, as gpt-neox estimates it (docs/theory.md §7): each step gives one pair
 * of squared norms — the current minibatch gradient and a bigger batch's, e.g. the mean of the last k minibatch
 * gradients (`createGradientWindow`) — and from it the unbiased two-batch estimates of |G|² and tr Σ. Single
 * estimates are noisy and often negative, so each is smoothed by a bias-corrected exponential moving average and the
 * scale is the ratio of the two averages, B_simple = EMA(tr Σ)/EMA(|G|²), not an average of per-step ratios (whose
 * terms with |G|² near 0 would dominate it).
 *
 * How steady a reading is: the averages remember about 1/(1 − β) steps, i.e. about 100·B examples at the default
 * β = 0.99, and |G|² is the harder half (it is what remains after the noise is subtracted, so it needs B_big = k·B
 * not far below B_simple). On a stationary synthetic stream (B = 8, k = 10, B_simple = 16, a strongly anisotropic
 * Σ whose single-step tr Σ estimates scatter by ±85 %) readings scattered by ±8 % at β = 0.99 and ±2.5 % at
 * β = 0.999, centred on the truth. A larger β steadies the reading and follows a changing scale more slowly.
 *
 * O(1) time and no allocation per step.
 */
import { checkBatchSizes, simpleNoiseScale, twoBatchGradNormSq, twoBatchTraceSigma, type NoiseScale, type TwoBatchNorms } from './noise-scale.js';

export interface NoiseScaleTrackerOptions {
  /** EMA decay per observed step (default 0.99, as gpt-neox: a memory of about 1/(1 − β) = 100 steps). */
  readonly beta?: number;
}

export interface StreamingNoiseScale extends NoiseScale {
  /** Steps that entered the averages. */
  readonly steps: number;
  /** Steps skipped because a norm or an estimate was not finite (they leave the averages as they were). */
  readonly skipped: number;
}

export interface NoiseScaleTracker {
  /**
   * Adds one step's pair of norms; returns false (and counts the step as skipped) when an estimate from them is not
   * finite. Throws a RangeError unless 0 < smallBatch < bigBatch.
   */
  observe(norms: TwoBatchNorms): boolean;
  /**
   * The current bias-corrected averages, EMA_t/(1 − β^{t+1}) over the t + 1 observed steps, and their ratio;
   * `bSimple` is undefined before the first step and while EMA(|G|²) ≤ 0 or EMA(tr Σ) < 0.
   */
  estimate(): StreamingNoiseScale;
  /** Forgets every step (e.g. after a learning-rate change, when the scale before it no longer applies). */
  reset(): void;
}

export const NOISE_SCALE_DEFAULTS = { beta: 0.99 } as const;

export function createNoiseScaleTracker(options: NoiseScaleTrackerOptions = {}): NoiseScaleTracker {
  const beta = options.beta ?? NOISE_SCALE_DEFAULTS.beta;
  if (!(beta >= 0 && beta < 1)) throw new RangeError(`createNoiseScaleTracker: beta must be in [0, 1), got ${beta}`);
  let emaGrad = 0;
  let emaTrace = 0;
  let betaPower = 1; // β^{t+1} after t + 1 steps
  let steps = 0;
  let skipped = 0;
  return {
    observe(norms) {
      checkBatchSizes(norms, 'NoiseScaleTracker.observe');
      const gradNormSq = twoBatchGradNormSq(norms);
      const traceSigma = twoBatchTraceSigma(norms);
      if (!Number.isFinite(gradNormSq) || !Number.isFinite(traceSigma)) {
        skipped++;
        return false;
      }
      // EMA_t = β·EMA_{t−1} + (1 − β)·x_t, EMA_{−1} = 0 (docs/theory.md §7)
      emaGrad = beta * emaGrad + (1 - beta) * gradNormSq;
      emaTrace = beta * emaTrace + (1 - beta) * traceSigma;
      betaPower *= beta;
      steps++;
      return true;
    },
    estimate() {
      if (steps === 0) return { ...simpleNoiseScale(NaN, NaN), steps, skipped };
      // value/(1 − β^{t+1}) (docs/theory.md §7)
      const correction = 1 - betaPower;
      return { ...simpleNoiseScale(emaGrad / correction, emaTrace / correction), steps, skipped };
    },
    reset() {
      emaGrad = 0;
      emaTrace = 0;
      betaPower = 1;
      steps = 0;
      skipped = 0;
    },
  };
}
