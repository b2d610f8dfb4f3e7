/**
 * @kramers/sgn-collector: stochastic gradient noise. At a fixed θ (the probe context): per-example gradients (one
 * pass for dense layers, a loop for anything else) or sampled minibatch gradients, and from them the minibatch
 * noise covariance C = Σ/B along chosen directions and in trace, its fit against H/B along the Hessian's
 * eigenvectors, Gaussianity per direction vs pooled across parameters, and the gradient noise scale; during
 * training, the `sgn` plugin.
 */
export type { PerExampleMethod, PerExampleOptions, PerExampleGradients } from './per-example-gradients.js';
export { perExampleGradients, PER_EXAMPLE_DEFAULTS } from './per-example-gradients.js';
export type { NoiseCovariance, DirectionalNoise } from './noise-covariance.js';
export { noiseCovariance, noiseAlong, finitePopulation } from './noise-covariance.js';
export type { FitPoint, HessianNoiseFit } from './hessian-fit.js';
export { hessianNoiseFit, DEFAULT_EIGENVALUE_THRESHOLD } from './hessian-fit.js';
export type { SampledNoiseOptions, SampledNoise, SampledDirection, Estimate } from './sampled-noise.js';
export { sampledNoise, SAMPLED_DEFAULTS } from './sampled-noise.js';
export type { HessianEigenpairs } from './full-hessian-eigen.js';
export { fullHessianEigen, FULL_HESSIAN_MAX_SIZE } from './full-hessian-eigen.js';
export type {
  NoiseDirections,
  ExactNoiseOptions,
  SampledNoiseAtPointOptions,
  ExactNoiseReport,
  ExactDirectionReport,
  SampledNoiseReport,
  SampledDirectionReport,
  NoiseReport,
} from './noise-at-point.js';
export { noiseAtPoint } from './noise-at-point.js';
export type { GradientMatrix } from './gradient-matrix.js';
export type { SampleMoments, NormalityTest, Gaussianity } from './gaussianity.js';
export { gaussianity, sampleMoments, normalityTest, MIN_NORMALITY_SAMPLE } from './gaussianity.js';
export type { TailIndexOptions, TailIndexEstimate, TailIndexBlocks } from './tail-index.js';
export { tailIndex, pooledTailIndex, tailIndexBlocks } from './tail-index.js';
export type { NoiseScale, TwoBatchNorms, GradientSample, NoiseScaleAtPoint } from './noise-scale.js';
export { simpleNoiseScale, twoBatchEstimate, noiseScaleAtPoint, finitePopulationNorms } from './noise-scale.js';
export type { NoiseScaleTrackerOptions, StreamingNoiseScale, NoiseScaleTracker } from './noise-scale-tracker.js';
export { createNoiseScaleTracker, NOISE_SCALE_DEFAULTS } from './noise-scale-tracker.js';
export type { GradientWindowOptions, GradientWindow } from './gradient-window.js';
export { createGradientWindow, GRADIENT_WINDOW_DEFAULTS } from './gradient-window.js';
export type { BlockSignalToNoise, LayerSignalToNoise, SignalToNoise } from './signal-to-noise.js';
export { signalToNoise } from './signal-to-noise.js';
export { minibatchNoiseAlong, minibatchNoiseVectors } from './minibatch-noise.js';
export type { DirectionGaussianity, NoiseMatrix, PooledTailIndex } from './noise-gaussianity.js';
export { directionGaussianity, pooledGaussianity } from './noise-gaussianity.js';
export type { SgnConfig, SgnOptions, SgnDirection, SgnAtProbe, SgnSnapshot, SgnService } from './sgn-plugin.js';
export { sgn, Sgn, SGN_DEFAULTS } from './sgn-plugin.js';
