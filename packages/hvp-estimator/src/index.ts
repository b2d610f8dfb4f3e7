/**
 * @kramers/hvp-estimator: curvature of a loss from Hessian-vector products. Algorithms work on any
 * `SymmetricOperator` in float64 (Lanczos, PyHessian-style power iteration, Hutchinson/Hutch++ traces, stochastic
 * Lanczos quadrature and its smoothed density); `makeHvpOperator` turns a tfjs loss into such an operator;
 * `analyzeCurvature` runs them all on a loss, and the `sharpness` plugin runs it during training.
 */
export type { SymmetricOperator, CountingOperator } from './operator.js';
export { countingOperator, shiftedOperator, deflatedOperator, denseOperator } from './operator.js';

export type { SymmetricEigenResult } from './symmetric-eigen.js';
export { symmetricEigen } from './symmetric-eigen.js';
export type { TridiagonalEigenResult, TridiagonalEigenComponents } from './tridiagonal-eigen.js';
export { tridiagonalEigen, tridiagonalEigenComponents } from './tridiagonal-eigen.js';

export type { LanczosWhich, LanczosOptions, LanczosResult, LanczosTridiagonal } from './lanczos.js';
export { lanczos, lanczosTridiagonal, defaultLanczosMaxIter } from './lanczos.js';
export type { PowerIterationOptions, PowerIterationResult } from './power-iteration.js';
export { powerIteration } from './power-iteration.js';

export type {
  ProbeDistribution,
  HutchinsonOptions,
  TraceEstimate,
  HutchPlusPlusOptions,
  HutchPlusPlusEstimate,
} from './hutchinson.js';
export { hutchinsonTrace, hutchPlusPlus } from './hutchinson.js';
export type { SlqOptions, QuadratureRule, SlqResult } from './slq.js';
export { stochasticLanczosQuadrature } from './slq.js';
export type { DensityOptions, SpectralDensity } from './density.js';
export { spectralDensity } from './density.js';

export type { QuadraticLandscape } from './quadratic.js';
export { quadraticLandscape, randomOrthogonal } from './quadratic.js';

export type { HvpMethod, HvpSource, HvpOperator, HvpOperatorChoice, FiniteDifferenceOptions } from './hvp.js';
export { makeHvp, makeFiniteDifferenceHvp, makeHvpOperator } from './hvp.js';

export { CURVATURE_DEFAULTS, SHARPNESS_DEFAULTS, curvatureSchemaProperties } from './curvature-defaults.js';
export type { HvpChoice, CurvatureOptions, CurvatureReport } from './curvature.js';
export { analyzeCurvature } from './curvature.js';
export type {
  SharpnessConfig,
  SharpnessOptions,
  SharpnessSnapshot,
  SharpnessService,
} from './sharpness.js';
export { sharpness, Sharpness } from './sharpness.js';
