import quantile from '@stdlib/stats-base-dists-chisquare-quantile';
import cdf from '@stdlib/stats-base-dists-chisquare-cdf';

/** χ²_k quantile at probability p; k = 0 is the point mass at 0 (the lower end of the censored interval when d = 0). */
export function chiSquareQuantile(p: number, k: number): number {
  if (k === 0) return 0;
  const q = quantile(p, k);
  if (!Number.isFinite(q)) throw new Error(`chiSquareQuantile: no quantile for p = ${p}, k = ${k}`);
  return q;
}

/** P(χ²_k ≤ x). */
export function chiSquareCdf(x: number, k: number): number {
  return cdf(x, k);
}
