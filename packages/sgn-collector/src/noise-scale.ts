/**
 * The gradient noise scale of McCandlish et al. 2018 (arXiv:1812.06162; docs/theory.md §7) at a fixed θ:
 * B_simple = tr(Σ)/|G|², Σ the per-example gradient covariance and G the full gradient. A minibatch of B examples
 * has E|G_B|² = |G|² + tr(Σ)/B: below B_simple its gradient is mostly noise, above it mostly signal. McCandlish et
 * al. find the critical batch size B_crit (beyond which a larger batch stops cutting the steps training needs)
 * close to B_noise, which equals B_simple when the Hessian is a multiple of the identity; kramers reports
 * B_crit ≈ B_simple, good to within the order of magnitude they found.
 *
 * Their optimal-step model, for reading the number (not computed here): ε_opt(B) = ε_max/(1 + B_noise/B), so at
 * B ≪ B_noise the best learning rate grows linearly with B and at B ≫ B_noise it saturates at ε_max.
 */
import { checkMatrix, columnMean, type GradientMatrix } from './gradient-matrix.js';

export interface NoiseScale {
  /** |G|², estimated without bias; sampling noise can make it ≤ 0 when the true gradient is small. */
  readonly gradNormSq: number;
  /** tr Σ = E|g_j − G|², the per-example gradient variance summed over parameters. */
  readonly traceSigma: number;
  /**
   * B_simple = tr Σ / |G|²; undefined ("not yet estimable") when |G|² ≤ 0 or tr Σ < 0 — the estimate's own noise
   * exceeds the signal — rather than a negative or infinite scale.
   */
  readonly bSimple: number | undefined;
  /** B_crit ≈ B_simple (McCandlish et al. 2018): the batch size beyond which larger batches buy few fewer steps. */
  readonly criticalBatchSize: number | undefined;
}

/** Squared norms of a small-batch and a big-batch gradient at the same θ, with their batch sizes. */
export interface TwoBatchNorms {
  /** B_small, examples in the small batch (e.g. the minibatch size). */
  readonly smallBatch: number;
  /** |G_small|². */
  readonly smallNormSq: number;
  /** B_big > B_small (e.g. k·B for the mean of k minibatches). */
  readonly bigBatch: number;
  /** |G_big|². */
  readonly bigNormSq: number;
}

/** B_simple from estimates of |G|² and tr Σ, with the not-estimable cases as `NoiseScale.bSimple` says. */
export function simpleNoiseScale(gradNormSq: number, traceSigma: number): NoiseScale {
  // B_simple = tr(Σ)/|G|² (McCandlish et al. 2018; docs/theory.md §7)
  const estimable = gradNormSq > 0 && traceSigma >= 0 && Number.isFinite(gradNormSq) && Number.isFinite(traceSigma);
  const bSimple = estimable ? traceSigma / gradNormSq : undefined;
  return { gradNormSq, traceSigma, bSimple, criticalBatchSize: bSimple };
}

/**
 * The unbiased two-batch-size estimates of |G|² and tr Σ (docs/theory.md §7), from E|G_B|² = |G|² + tr(Σ)/B at two
 * batch sizes. Unbiased when each batch is drawn with replacement (or from a population much larger than B_big; else
 * see `finitePopulationNorms`). The two batches may share examples (the big one may contain the small one): only
 * each one's expectation enters.
 */
export function twoBatchEstimate(norms: TwoBatchNorms): NoiseScale {
  checkBatchSizes(norms, 'twoBatchEstimate');
  return simpleNoiseScale(twoBatchGradNormSq(norms), twoBatchTraceSigma(norms));
}

/** |G|² ≈ (B_big|G_big|² − B_small|G_small|²)/(B_big − B_small) (docs/theory.md §7). */
export function twoBatchGradNormSq({ smallBatch: bs, smallNormSq, bigBatch: bb, bigNormSq }: TwoBatchNorms): number {
  return (bb * bigNormSq - bs * smallNormSq) / (bb - bs);
}

/** tr Σ ≈ (|G_small|² − |G_big|²)/(1/B_small − 1/B_big) (docs/theory.md §7). */
export function twoBatchTraceSigma({ smallBatch: bs, smallNormSq, bigBatch: bb, bigNormSq }: TwoBatchNorms): number {
  return (smallNormSq - bigNormSq) / (1 / bs - 1 / bb);
}

