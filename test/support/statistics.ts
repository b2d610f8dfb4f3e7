/** Sample summaries for the tests that check reported uncertainties over many seeds. */

export const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Sample standard deviation (n − 1). */
export function sampleSd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * Acceptance bands for K standard-normal draws at three standard errors: |mean| ≤ 3/√K, and the sample sd within
 * 1 ± 3/√(2(K − 1)) (its standard error for normal data).
 */
export function standardNormalBands(k: number): { mean: number; sdLow: number; sdHigh: number } {
  const sdError = 3 / Math.sqrt(2 * (k - 1));
  return { mean: 3 / Math.sqrt(k), sdLow: 1 - sdError, sdHigh: 1 + sdError };
}
