/**
 * Gradient signal-to-noise per layer (parameter block) at a fixed θ: SNR_l = |G_l|²/(tr Σ_l/B), the squared norm of
 * the block's full gradient over the trace of its minibatch noise covariance C_l = Σ_l/B (docs/theory.md §0, §7).
 * SNR_l = B/B_simple,l: above 1 a minibatch of B examples points the block's way more than it scatters; well
 * below 1 the block's updates are mostly noise, and a bigger batch (or a smaller learning rate for it) is what it
 * needs. The total is the same quantity for the whole vector, B·|G|²/tr Σ, not an average of the blocks' ratios.
 */
import type { FlatLayoutEntry } from '@kramers/core';
import { columnMean } from './gradient-matrix.js';
import { checkSample, estimateFromSums, type GradientSample } from './noise-scale.js';

export interface BlockSignalToNoise {
  /** |G_l|², estimated without bias (§7; may be ≤ 0 when the block's gradient is below the sampling noise). */
  readonly gradNormSq: number;
  /** tr Σ_l, the per-example gradient variance summed over the block. */
  readonly traceSigma: number;
  /**
   * B·max(|G_l|², 0)/tr Σ_l: 0 when the gradient estimate is not positive (no signal resolved), undefined when
   * tr Σ_l ≤ 0 (no noise measured, e.g. a block whose gradient is 0 for every example).
   */
  readonly snr: number | undefined;
}

export interface LayerSignalToNoise extends BlockSignalToNoise {
  readonly name: string;
}

export interface SignalToNoise {
  /** B, the minibatch size the ratios are for. */
  readonly batchSize: number;
  /** One entry per layout entry, in layout order. */
  readonly layers: readonly LayerSignalToNoise[];
  /** Over the whole gradient vector (every parameter, whether or not the layout names it). */
  readonly total: BlockSignalToNoise;
}

/**
 * SNR per layout entry and in total, from per-example or minibatch gradients at one θ (`GradientSample`: the same
 * estimates as `noiseScaleAtPoint`, restricted to each block). `layout` places each variable in the flat vector
 * (`{ name, offset, size }`, as the sharpness snapshot's layout); `batchSize` is the training minibatch size B.
 * Two passes over the matrix.
 */
export function signalToNoise(sample: GradientSample, layout: readonly FlatLayoutEntry[], batchSize: number): SignalToNoise {
  const where = 'signalToNoise';
  checkSample(sample, where);
  const { rows, size, values } = sample.gradients;
  if (!(batchSize > 0 && Number.isFinite(batchSize))) throw new RangeError(`${where}: batchSize must be positive, got ${batchSize}`);
  layout.forEach(({ name, offset, size: length }) => {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 1 || offset + length > size) {
      throw new RangeError(`${where}: layout entry '${name}' [${offset}, ${offset + length}) does not fit in ${size} parameters`);
    }
  });
  const mean = columnMean(sample.gradients, where);
  // squared deviation of every coordinate summed over rows, then per block: Σ_j|g_j,l − ḡ_l|²
  const deviationSq = new Float64Array(size);
  for (let j = 0, at = 0; j < rows; j++) {
    for (let i = 0; i < size; i++, at++) {
      const d = values[at]! - mean[i]!;
      deviationSq[i] += d * d;
    }
  }
  const block = (offset: number, length: number): BlockSignalToNoise => {
    let meanNormSq = 0;
    let sumSq = 0;
    for (let i = offset; i < offset + length; i++) {
      meanNormSq += mean[i]! * mean[i]!;
      sumSq += deviationSq[i]!;
    }
    const { gradNormSq, traceSigma } = estimateFromSums(sample, meanNormSq, sumSq);
    // SNR = |G|²/(tr Σ/B) (docs/theory.md §0: C = Σ/B)
    const snr = traceSigma > 0 && Number.isFinite(gradNormSq) ? (batchSize * Math.max(gradNormSq, 0)) / traceSigma : undefined;
    return { gradNormSq, traceSigma, snr };
  };
  return {
    batchSize,
    layers: layout.map(({ name, offset, size: length }) => ({ name, ...block(offset, length) })),
    total: block(0, size),
  };
}
