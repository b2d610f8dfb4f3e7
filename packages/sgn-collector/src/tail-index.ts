/**
 * Tail index α of gradient noise by the estimator of Mohammadi, Mohammadpour & Ogata (Metrika 2015, Corollary 2.4),
 * as Şimşekli, Sagun & Gürbüzbalaban (ICML 2019) used it (docs/theory.md §6). For X_1..X_N i.i.d. symmetric
 * α-stable, a sum of m of them is m^{1/α} times one of them in law, so the mean log-size of block sums exceeds the
 * mean log-size of single values by (1/α)·log m. α = 2 is Gaussian; smaller is heavier-tailed.
 *
 * Two protocols, one estimator:
 * - **per direction** (`tailIndex`): one scalar series, e.g. the noise (g_j − g)·u along one direction u over many
 *   minibatches; Xie 2021 (Figure 1) finds it Gaussian (α ≈ 2).
 * - **pooled** (`pooledTailIndex`): every component of every noise vector, parameters and minibatches flattened into
 *   one series as Şimşekli et al. did. Coordinates differ in scale by orders of magnitude, and a mixture of Gaussians
 *   of different scales looks heavy-tailed to this estimator, so the pooled α̂ falls well below 2 even when every
 *   coordinate is Gaussian: the contrast of Xie 2021's Figure 1.
 */

import { checkMatrix, columnMean, type GradientMatrix } from './gradient-matrix.js';

/** Added to |x| inside every log, as Şimşekli et al.'s code does (np.spacing(1)), so an exact zero gives log ε, not −∞. */
const LOG_EPSILON = 2 ** -52;

export interface TailIndexOptions {
  /**
   * Subtract the sample mean first (default true): the estimator assumes noise centred at 0, and a series with a
   * mean reads as α̂ → 1. For the pooled protocol this is each coordinate's mean over the rows, as in Şimşekli et
   * al.'s code (noise = g_p − mean_p g_p). Pass false when the values are already deviations from the full-batch
   * gradient: with a heavy tail the sample mean is itself heavy-tailed, and when one huge value dominates it,
   * subtracting it offsets every value alike, which reads as α̂ → 1. Measured on symmetric α-stable samples with
   * α = 1.5 (300 seeds each): the median α̂ is unchanged, but 1–3 % of centred estimates fall to 1.0–1.2 (mean bias
   * −0.015 at N = 10⁵, spread 0.069 instead of 0.026); uncentred, no bias is measurable (|bias| < 0.005 at
   * N = 10⁴–10⁶, α = 1–2) and none fell below 1.42. No effect at α = 2 or α = 1.
   */
  readonly center?: boolean;
  /** Block size m (≥ 2, with at least 2 blocks); default from `tailIndexBlocks`. */
  readonly blockSize?: number;
}

export interface TailIndexEstimate {
  /**
   * α̂ clipped to (0, 2] for display: 1/`inverseAlpha` when that is below 2, else 2 (block sums grew no faster than
   * Gaussian ones: no evidence of a heavy tail, and a stable law cannot have α > 2).
   */
  readonly alpha: number;
  /** The estimate as computed, 1/`inverseAlpha`: may exceed 2, and is negative or infinite when `inverseAlpha` ≤ 0. */
  readonly rawAlpha: number;
  /** 1/α̂ = (1/log m)·[(1/K)Σ_i log(|Y_i| + ε) − (1/N)Σ_j log(|X_j| + ε)]; 0.5 for a Gaussian. */
  readonly inverseAlpha: number;
  /**
   * Standard error of `rawAlpha` for independent values: α̂²·√(s²_Y/K + s²_X/N)/log m, s²_Y and s²_X the sample
   * variances of the log-sizes of blocks and values (delta method, derived; their covariance is left out, which
   * overstates the error slightly). It matches the spread of α̂ over seeds for uncentred α-stable samples;
   * centring by the sample mean (the default) adds rare low outliers it does not see when the tail is heavy (see
   * `TailIndexOptions.center`).
   */
  readonly stdErr: number;
  /** m, the values summed per block. */
  readonly blockSize: number;
  /** K, the number of blocks. */
  readonly blocks: number;
  /** N = K·m values used: the first N of the series (for the pooled protocol, in row order). */
  readonly samplesUsed: number;
  /** Values left off the end so that N is a multiple of m (see `tailIndexBlocks`). */
  readonly samplesDropped: number;
  /**
   * Used values that were exactly 0 (after centring). Each enters as log ε ≈ −36 and pulls α̂ down: coordinates
   * whose gradient is always 0 (dead ReLU units, unused embedding rows) make the pooled estimate look heavy-tailed
   * for a reason that has nothing to do with the noise.
   */
  readonly zeros: number;
}

export interface TailIndexBlocks {
  readonly blockSize: number;
  readonly blocks: number;
  readonly samplesDropped: number;
}

/**
 * The block layout for n values. Şimşekli et al. take m = the largest divisor of n with m ≤ √n and drop nothing;
 * kramers does the same whenever that divisor is at least ⌊√n⌋/2. Otherwise (n prime or nearly so, where their
 * rule gives m = 1 or some tiny m and 1/log m blows up) m = ⌊√n⌋ and the last n mod m values are dropped: fewer
 * than √n of them, and log m loses at most log 2 against the divisor rule's best case.
 */
