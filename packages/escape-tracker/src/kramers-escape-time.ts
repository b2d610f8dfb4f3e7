import { checkGeometry, checkLearningRate, makePrediction } from './escape-prediction.js';
import type { EscapePrediction, ExitGeometry } from './escape-prediction.js';
import { requirePositive } from './validate.js';

export interface KramersInput extends ExitGeometry {
  /** √(−det H_b / det H_a); in one dimension √(|H_be|/H_ae) (see determinantRatio1D). */
  readonly determinantRatio: number;
  /** SGLD temperature D (θ ← θ − ηg + √(2ηD)ξ). */
  readonly diffusion: number;
  /** η, only to convert τ to iterations. */
  readonly learningRate?: number;
}

/** √(−det H_b / det H_a) for a one-dimensional path (derived: the determinants are the curvatures). */
export function determinantRatio1D(minimumCurvature: number, colCurvature: number): number {
  requirePositive('determinantRatio1D', 'minimumCurvature', minimumCurvature, 'H_ae');
  if (!(colCurvature < 0)) throw new Error(`determinantRatio1D: colCurvature must be < 0 (signed H_be), got ${colCurvature}`);
  return Math.sqrt(-colCurvature / minimumCurvature);
}

/**
 * SGLD mean escape time, the Eyring–Kramers law: Xie et al. 2021, Theorem 3.1,
 * τ = 2π·√(−det H_b/det H_a)·(1/|H_be|)·exp(ΔL/D).
 */
export function kramersEscapeTime(input: KramersInput): EscapePrediction {
  const where = 'kramersEscapeTime';
  checkGeometry(where, input);
  requirePositive(where, 'determinantRatio', input.determinantRatio, '√(−det H_b/det H_a); determinantRatio1D in 1-D');
  requirePositive(where, 'diffusion', input.diffusion, 'the SGLD temperature D');
  const eta = checkLearningRate(where, input.learningRate);
  return makePrediction({
    formula: 'theorem-3.1',
    // Theorem 3.1 (Xie et al. 2021).
    logPrefactor: Math.log((2 * Math.PI * input.determinantRatio) / -input.colCurvature),
    exponent: input.barrier / input.diffusion,
    s: null,
    learningRate: eta,
    temperatureAtMinimum: input.diffusion,
    temperatureAtCol: input.diffusion,
    geometry: input,
  });
}