export function checkBatchSizes({ smallBatch, bigBatch }: TwoBatchNorms, where: string): void {
  if (!(smallBatch > 0 && bigBatch > smallBatch && Number.isFinite(bigBatch))) {
    throw new RangeError(`${where}: need 0 < smallBatch < bigBatch, got ${smallBatch} and ${bigBatch}`);
  }
}

/**
 * The same norms with each batch size replaced by its with-replacement equivalent, for minibatches drawn without
 * replacement from N examples (an epoch's shuffled order cut into batches, as `model.fit` does): a mean of b
 * distinct rows has covariance (Σ/b)·(N − b)/(N − 1) (docs/theory.md §0), i.e. that of b·(N − 1)/(N − b) rows drawn
 * with replacement, so §7's estimates stay unbiased with those sizes. Without it the with-replacement formulas
 * give E|Ĝ|² = |G|² − tr Σ/(N − 1) and E[tr Σ̂] = tr Σ·N/(N − 1) whatever B and k (derived), so B_simple comes out
 * high by about B_simple/N relative: 10 % at B_simple = 100 on 1000 rows, and not estimable at all once B_simple
 * nears N, which on a small data set it does near a minimum. Exact when the big batch's rows all come from one
 * epoch; a window that spans an epoch boundary is treated as if they did. Returns undefined when bigBatch ≥ N (the
 * window holds an epoch or more: choose k with k·B < N).
 */
export function finitePopulationNorms(norms: TwoBatchNorms, datasetSize: number): TwoBatchNorms | undefined {
  const n = datasetSize;
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`finitePopulationNorms: datasetSize must be an integer ≥ 2, got ${n}`);
  if (norms.bigBatch >= n) return undefined;
  // b_eff = b·(N − 1)/(N − b) (docs/theory.md §0: without replacement, Cov = (Σ/b)·(N − b)/(N − 1))
  const effective = (b: number) => (b * (n - 1)) / (n - b);
  return { ...norms, smallBatch: effective(norms.smallBatch), bigBatch: effective(norms.bigBatch) };
}

/**
 * Gradients at one θ:
 * - `per-example`: one row per example. `wholeDataset: true` says the rows are every example of the training set
 *   (as `kramers noise` computes them on a small data set): then G is their mean exactly and tr Σ their population
 *   variance (docs/theory.md §0), nothing is estimated, and `stdErr` is 0. Default false: the rows are a sample of
 *   the data (a probe subset), and the estimates are the unbiased ones.
 * - `minibatch`: one row per minibatch gradient, each the mean over `batchSize` examples, minibatches drawn
 *   independently (K rows with K ≥ 2).
 */
export type GradientSample =
  | { readonly kind: 'per-example'; readonly gradients: GradientMatrix; readonly wholeDataset?: boolean }
  | { readonly kind: 'minibatch'; readonly gradients: GradientMatrix; readonly batchSize: number };

export interface NoiseScaleAtPoint extends NoiseScale {
  /** Rows the estimate used. */
  readonly rows: number;
  /** Examples per row (1 for per-example gradients). */
  readonly batchSize: number;
  /**
   * Standard error of `bSimple` by the jackknife over rows (leave one row out; needs ≥ 3 rows): 0 for
   * `wholeDataset`, undefined where `bSimple` or a leave-one-out estimate is not estimable.
   */
  readonly stdErr: number | undefined;
}

/**
 * B_simple from gradients at a fixed θ. Rows are treated as i.i.d. draws of a b-example batch gradient (b = 1 per
 * example): with K rows, the small batch is one row (B_small = b) and the big one their mean (B_big = K·b), which
 * makes §7's two-batch estimates tr Σ = b·Σ_j|g_j − ḡ|²/(K − 1) and |G|² = |ḡ|² − Σ_j|g_j − ḡ|²/(K(K − 1)), computed
 * from centred rows to avoid the cancellation of |G_small|² − |G_big|². Two passes over the matrix, O(K + n) memory.
 */
export function noiseScaleAtPoint(sample: GradientSample): NoiseScaleAtPoint {
  const where = 'noiseScaleAtPoint';
  checkSample(sample, where);
  const { gradients } = sample;
  const b = rowBatchSize(sample);
  const { rows: k } = gradients;
  const { meanNormSq, deviations, alignments } = centredRows(gradients, where);
  const sumSq = deviations.reduce((s, c) => s + c, 0);
  const estimate = estimateFromSums(sample, meanNormSq, sumSq);
  const whole = sample.kind === 'per-example' && sample.wholeDataset === true;
  const stdErr = whole ? 0 : jackknife(k, b, meanNormSq, sumSq, deviations, alignments, estimate);
  return { ...estimate, rows: k, batchSize: b, stdErr };
}

