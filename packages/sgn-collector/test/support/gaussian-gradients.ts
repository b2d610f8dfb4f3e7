/**
 * Synthetic gradients with a known mean G and covariance Σ = L·Lᵀ, for checking noise-scale and signal-to-noise
 * estimates against their closed forms: a per-example gradient is G + L·z, a minibatch gradient of B examples
 * G + L·z/√B, z ~ N(0, I) from core's seeded generator.
 */
import { createRng, type Rng } from '@kramers/core';

export interface GaussianGradients {
  readonly size: number;
  readonly mean: Float64Array;
  /** L, row-major n × n. */
  readonly factor: Float64Array;
  /** |G|². */
  readonly gradNormSq: number;
  /** tr Σ = ‖L‖_F². */
  readonly traceSigma: number;
  /** Writes one gradient of a `batchSize`-example minibatch into `out` (length n), drawing from `rng`. */
  sample(out: Float64Array, rng: Rng, batchSize?: number): void;
  /** `rows` gradients, row-major, each of `batchSize` examples. */
  matrix(rows: number, seed: number, batchSize?: number): Float64Array;
}

/**
 * G and L from `seed`, scaled so that |G|² and tr Σ take the given values. L is lower triangular with rows of
 * geometrically spread scale (a strongly anisotropic Σ, as near a minimum).
 */
export function gaussianGradients(size: number, gradNormSq: number, traceSigma: number, seed: number): GaussianGradients {
  const rng = createRng(seed);
  const mean = Float64Array.from({ length: size }, () => rng.normal());
  const meanScale = Math.sqrt(gradNormSq / mean.reduce((s, v) => s + v * v, 0));
  for (let i = 0; i < size; i++) mean[i]! *= meanScale;
  const factor = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    const rowScale = 10 ** (-2 * (i / size));
    for (let j = 0; j <= i; j++) factor[i * size + j] = rowScale * rng.normal();
  }
  const frobenius = factor.reduce((s, v) => s + v * v, 0);
  const factorScale = Math.sqrt(traceSigma / frobenius);
  for (let k = 0; k < factor.length; k++) factor[k]! *= factorScale;
  const z = new Float64Array(size);
  const sample = (out: Float64Array, r: Rng, batchSize = 1) => {
    for (let j = 0; j < size; j++) z[j] = r.normal() / Math.sqrt(batchSize);
    for (let i = 0; i < size; i++) {
      let s = mean[i]!;
      for (let j = 0; j <= i; j++) s += factor[i * size + j]! * z[j]!;
      out[i] = s;
    }
  };
  return {
    size,
    mean,
    factor,
    gradNormSq,
    traceSigma,
    sample,
    matrix(rows, matrixSeed, batchSize = 1) {
      const r = createRng(matrixSeed);
      const values = new Float64Array(rows * size);
      const row = new Float64Array(size);
      for (let j = 0; j < rows; j++) {
        sample(row, r, batchSize);
        values.set(row, j * size);
      }
      return values;
    },
  };
}
