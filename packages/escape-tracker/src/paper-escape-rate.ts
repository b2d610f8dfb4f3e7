import { readTimes } from './validate.js';

export interface PaperEscapeRate {
  /** (N − 2)/Σtᵢ. */
  readonly gamma: number;
  /** γ̂(1 ± 1.96/√N), a normal approximation. */
  readonly ci: readonly [number, number];
  readonly escaped: number;
  readonly method: 'paper-normal';
  readonly level: 0.95;
}

/**
 * The estimator of Xie, Sato & Sugiyama (ICLR 2021, Appendix D.1), for comparison with their figures:
 * γ̂ = (N − 2)/Σtᵢ with the interval γ̂(1 ± 1.96/√N). It sits below the MLE N/Σtᵢ and below the unbiased
 * (N − 1)/Σtᵢ; prefer escapeRate for new measurements.
 */
export function paperEscapeRate(times: ArrayLike<number>): PaperEscapeRate {
  const t = readTimes('paperEscapeRate', times);
  const n = t.length;
  if (n < 3) throw new Error(`paperEscapeRate: needs at least 3 escape times (the estimator is (N − 2)/Σt), got ${n}`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += t[i]!;
  // Xie et al. 2021, Appendix D.1.
  const gamma = (n - 2) / sum;
  const half = 1.96 / Math.sqrt(n);
  return { gamma, ci: [gamma * (1 - half), gamma * (1 + half)], escaped: n, method: 'paper-normal', level: 0.95 };
}
