/**
 * How well the noise covariance follows the Hessian: along each eigenvector u_k of H, y_k = u_kᵀ C u_k against
 * x_k = λ_k / B, over the directions with λ_k > threshold (applied to λ of H, not of H/B). C ≈ H/B near a minimum of
 * a cross-entropy loss (docs/theory.md §1, Xie, Sato & Sugiyama 2021) predicts slope 1, intercept 0, Pearson 1.
 * Definitions exactly as test/fixtures/shared/reference/README.md, "Gradient-noise covariance".
 */

/** One eigen-direction: λ_k of H and u_kᵀ C u_k. */
export interface FitPoint {
  readonly eigenvalue: number;
  readonly noiseVariance: number;
}

export interface HessianNoiseFit {
  /** OLS slope b of y ≈ a + b·x. */
  readonly slope: number | null;
  /** OLS intercept a. */
  readonly intercept: number | null;
  /** Σxy / Σx². */
  readonly slopeThroughOrigin: number | null;
  /** Pearson correlation of (x_k, y_k). */
  readonly pearson: number | null;
  /** Pearson correlation of (log10 x_k, log10 y_k); null when some y_k ≤ 0. */
  readonly pearsonLog10: number | null;
  /** Directions with λ_k > threshold. Every statistic is null with fewer than 2 (and a Pearson when a side is constant). */
  readonly directionsUsed: number;
  readonly threshold: number;
}

/** The reference's eigenvalue threshold: directions with λ_k ≤ 1e-4 are left out. */
export const DEFAULT_EIGENVALUE_THRESHOLD = 1e-4;

export function hessianNoiseFit(points: readonly FitPoint[], batchSize: number, threshold = DEFAULT_EIGENVALUE_THRESHOLD): HessianNoiseFit {
  const kept = points.filter((p) => p.eigenvalue > threshold);
  const x = kept.map((p) => p.eigenvalue / batchSize);
  const y = kept.map((p) => p.noiseVariance);
  const base = { directionsUsed: kept.length, threshold };
  if (kept.length < 2) return { slope: null, intercept: null, slopeThroughOrigin: null, pearson: null, pearsonLog10: null, ...base };
  const line = leastSquares(x, y);
  return {
    slope: line?.slope ?? null,
    intercept: line?.intercept ?? null,
    slopeThroughOrigin: dot(x, y) / dot(x, x),
    pearson: pearson(x, y),
    pearsonLog10: y.every((v) => v > 0) ? pearson(x.map(Math.log10), y.map(Math.log10)) : null,
    ...base,
  };
}

const mean = (v: readonly number[]): number => v.reduce((s, a) => s + a, 0) / v.length;
const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** Centred sums Sxx, Syy, Sxy (two passes, no cancellation). */
function centredSums(x: readonly number[], y: readonly number[]): { sxx: number; syy: number; sxy: number; mx: number; my: number } {
  const mx = mean(x);
  const my = mean(y);
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  x.forEach((xi, i) => {
    const dx = xi - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  });
  return { sxx, syy, sxy, mx, my };
}

/** OLS: slope = Sxy/Sxx, intercept = ȳ − slope·x̄; undefined when x is constant. */
export function leastSquares(x: readonly number[], y: readonly number[]): { slope: number; intercept: number } | undefined {
  const { sxx, sxy, mx, my } = centredSums(x, y);
  if (!(sxx > 0)) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** Pearson r = Sxy / √(Sxx·Syy); null when either side is constant. */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  const { sxx, syy, sxy } = centredSums(x, y);
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}
