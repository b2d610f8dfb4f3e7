import { requireFinite, requirePositive, requireUnitInterval } from './validate.js';

/** Plain SGD, θ ← θ − η ĝ_B. */
export interface SgdTemperatureInput {
  readonly optimizer: 'sgd';
  readonly learningRate: number;
  readonly batchSize: number;
  /** H_e = eᵀHe along the direction; a negative value (at a col) is used as |H_e| ([H]⁺). */
  readonly curvature: number;
}

/** Gradient descent plus injected white noise √(2ηD)ξ: the temperature is D itself. */
export interface SgldTemperatureInput {
  readonly optimizer: 'sgld';
  readonly diffusion: number;
  readonly learningRate?: number;
}

/** Heavy ball with tfjs semantics m ← βm + (1 − dampening)g, θ ← θ − ηm (tfjs has dampening 0). */
export interface MomentumTemperatureInput {
  readonly optimizer: 'momentum';
  readonly learningRate: number;
  readonly batchSize: number;
  readonly curvature: number;
  /** β ∈ [0, 1). */
  readonly momentum: number;
  /** In [0, 1); default 0 (tfjs). dampening = β is the EMA form m ← βm + (1 − β)g, whose temperature equals SGD's. */
  readonly dampening?: number;
}

/** Adam near a minimum, where the second-moment estimate v_e ≈ Var(eᵀĝ) = H_e/B. */
export interface AdamTemperatureInput {
  readonly optimizer: 'adam';
  readonly learningRate: number;
  readonly batchSize: number;
  readonly curvature: number;
  /** Adam's ε (default 0: negligible unless √(H_e/B) is comparable to it; tfjs uses 1e-7). */
  readonly epsilon?: number;
}

export type TemperatureInput = SgdTemperatureInput | SgldTemperatureInput | MomentumTemperatureInput | AdamTemperatureInput;

export type OptimizerName = TemperatureInput['optimizer'];

/** η_eff = η(1 − dampening)/(1 − β) for the heavy ball (derived, overdamped limit); η otherwise. */
export function effectiveLearningRate(input: TemperatureInput): number | null {
  switch (input.optimizer) {
    case 'sgd':
    case 'adam':
      return input.learningRate;
    case 'sgld':
      return input.learningRate ?? null;
    case 'momentum': {
      const dampening = input.dampening ?? 0;
      // Overdamped heavy ball: the stationary velocity is (1 − dampening)g/(1 − β) (derived).
      return (input.learningRate * (1 - dampening)) / (1 - input.momentum);
    }
  }
}

/**
 * The temperature T_e along one direction: the stationary density along e is ∝ exp(−L/T_e) (derived, from
 * T_e = η_eff p_e C_ee / 2 with C_ee = H_e/B near a minimum). For SGD it is Xie et al.'s D = ηH/(2B).
 */
export function temperature(input: TemperatureInput): number {
  const where = `temperature(${String(input?.optimizer)})`;
  switch (input.optimizer) {
    case 'sgld':
      requirePositive(where, 'diffusion', input.diffusion, 'the injected temperature D; per-step noise std σ gives D = σ²/(2η)');
      if (input.learningRate !== undefined) requirePositive(where, 'learningRate', input.learningRate);
      // SGLD: T = D (Xie et al. 2021, Theorem 3.1 setting).
      return input.diffusion;
    case 'sgd': {
      const h = checkCommon(where, input.learningRate, input.batchSize, input.curvature);
      // Xie et al. 2021, Eq. for D near minima: D = ηH/(2B).
      return (input.learningRate * h) / (2 * input.batchSize);
    }
    case 'momentum': {
      const h = checkCommon(where, input.learningRate, input.batchSize, input.curvature);
      requireFinite(where, 'momentum', input.momentum);
      if (!(input.momentum >= 0 && input.momentum < 1)) {
        throw new Error(`${where}: momentum must lie in [0, 1) (β of m ← βm + g), got ${input.momentum}`);
      }
      if (input.dampening !== undefined) {
        requireUnitInterval(where, 'dampening', input.dampening, 'm ← βm + (1 − dampening)g');
        if (input.dampening === 1) throw new Error(`${where}: dampening must be < 1 (dampening 1 discards the gradient); use β for the EMA form`);
      }
      // Heavy ball as SGD with η_eff (derived; Xie et al. 2022 as summarised).
      return ((effectiveLearningRate(input) as number) * h) / (2 * input.batchSize);
    }
    case 'adam': {
      const h = checkCommon(where, input.learningRate, input.batchSize, input.curvature);
      const eps = input.epsilon ?? 0;
      requireFinite(where, 'epsilon', eps);
      if (eps < 0) throw new Error(`${where}: epsilon must be ≥ 0, got ${eps}`);
      const c = h / input.batchSize;
      // Adam: p_e = 1/(√v_e + ε), v_e ≈ C_ee = H_e/B, T = ηC_ee p_e/2 → η√(H_e/B)/2 when ε → 0 (derived).
      return (input.learningRate * c) / (2 * (Math.sqrt(c) + eps));
    }
    default: {
      const never: never = input;
      throw new Error(`temperature: optimizer must be 'sgd', 'sgld', 'momentum' or 'adam', got ${String((never as { optimizer: unknown }).optimizer)}`);
    }
  }
}

function checkCommon(where: string, learningRate: number, batchSize: number, curvature: number): number {
  requirePositive(where, 'learningRate', learningRate, 'η');
  requirePositive(where, 'batchSize', batchSize, 'B (or the noise parameter playing its role)');
  requireFinite(where, 'curvature', curvature);
  if (curvature === 0) throw new Error(`${where}: curvature must be non-zero (H_e along the direction); zero curvature has no noise and no temperature`);
  // [H]⁺: at a col the negative eigenvalue enters through its absolute value (Xie et al. 2021, Appendix A.2).
  return Math.abs(curvature);
}
