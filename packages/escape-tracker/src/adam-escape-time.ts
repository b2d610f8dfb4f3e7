import { checkGeometry, checkPathParameter, makePrediction } from './escape-prediction.js';
import type { EscapeBracket } from './sgd-escape-time.js';
import type { EscapePrediction, ExitGeometry } from './escape-prediction.js';
import { requirePositive } from './validate.js';

export interface AdamEscapeInput extends ExitGeometry {
  readonly learningRate: number;
  readonly batchSize: number;
  /** Path parameter s ∈ [0, 1]. */
  readonly s: number;
}

/**
 * Adam mean escape time (Xie et al. 2022, s-interpolated form; the exponent follows from T = η√(H/B)/2):
 * log τ = log(2π/|H_be|) + (2√B ΔL/η)(s/√H_ae + (1−s)/√|H_be|).
 */
export function adamEscapeTime(input: AdamEscapeInput): EscapePrediction {
  const where = 'adamEscapeTime';
  checkGeometry(where, input);
  requirePositive(where, 'learningRate', input.learningRate, 'η');
  requirePositive(where, 'batchSize', input.batchSize, 'B');
  checkPathParameter(where, input.s);
  const { barrier, minimumCurvature: ha, colCurvature, learningRate: eta, batchSize: b, s } = input;
  const hb = -colCurvature;
  return makePrediction({
    formula: 'adam',
    logPrefactor: Math.log((2 * Math.PI) / hb),
    // Xie et al. 2022 (as summarised), equivalently ΔL(s/T_a + (1−s)/T_b) with T = η√(H/B)/2 (derived).
    exponent: ((2 * Math.sqrt(b) * barrier) / eta) * (s / Math.sqrt(ha) + (1 - s) / Math.sqrt(hb)),
    s,
    learningRate: eta,
    temperatureAtMinimum: (eta * Math.sqrt(ha / b)) / 2,
    temperatureAtCol: (eta * Math.sqrt(hb / b)) / 2,
    geometry: input,
  });
}

/** The Adam formula at s = 0 and s = 1. */
export function adamEscapeTimeBracket(input: Omit<AdamEscapeInput, 's'>): EscapeBracket {
  const s0 = adamEscapeTime({ ...input, s: 0 });
  const s1 = adamEscapeTime({ ...input, s: 1 });
  return { s0, s1, tauRange: s0.logTau <= s1.logTau ? [s0.tau, s1.tau] : [s1.tau, s0.tau] };
}
