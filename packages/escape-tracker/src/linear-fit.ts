export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** Weighted Pearson correlation of x and y; null when y (or x) does not vary. */
  readonly pearson: number | null;
  /** Σ wᵢ (yᵢ − intercept − slope·xᵢ)²: a χ² when the weights are 1/σᵢ². */
  readonly chi2: number;
  readonly n: number;
}

/**
 * Weighted least-squares line y ≈ intercept + slope·x. Weights are 1/σᵢ² (default all 1); with them the
 * returned chi2 is the goodness-of-fit statistic with n − 2 degrees of freedom.
 */
export function linearFit(x: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): LinearFit {
  const where = 'linearFit';
  const n = x.length;
  if (y.length !== n) throw new Error(`${where}: x and y must have the same length, got ${n} and ${y.length}`);
  if (weights !== undefined && weights.length !== n) {
    throw new Error(`${where}: weights must have one entry per point (${n}), got ${weights.length}`);
  }
  if (n < 2) throw new Error(`${where}: needs at least 2 points, got ${n}`);
  let sw = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    const wi = weights === undefined ? 1 : weights[i]!;
    if (!Number.isFinite(xi)) throw new Error(`${where}: x[${i}] must be finite, got ${xi}`);
    if (!Number.isFinite(yi)) throw new Error(`${where}: y[${i}] must be finite, got ${yi}`);
    if (!Number.isFinite(wi) || !(wi > 0)) throw new Error(`${where}: weights[${i}] must be finite and > 0 (1/σ²), got ${wi}`);
    sw += wi;
    sx += wi * xi;
    sy += wi * yi;
  }
  const mx = sx / sw;
  const my = sy / sw;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const wi = weights === undefined ? 1 : weights[i]!;
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += wi * dx * dx;
    syy += wi * dy * dy;
    sxy += wi * dx * dy;
  }
  if (!(sxx > 0)) throw new Error(`${where}: x must take at least two distinct values to fit a slope`);
  // Normal equations of weighted least squares, centred at the weighted means for accuracy.
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let chi2 = 0;
  for (let i = 0; i < n; i++) {
    const wi = weights === undefined ? 1 : weights[i]!;
    const r = y[i]! - intercept - slope * x[i]!;
    chi2 += wi * r * r;
  }
  const pearson = syy > 0 ? Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy))) : null;
  return { slope, intercept, pearson, chi2, n };
}
