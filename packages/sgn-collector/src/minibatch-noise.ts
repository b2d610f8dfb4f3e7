/**
 * Minibatch gradient noise drawn from per-example gradients, without touching the model again: a minibatch of B rows
 * drawn without replacement has noise ξ = (1/B)Σ_{j∈batch} g_j − g, so K such draws from the per-example matrix give
 * K samples of the noise SGD actually sees (the paper's Figure 1(c), noise across minibatches), along a direction or
 * in every coordinate (Figure 1(a), pooled across parameters as Şimşekli et al. 2019 did).
 */
import type { Rng } from '@kramers/core';
import type { GradientMatrix } from './gradient-matrix.js';

/** B distinct row indices out of m (a partial Fisher–Yates shuffle of `scratch`, which holds 0..m−1 in any order). */
function drawRows(scratch: Int32Array, batchSize: number, rng: Rng): void {
  for (let i = 0; i < batchSize; i++) {
    const j = i + rng.int(scratch.length - i);
    const t = scratch[i]!;
    scratch[i] = scratch[j]!;
    scratch[j] = t;
  }
}

function checkDraw(rows: number, batchSize: number, samples: number, where: string): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > rows) {
    throw new RangeError(`${where}: batchSize must be an integer in [1, ${rows}] (the rows), got ${batchSize}`);
  }
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`${where}: samples must be a positive integer, got ${samples}`);
}

/**
 * K samples of minibatch noise along one direction, from its per-example noise (g_j − g)·u (whose mean is 0): each
 * sample is the mean of B distinct rows' values.
 */
export function minibatchNoiseAlong(perExampleNoise: ArrayLike<number>, batchSize: number, samples: number, rng: Rng): Float64Array {
  const m = perExampleNoise.length;
  checkDraw(m, batchSize, samples, 'minibatchNoiseAlong');
  const scratch = Int32Array.from({ length: m }, (_, i) => i);
  const out = new Float64Array(samples);
  for (let k = 0; k < samples; k++) {
    drawRows(scratch, batchSize, rng);
    let s = 0;
    for (let i = 0; i < batchSize; i++) s += perExampleNoise[scratch[i]!]!;
    out[k] = s / batchSize;
  }
  return out;
}

/**
 * K minibatch noise vectors (K × n, row-major) from the per-example gradients and their mean g: what Şimşekli et al.
 * pooled across parameters into one series.
 */
export function minibatchNoiseVectors(
  perExample: GradientMatrix,
  mean: ArrayLike<number>,
  batchSize: number,
  samples: number,
  rng: Rng,
): GradientMatrix & { readonly values: Float32Array } {
  const { rows, size, values } = perExample;
  checkDraw(rows, batchSize, samples, 'minibatchNoiseVectors');
  if (mean.length !== size) throw new RangeError(`minibatchNoiseVectors: mean has ${mean.length} values, the gradients ${size}`);
  const scratch = Int32Array.from({ length: rows }, (_, i) => i);
  const out = new Float32Array(samples * size);
  const sum = new Float64Array(size);
  for (let k = 0; k < samples; k++) {
    drawRows(scratch, batchSize, rng);
    sum.fill(0);
    for (let i = 0; i < batchSize; i++) {
      const base = scratch[i]! * size;
      for (let p = 0; p < size; p++) sum[p] += values[base + p]!;
    }
    const at = k * size;
    for (let p = 0; p < size; p++) out[at + p] = sum[p]! / batchSize - mean[p]!;
  }
  return { rows: samples, size, values: out };
}
