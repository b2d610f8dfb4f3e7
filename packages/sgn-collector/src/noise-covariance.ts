/**
 * The minibatch gradient-noise covariance at a fixed θ from per-example gradients, in float64, never as an n × n
 * matrix (docs/theory.md §0, §1; test/fixtures/shared/reference/README.md, "Gradient-noise covariance"):
 *
 *   Σ = (1/m) Σ_j g_j g_jᵀ − g gᵀ = (1/m) Σ_j (g_j − g)(g_j − g)ᵀ,  g = (1/m) Σ_j g_j,   C = Σ / B.
 *
 * Population normalisation 1/m: Σ is the covariance of one row drawn uniformly from the m rows. C is the covariance
 * of the mean of B rows drawn with replacement; drawn without replacement (as SGD draws within an epoch) it is
 * C·(m − B)/(m − 1), the finite-population factor, which is reported, not applied. Traces and quadratic forms use the
 * centred rows g_j − g (the same number as the raw second moment minus g gᵀ, without its cancellation).
 */
import { checkMatrix, columnMean } from './gradient-matrix.js';
import type { PerExampleGradients } from './per-example-gradients.js';

/** Σ and C = Σ/B in trace, with the mean gradient; the per-example gradients it came from stay attached. */
export interface NoiseCovariance {
  /** The per-example gradients (read by `noiseAlong`). */
  readonly perExample: PerExampleGradients;
  readonly batchSize: number;
  /** m, the rows averaged over. */
  readonly rows: number;
  /** g = (1/m) Σ_j g_j, the full gradient. */
  readonly mean: Float64Array;
  /** tr Σ = (1/m) Σ_j ‖g_j − g‖². */
  readonly traceSigma: number;
  /** tr C = tr Σ / B. */
  readonly traceC: number;
  /** (m − B)/(m − 1): Cov of a without-replacement minibatch mean is C times this. */
  readonly finitePopulationFactor: number;
  /** tr C · (m − B)/(m − 1). */
  readonly traceCFinitePopulationCorrected: number;
}

/** The noise along one unit direction u. */
export interface DirectionalNoise {
  /** uᵀ C u = (1/B)·((1/m) Σ_j (g_j·u)² − (g·u)²). */
  readonly noiseVariance: number;
  /** uᵀ Σ u = B · uᵀ C u: the variance of one row's gradient along u. */
  readonly rowVariance: number;
  /** g·u, the full gradient along u. */
  readonly gradientProjection: number;
  /** (g_j − g)·u for each row j: per-example noise along u, mean 0, variance uᵀ Σ u. */
  readonly projections: Float64Array;
}

/** A direction must be a unit vector (‖u‖ = 1 within this). */
export const UNIT_TOLERANCE = 1e-6;

export function noiseCovariance(perExample: PerExampleGradients, batchSize: number): NoiseCovariance {
  const where = 'noiseCovariance';
  const { rows: m, size: n, values } = perExample;
  checkMatrix(perExample, 2, where);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${where}: batchSize must be a positive integer, got ${batchSize}`);
  const mean = columnMean(perExample, where);
  let sum = 0;
  for (let j = 0; j < m; j++) {
    const row = values.subarray(j * n, (j + 1) * n);
    for (let i = 0; i < n; i++) sum += (row[i]! - mean[i]!) ** 2;
  }
  const traceSigma = sum / m;
  const traceC = traceSigma / batchSize;
  const finitePopulationFactor = finitePopulation(m, batchSize);
  return {
    perExample,
    batchSize,
    rows: m,
    mean,
    traceSigma,
    traceC,
    finitePopulationFactor,
    traceCFinitePopulationCorrected: traceC * finitePopulationFactor,
  };
}

/**
 * (m − B)/(m − 1): the variance of a without-replacement sample mean over the with-replacement one (Cochran,
 * Sampling Techniques, 3rd ed., Thm 2.2). Zero at B = m (the minibatch is the whole probe); negative beyond.
 */
export function finitePopulation(m: number, batchSize: number): number {
  return (m - batchSize) / (m - 1);
}

/** The noise of C along each unit direction (each of length n, in the per-example gradients' flat order). */
export function noiseAlong(covariance: NoiseCovariance, directions: readonly ArrayLike<number>[]): DirectionalNoise[] {
  const { perExample, mean, batchSize } = covariance;
  const { rows: m, size: n, values } = perExample;
  return directions.map((u, k) => {
    checkUnit(u, n, k);
    let gu = 0;
    for (let i = 0; i < n; i++) gu += mean[i]! * u[i]!;
    const projections = new Float64Array(m);
    let sum = 0;
    for (let j = 0; j < m; j++) {
      const row = values.subarray(j * n, (j + 1) * n);
      let p = 0;
      for (let i = 0; i < n; i++) p += row[i]! * u[i]!;
      p -= gu;
      projections[j] = p;
      sum += p * p;
    }
    const rowVariance = sum / m;
    return { noiseVariance: rowVariance / batchSize, rowVariance, gradientProjection: gu, projections };
  });
}

/** Throws unless `u` has length n and unit norm: the quadratic forms and the fit against λ/B assume unit directions. */
export function checkUnit(u: ArrayLike<number>, n: number, k: number): void {
  if (u.length !== n) throw new RangeError(`direction ${k} has ${u.length} entries, expected n = ${n}`);
  let s = 0;
  for (let i = 0; i < n; i++) s += u[i]! * u[i]!;
  if (!(Math.abs(Math.sqrt(s) - 1) <= UNIT_TOLERANCE)) {
    throw new RangeError(`direction ${k} has norm ${Math.sqrt(s)}; directions must be unit vectors (normalise it first)`);
  }
}
