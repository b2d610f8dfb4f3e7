/**
 * Gradient signal-to-noise per layer from sampled minibatch noise, for sampled mode, where there are no per-example
 * gradients for `signalToNoise`. The full gradient g is exact there, so |G_l|² = |g_l|², and each minibatch's noise
 * ξ_s = ĝ_s − g gives tr Σ_l = (B/f)·(1/K)·Σ_s |ξ_s,l|², unbiased for the probe rows' tr Σ_l because a mean of B
 * distinct rows has covariance f·Σ/B, f = (m − B)/(m − 1) (docs/theory.md §0). SNR_l = B·|G_l|²/tr Σ_l.
 */
import type { FlatLayoutEntry } from '@kramers/core';
import type { GradientMatrix } from '@kramers/sgn-collector';
import type { BlockSignalToNoiseDoc, SignalToNoiseDoc } from './noise-doc.js';

export function sampledSignalToNoise(
  noise: GradientMatrix,
  gradient: Float64Array,
  layout: readonly FlatLayoutEntry[],
  batchSize: number,
  finitePopulationFactor: number,
): SignalToNoiseDoc {
  const { rows: k, size: n, values } = noise;
  const noiseSq = new Float64Array(n);
  for (let s = 0, at = 0; s < k; s++) {
    for (let p = 0; p < n; p++, at++) noiseSq[p]! += values[at]! ** 2;
  }
  const block = (offset: number, length: number): BlockSignalToNoiseDoc => {
    let gradNormSq = 0;
    let sum = 0;
    for (let p = offset; p < offset + length; p++) {
      gradNormSq += gradient[p]! ** 2;
      sum += noiseSq[p]!;
    }
    const traceSigma = (batchSize * sum) / (k * finitePopulationFactor);
    return { gradNormSq, traceSigma, snr: traceSigma > 0 ? (batchSize * gradNormSq) / traceSigma : null };
  };
  return {
    batchSize,
    layers: layout.map(({ name, offset, size }) => ({ name, ...block(offset, size) })),
    total: block(0, n),
  };
}