/** Throws a RangeError unless the matrix is well formed with ≥ 2 rows and a minibatch size is a positive integer. */
export function checkSample(sample: GradientSample, where: string): void {
  checkMatrix(sample.gradients, 2, where);
  const b = rowBatchSize(sample);
  if (!Number.isInteger(b) || b < 1) throw new RangeError(`${where}: batchSize must be a positive integer, got ${b}`);
}

/** Examples per row: 1 for per-example gradients. */
export function rowBatchSize(sample: GradientSample): number {
  return sample.kind === 'minibatch' ? sample.batchSize : 1;
}

/**
 * |G|² and tr Σ from |ḡ|² and the summed squared deviations SS = Σ_j|g_j − ḡ|² of the sample's rows (or of one
 * block of their coordinates): the population values for a whole data set, else §7's two-batch estimates.
 */
export function estimateFromSums(sample: GradientSample, meanNormSq: number, sumSq: number): NoiseScale {
  const k = sample.gradients.rows;
  if (sample.kind === 'per-example' && sample.wholeDataset === true) {
    // the rows are the population: G = ḡ, tr Σ = (1/N)Σ_j|g_j − ḡ|² (docs/theory.md §0)
    return simpleNoiseScale(meanNormSq, sumSq / k);
  }
  return sampleEstimate(k, rowBatchSize(sample), meanNormSq, sumSq);
}

/**
 * §7's two-batch estimates for K i.i.d. rows of b examples, from |ḡ|² and SS (derived: B_small = b, B_big = K·b,
 * |G_small|² = mean_j|g_j|² = |ḡ|² + SS/K).
 */
function sampleEstimate(k: number, b: number, meanNormSq: number, sumSq: number): NoiseScale {
  return simpleNoiseScale(meanNormSq - sumSq / (k * (k - 1)), (b * sumSq) / (k - 1));
}

interface CentredRows {
  /** |ḡ|². */
  readonly meanNormSq: number;
  /** c_j = |g_j − ḡ|². */
  readonly deviations: Float64Array;
  /** e_j = ḡ·(g_j − ḡ), for the leave-one-out means. */
  readonly alignments: Float64Array;
}

function centredRows(gradients: GradientMatrix, where: string): CentredRows {
  const { rows, size, values } = gradients;
  const mean = columnMean(gradients, where);
  let meanNormSq = 0;
  for (let i = 0; i < size; i++) meanNormSq += mean[i]! * mean[i]!;
  const deviations = new Float64Array(rows);
  const alignments = new Float64Array(rows);
  for (let j = 0, at = 0; j < rows; j++) {
    let c = 0;
    let e = 0;
    for (let i = 0; i < size; i++, at++) {
      const d = values[at]! - mean[i]!;
      c += d * d;
      e += mean[i]! * d;
    }
    deviations[j] = c;
    alignments[j] = e;
  }
  return { meanNormSq, deviations, alignments };
}

/**
 * Jackknife standard error √((K−1)/K · Σ_i (θ_i − θ̄)²) of B_simple, θ_i the estimate without row i (Efron & Stein
 * 1981), each from downdated sums rather than a new pass: SS_(i) = SS − K/(K−1)·c_i and
 * |ḡ_(i)|² = |ḡ|² − 2e_i/(K−1) + c_i/(K−1)² (derived).
 */
function jackknife(
  k: number,
  b: number,
  meanNormSq: number,
  sumSq: number,
  deviations: Float64Array,
  alignments: Float64Array,
  full: NoiseScale,
): number | undefined {
  if (k < 3 || full.bSimple === undefined) return undefined;
  const leaveOneOut = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const c = deviations[i]!;
    const ss = sumSq - (k / (k - 1)) * c;
    const g2 = meanNormSq - (2 * alignments[i]!) / (k - 1) + c / (k - 1) ** 2;
    const theta = sampleEstimate(k - 1, b, g2, ss).bSimple;
    if (theta === undefined) return undefined;
    leaveOneOut[i] = theta;
  }
  const mean = leaveOneOut.reduce((s, t) => s + t, 0) / k;
  const spread = leaveOneOut.reduce((s, t) => s + (t - mean) ** 2, 0);
  return Math.sqrt(((k - 1) / k) * spread);
}
