import { requirePositive } from './validate.js';

export interface SgdStationaryInput {
  readonly optimizer: 'sgd';
  readonly learningRate: number;
  readonly batchSize: number;
  /** λ_e > 0, the Hessian eigenvalue along the direction. */
  readonly curvature: number;
}

export interface SgldStationaryInput {
  readonly optimizer: 'sgld';
  readonly learningRate: number;
  readonly diffusion: number;
  readonly curvature: number;
}

export type StationaryVarianceInput = SgdStationaryInput | SgldStationaryInput;

/**
 * Var(eᵀθ) of the discrete-time iteration around a quadratic minimum, exactly (derived from the AR(1) recursion
 * x ← (1 − ηλ)x + noise): SGD η/(B(2 − ηλ)) with noise variance η²λ/B, SGLD 2D/(λ(2 − ηλ)) with 2ηD. Their
 * continuous-time limits η/(2B) and D/λ are what a temperature estimate from fluctuations inverts.
 */
export function stationaryVariance(input: StationaryVarianceInput): number {
  const where = `stationaryVariance(${String(input?.optimizer)})`;
  requirePositive(where, 'learningRate', input.learningRate, 'η');
  requirePositive(where, 'curvature', input.curvature, 'λ_e at a minimum');
  const step = input.learningRate * input.curvature;
  if (!(step < 2)) {
    throw new Error(`${where}: learningRate × curvature must be < 2 for a stationary state, got ${step}; lower learningRate`);
  }
  if (input.optimizer === 'sgd') {
    requirePositive(where, 'batchSize', input.batchSize, 'B');
    // Derived: v = η²(λ/B)/(1 − (1 − ηλ)²).
    return input.learningRate / (input.batchSize * (2 - step));
  }
  if (input.optimizer === 'sgld') {
    requirePositive(where, 'diffusion', input.diffusion, 'D');
    // Derived: v = 2ηD/(1 − (1 − ηλ)²).
    return (2 * input.diffusion) / (input.curvature * (2 - step));
  }
  throw new Error(`stationaryVariance: optimizer must be 'sgd' or 'sgld', got ${String((input as { optimizer: unknown }).optimizer)}`);
}
