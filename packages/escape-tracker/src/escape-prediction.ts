import { requireFinite, requirePositive, requireUnitInterval } from './validate.js';

export type EscapeFormula = 'theorem-3.1' | 'theorem-3.2' | 'adam' | 'unified';

/** Low temperature: ΔL/T at least this large (Xie et al. 2021, Assumption 3, made a number for reports). */
export const LOW_TEMPERATURE_THRESHOLD = 5;

export interface AssumptionCheck {
  readonly ratio: number;
  readonly holds: boolean;
}

export interface EscapeAssumptions {
  /** ratio = ΔL / max(T_a, T_b) (the worse of the two ends of the path); holds when ≥ 5. */
  readonly lowTemperature: AssumptionCheck;
  /** ratio = η·H_ae; gradient descent is stable at the minimum only when < 2. null without a learning rate. */
  readonly stability: AssumptionCheck | null;
}

/** The numbers every Kramers/Xie formula is built from; an `Exit` of a landscape carries exactly these fields. */
export interface ExitGeometry {
  /** ΔL = L(col) − L(minimum) > 0. */
  readonly barrier: number;
  /** H_ae > 0: curvature along the escape direction at the minimum. */
  readonly minimumCurvature: number;
  /** H_be < 0: curvature along the escape direction at the col (signed). */
  readonly colCurvature: number;
}

export interface EscapePrediction {
  readonly formula: EscapeFormula;
  /** Mean escape time in continuous time (iterations × η); Infinity when it overflows (see logTau). */
  readonly tau: number;
  /** log τ, finite even when τ overflows. */
  readonly logTau: number;
  /** 1/τ per unit continuous time. */
  readonly gamma: number;
  /** τ/η when a learning rate is known, else null. */
  readonly iterations: number | null;
  readonly learningRate: number | null;
  /** τ = prefactor · exp(exponent). */
  readonly prefactor: number;
  readonly exponent: number;
  /** The path parameter used (theorem 3.2, Adam, unified); null for theorem 3.1. */
  readonly s: number | null;
  readonly temperatureAtMinimum: number;
  readonly temperatureAtCol: number;
  readonly assumptions: EscapeAssumptions;
}

export function checkGeometry(where: string, g: ExitGeometry): void {
  if (g === null || typeof g !== 'object') throw new Error(`${where}: pass an object with barrier, minimumCurvature, colCurvature`);
  requirePositive(where, 'barrier', g.barrier, 'ΔL = L(col) − L(minimum)');
  requirePositive(where, 'minimumCurvature', g.minimumCurvature, 'H_ae, the curvature along the escape direction at the minimum');
  requireFinite(where, 'colCurvature', g.colCurvature);
  if (!(g.colCurvature < 0)) {
    throw new Error(`${where}: colCurvature must be < 0 (the signed H_be at the col), got ${g.colCurvature}; pass −|H_be|`);
  }
}

export function checkPathParameter(where: string, s: number): void {
  if (s === undefined) throw new Error(`${where}: s is required (path parameter in [0, 1]); use the bracket function for s = 0 and 1`);
  requireUnitInterval(where, 's', s, 'the path parameter: 1 weighs the minimum, 0 the col');
}

export function checkLearningRate(where: string, learningRate: number | undefined): number | null {
  if (learningRate === undefined) return null;
  requirePositive(where, 'learningRate', learningRate, 'η, to convert continuous time to iterations');
  return learningRate;
}

export function makePrediction(args: {
  formula: EscapeFormula;
  logPrefactor: number;
  exponent: number;
  s: number | null;
  learningRate: number | null;
  temperatureAtMinimum: number;
  temperatureAtCol: number;
  geometry: ExitGeometry;
}): EscapePrediction {
  const logTau = args.logPrefactor + args.exponent;
  const tau = Math.exp(logTau);
  const eta = args.learningRate;
  const ratio = args.geometry.barrier / Math.max(args.temperatureAtMinimum, args.temperatureAtCol);
  const stability = eta === null ? null : { ratio: eta * args.geometry.minimumCurvature, holds: eta * args.geometry.minimumCurvature < 2 };
  return {
    formula: args.formula,
    tau,
    logTau,
    gamma: Math.exp(-logTau),
    // Continuous time t = iterations × η.
    iterations: eta === null ? null : Math.exp(logTau - Math.log(eta)),
    learningRate: eta,
    prefactor: Math.exp(args.logPrefactor),
    exponent: args.exponent,
    s: args.s,
    temperatureAtMinimum: args.temperatureAtMinimum,
    temperatureAtCol: args.temperatureAtCol,
    assumptions: { lowTemperature: { ratio, holds: ratio >= LOW_TEMPERATURE_THRESHOLD }, stability },
  };
}
