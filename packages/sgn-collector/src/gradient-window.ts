/**
 * The last k minibatch gradients of a training run, as the big batch of the streaming noise scale (docs/theory.md
 * §7, single device: G_small the current minibatch gradient, G_big the mean of the last k). Each step yields the
 * pair of squared norms `NoiseScaleTracker.observe` takes.
 *
 * G_big is the batch-size-weighted mean Σ_i B_i g_i / Σ_i B_i over the window, the gradient of the union of its
 * minibatches, so B_big = Σ_i B_i stays exact when the last minibatch of an epoch is smaller.
 *
 * Bias: the k gradients come from k different θ. With G_i the true gradient at step i's θ and Ḡ_w their weighted
 * mean, E|G_big|² = |Ḡ_w|² + tr Σ/B_big (Σ held fixed), so the per-step estimates are off by (derived)
 *   E[tr Σ̂] − tr Σ = (|G_t|² − |Ḡ_w|²)/(1/B − 1/B_big),   E[|Ĝ|²] − |G_t|² = B_big(|Ḡ_w|² − |G_t|²)/(B_big − B):
 * zero while θ stands still, growing with the learning rate and with k, and of either sign (while |G| shrinks along
 * the window, |G_t|² < |Ḡ_w|² and tr Σ is underestimated; a gradient that turns makes |Ḡ_w| small and tr Σ is
 * overestimated). Keep k small (default 10, as gpt-neox) or measure at a fixed θ (`noiseScaleAtPoint`).
 *
 * The norms assume minibatches drawn with replacement. `model.fit` draws an epoch's rows without replacement, which
 * on a data set of N rows biases B_simple up by about B_simple/N; pass the norms through `finitePopulationNorms`
 * with N (and k·B < N) to remove that.
 *
 * Memory k·n float32 (the gradients as tfjs computes them) plus n float64 for the running sum; each push is one pass
 * to check and square the new gradient and one to update the sum, with no allocation.
 */
import type { TwoBatchNorms } from './noise-scale.js';

export interface GradientWindowOptions {
  /** n, parameters per gradient. */
  readonly size: number;
  /** k, minibatch gradients held (≥ 2; default 10). */
  readonly steps?: number;
}

export interface GradientWindow {
  /**
   * Adds one minibatch gradient of `batchSize` examples. Once k are held, returns the current step's norms:
   * G_small = this gradient, G_big = the window's weighted mean (one object, overwritten by the next push: read it
   * first). Returns undefined while the window fills, and for a gradient with a non-finite value, which is not
   * stored (the window then spans one step more).
   */
  push(gradient: ArrayLike<number>, batchSize: number): TwoBatchNorms | undefined;
  /** Gradients held (≤ k). */
  readonly length: number;
  /** Non-finite gradients refused so far. */
  readonly skipped: number;
  /** Empties the window (e.g. when θ jumps: a restored checkpoint, a new run). */
  clear(): void;
}

export const GRADIENT_WINDOW_DEFAULTS = { steps: 10 } as const;

export function createGradientWindow(options: GradientWindowOptions): GradientWindow {
  const n = options.size;
  const k = options.steps ?? GRADIENT_WINDOW_DEFAULTS.steps;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`createGradientWindow: size must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`createGradientWindow: steps must be an integer ≥ 2, got ${k}`);
  const ring = new Float32Array(k * n);
  const batches = new Float64Array(k);
  const sum = new Float64Array(n); // Σ_i B_i g_i over the held gradients
  let held = 0;
  let next = 0; // the slot the next gradient goes into (the oldest once full)
  let skipped = 0;
  const norms = { smallBatch: 0, smallNormSq: 0, bigBatch: 0, bigNormSq: 0 };

  /** Rebuilds the sum from the stored gradients, so add-and-subtract rounding cannot accumulate over a long run. */
  const resum = () => {
    sum.fill(0);
    for (let s = 0; s < held; s++) {
      const b = batches[s]!;
      for (let i = 0, at = s * n; i < n; i++, at++) sum[i] += b * ring[at]!;
    }
  };

  return {
    push(gradient, batchSize) {
      if (gradient.length !== n) throw new RangeError(`GradientWindow.push: expected ${n} values, got ${gradient.length}`);
      if (!(batchSize > 0 && Number.isFinite(batchSize))) {
        throw new RangeError(`GradientWindow.push: batchSize must be a positive number, got ${batchSize}`);
      }
      let smallNormSq = 0;
      for (let i = 0; i < n; i++) {
        const v = Math.fround(gradient[i]!); // the value as stored
        smallNormSq += v * v;
      }
      if (!Number.isFinite(smallNormSq)) {
        skipped++;
        return undefined;
      }
      const oldBatch = held === k ? batches[next]! : 0;
      let bigSq = 0;
      for (let i = 0, at = next * n; i < n; i++, at++) {
        const v = Math.fround(gradient[i]!);
        const s = sum[i]! - oldBatch * ring[at]! + batchSize * v;
        ring[at] = v;
        sum[i] = s;
        bigSq += s * s;
      }
      batches[next] = batchSize;
      held = Math.min(held + 1, k);
      next = (next + 1) % k;
      if (held < k) return undefined;
      let bigBatch = 0;
      for (let s = 0; s < k; s++) bigBatch += batches[s]!;
      if (next === 0) {
        resum();
        bigSq = 0;
        for (let i = 0; i < n; i++) bigSq += sum[i]! * sum[i]!;
      }
      norms.smallBatch = batchSize;
      norms.smallNormSq = smallNormSq;
      norms.bigBatch = bigBatch;
      // |G_big|² = |Σ B_i g_i|²/(Σ B_i)²
      norms.bigNormSq = bigSq / (bigBatch * bigBatch);
      return norms;
    },
    get length() {
      return held;
    },
    get skipped() {
      return skipped;
    },
    clear() {
      sum.fill(0);
      held = 0;
      next = 0;
    },
  };
}