export function tailIndexBlocks(n: number): TailIndexBlocks {
  if (!Number.isInteger(n) || n < 4) throw new RangeError(`tailIndexBlocks: need at least 4 values, got ${n}`);
  const root = integerSqrt(n);
  for (let d = root; 2 * d >= root && d >= 2; d--) {
    if (n % d === 0) return { blockSize: d, blocks: n / d, samplesDropped: 0 };
  }
  const blocks = Math.floor(n / root);
  return { blockSize: root, blocks, samplesDropped: n - blocks * root };
}

/** Per-direction protocol: the tail index of one scalar series. Throws a RangeError on a non-finite value. */
export function tailIndex(series: ArrayLike<number>, options: TailIndexOptions = {}): TailIndexEstimate {
  const accumulator = blockAccumulator(series.length, options.blockSize);
  let sum = 0; // every value is checked, the dropped ones too
  for (let i = 0; i < series.length; i++) sum += finite(series[i]!, i);
  const mean = options.center === false ? 0 : sum / series.length;
  for (let i = 0; i < accumulator.used; i++) accumulator.add(series[i]! - mean);
  return accumulator.result();
}

/**
 * Pooled protocol: every component of every row, flattened row by row into one series (Şimşekli et al.'s
 * `(grads − mean_grad).view(-1, 1)`). The rows are the gradient or noise vectors of the minibatches or examples;
 * with `center` (default) each coordinate's mean over the rows is subtracted. Nothing is copied: the matrix is read
 * in place. Throws a RangeError on a non-finite value or a malformed matrix.
 */
export function pooledTailIndex(noise: GradientMatrix, options: TailIndexOptions = {}): TailIndexEstimate {
  checkMatrix(noise, 1, 'pooledTailIndex');
  const { size, values } = noise;
  const accumulator = blockAccumulator(values.length, options.blockSize);
  const mean = columnMean(noise, 'pooledTailIndex'); // also checks every value, the dropped ones too
  if (options.center === false) mean.fill(0);
  for (let k = 0; k < accumulator.used; k++) accumulator.add(values[k]! - mean[k % size]!);
  return accumulator.result();
}

interface BlockAccumulator {
  /** Values to add: K·m. */
  readonly used: number;
  add(x: number): void;
  result(): TailIndexEstimate;
}

/** Sums of log-sizes of the values and of their block sums, one value at a time. */
function blockAccumulator(n: number, blockSize: number | undefined): BlockAccumulator {
  const layout = blockSize === undefined ? tailIndexBlocks(n) : explicitBlocks(n, blockSize);
  const m = layout.blockSize;
  let sumLogX = 0;
  let sumLogX2 = 0;
  let sumLogY = 0;
  let sumLogY2 = 0;
  let block = 0;
  let inBlock = 0;
  let zeros = 0;
  return {
    used: m * layout.blocks,
    add(x) {
      if (x === 0) zeros++;
      const logX = Math.log(Math.abs(x) + LOG_EPSILON);
      sumLogX += logX;
      sumLogX2 += logX * logX;
      block += x;
      if (++inBlock === m) {
        const logY = Math.log(Math.abs(block) + LOG_EPSILON);
        sumLogY += logY;
        sumLogY2 += logY * logY;
        block = 0;
        inBlock = 0;
      }
    },
    result() {
      const k = layout.blocks;
      const n = m * k;
      const meanLogY = sumLogY / k;
      const meanLogX = sumLogX / n;
      // 1/α̂ = (1/log m)·[(1/K)Σ log|Y_i| − (1/N)Σ log|X_j|] (Mohammadi et al. 2015, Cor. 2.4; docs/theory.md §6)
      const inverseAlpha = (meanLogY - meanLogX) / Math.log(m);
      const rawAlpha = 1 / inverseAlpha;
      const varianceLogY = Math.max(0, (sumLogY2 - k * meanLogY * meanLogY) / (k - 1));
      const varianceLogX = Math.max(0, (sumLogX2 - n * meanLogX * meanLogX) / (n - 1));
      // se(1/α̂) = √(s²_Y/K + s²_X/N)/log m; se(α̂) = se(1/α̂)/(1/α̂)² (delta method, derived)
      const inverseStdErr = Math.sqrt(varianceLogY / k + varianceLogX / n) / Math.log(m);
      return {
        alpha: inverseAlpha > 0.5 ? rawAlpha : 2,
        rawAlpha,
        inverseAlpha,
        stdErr: inverseStdErr / (inverseAlpha * inverseAlpha),
        blockSize: m,
        blocks: layout.blocks,
        samplesUsed: m * layout.blocks,
        samplesDropped: layout.samplesDropped,
        zeros,
      };
    },
  };
}

function finite(v: number, index: number): number {
  if (!Number.isFinite(v)) throw new RangeError(`tailIndex: value ${index} is ${String(v)}; every value must be finite`);
  return v;
}

function explicitBlocks(n: number, blockSize: number): TailIndexBlocks {
  const blocks = Math.floor(n / blockSize);
  if (!Number.isInteger(blockSize) || blockSize < 2 || blocks < 2) {
    throw new RangeError(`tail index: blockSize must be an integer ≥ 2 leaving at least 2 blocks of ${n} values, got ${blockSize}`);
  }
  return { blockSize, blocks, samplesDropped: n - blocks * blockSize };
}

/** ⌊√n⌋ exactly (Math.sqrt may round a perfect square's root down by one ulp for very large n). */
function integerSqrt(n: number): number {
  let r = Math.floor(Math.sqrt(n));
  while (r * r > n) r--;
  while ((r + 1) * (r + 1) <= n) r++;
  return r;
}
