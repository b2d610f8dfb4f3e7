import { checkGeometry, checkPathParameter, makePrediction } from './escape-prediction.js';
import type { EscapePrediction, ExitGeometry } from './escape-prediction.js';
import { requirePositive } from './validate.js';

export interface SgdEscapeInput extends ExitGeometry {
  readonly learningRate: number;
  readonly batchSize: number;
  /** Path parameter s ∈ [0, 1] of Theorem 3.2: where along the path the minimum's temperature hands over to the col's. */
  readonly s: number;
}

/**
 * SGD mean escape time, Xie et al. 2021, Theorem 3.2:
 * τ = (2π/|H_be|)·exp[(2BΔL/η)(s/H_ae + (1−s)/|H_be|)].
 */
export function sgdEscapeTime(input: SgdEscapeInput): EscapePrediction {
  const where = 'sgdEscapeTime';
  checkGeometry(where, input);
  requirePositive(where, 'learningRate', input.learningRate, 'η');
  requirePositive(where, 'batchSize', input.batchSize, 'B');
  checkPathParameter(where, input.s);
  const { barrier, minimumCurvature: ha, colCurvature, learningRate: eta, batchSize: b, s } = input;
  const hb = -colCurvature;
  return makePrediction({
    formula: 'theorem-3.2',
    // Theorem 3.2 (Xie et al. 2021).
    logPrefactor: Math.log((2 * Math.PI) / hb),
    exponent: ((2 * b * barrier) / eta) * (s / ha + (1 - s) / hb),
    s,
    learningRate: eta,
    // D = ηH/(2B) at each end (Xie et al. 2021, with [H]⁺ at the col).
    temperatureAtMinimum: (eta * ha) / (2 * b),
    temperatureAtCol: (eta * hb) / (2 * b),
    geometry: input,
  });
}

export interface EscapeBracket {
  readonly s0: EscapePrediction;
  readonly s1: EscapePrediction;
  /** [shorter τ, longer τ] of the two. */
  readonly tauRange: readonly [number, number];
}

/** Theorem 3.2 at both ends of s, for when the path parameter is unknown. */
export function sgdEscapeTimeBracket(input: Omit<SgdEscapeInput, 's'>): EscapeBracket {
  const s0 = sgdEscapeTime({ ...input, s: 0 });
  const s1 = sgdEscapeTime({ ...input, s: 1 });
  return { s0, s1, tauRange: s0.logTau <= s1.logTau ? [s0.tau, s1.tau] : [s1.tau, s0.tau] };
}
