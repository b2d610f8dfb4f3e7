import { checkGeometry, checkLearningRate, checkPathParameter, makePrediction } from './escape-prediction.js';
import type { EscapePrediction, ExitGeometry } from './escape-prediction.js';
import { requirePositive } from './validate.js';

export interface UnifiedEscapeInput extends ExitGeometry {
  /** √(−det H_b / det H_a); √(|H_be|/H_ae) in one dimension. */
  readonly determinantRatio: number;
  /** T_a, the temperature along e at the minimum (see temperature()). */
  readonly temperatureAtMinimum: number;
  /** T_b, the temperature along e at the col; equal to T_a when the noise is frozen at the minimum. */
  readonly temperatureAtCol: number;
  /** Path parameter s ∈ [0, 1]; irrelevant when T_a = T_b. */
  readonly s: number;
  /** η, only to convert τ to iterations. */
  readonly learningRate?: number;
}

/**
 * Mean escape time for any temperatures at the two ends of the path (derived from the proof of Theorem 3.2,
 * Xie et al. 2021 Appendix A.2, before T = ηH/(2B) is substituted):
 * τ = (2π/|H_be|)·determinantRatio·√(T_a/T_b)·exp(sΔL/T_a + (1−s)ΔL/T_b).
 * T_a = T_b = D gives Theorem 3.1; T = η|H|/(2B) at both ends gives Theorem 3.2 in one dimension.
 */
export function unifiedEscapeTime(input: UnifiedEscapeInput): EscapePrediction {
  const where = 'unifiedEscapeTime';
  checkGeometry(where, input);
  requirePositive(where, 'determinantRatio', input.determinantRatio, '√(−det H_b/det H_a); determinantRatio1D in 1-D');
  requirePositive(where, 'temperatureAtMinimum', input.temperatureAtMinimum, 'T_a from temperature()');
  requirePositive(where, 'temperatureAtCol', input.temperatureAtCol, 'T_b from temperature(); T_a for frozen noise');
  checkPathParameter(where, input.s);
  const eta = checkLearningRate(where, input.learningRate);
  const { barrier, colCurvature, determinantRatio, temperatureAtMinimum: ta, temperatureAtCol: tb, s } = input;
  return makePrediction({
    formula: 'unified',
    // Derived (Xie et al. 2021, Appendix A.2, Eq. before the SGN substitution).
    logPrefactor: Math.log((2 * Math.PI * determinantRatio) / -colCurvature) + 0.5 * Math.log(ta / tb),
    exponent: (s * barrier) / ta + ((1 - s) * barrier) / tb,
    s,
    learningRate: eta,
    temperatureAtMinimum: ta,
    temperatureAtCol: tb,
    geometry: input,
  });
}
