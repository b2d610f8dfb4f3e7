export type { ReplicaOptimizer, ReplicaOptimizerName } from './replica-optimizer.js';
export { REPLICA_OPTIMIZERS, ADAM_DEFAULTS, checkReplicaOptimizer } from './replica-optimizer.js';
export type { GradientNoise, GradientNoiseKind, NoiseFactor } from './gradient-noise.js';
export { GRADIENT_NOISE_KINDS, describeGradientNoise, frozenNoiseFactor } from './gradient-noise.js';
export { replicaStreams } from './replica-streams.js';
export type { EnsembleOptions, ReplicaEnsemble } from './replica-ensemble.js';
export { createEnsemble } from './replica-ensemble.js';
