import { createRng, seedFor } from '@kramers/core';
import { mlpLayout, mlpLossAndGradient, type MlpData, type MlpSpec } from '@kramers/replicas';

export interface PretrainOptions {
  readonly weightDecay: number;
  readonly seed: number;
  readonly adamSteps: number;
  readonly gdSteps: number;
}

export interface Pretrained {
  /** The start θ₀ (tfjs trainableWeights order). */
  readonly theta: Float32Array;
  /** Full-data loss at θ₀ (cross-entropy plus λ·Σθ²). */
  readonly loss: number;
  /** ‖∇L(θ₀)‖₂: how close to a true minimum the pretraining got (float32 gradients). */
  readonly gradientNorm: number;
}

/**
 * Full-batch pretraining to the start minimum of an escape experiment, as the paper does before its escape runs
 * (Xie et al. 2021, Appendix D.1: "pretrain 200–1000 epochs"): Glorot-uniform initialisation from the seed, full-batch
 * Adam (η 0.02) to get near a minimum fast, then full-batch gradient descent (η 0.5) to polish it. Float64 state in
 * JS, float32 gradients from tfjs. Deterministic for a given backend.
 */
export function pretrainMlp(spec: MlpSpec, data: MlpData, options: PretrainOptions): Pretrained {
  const layout = mlpLayout(spec);
  const P = layout.parameters;
  const rng = createRng(seedFor('kramers-pretrain', options.seed));
  const theta = new Float64Array(P);
  for (const layer of layout.layers) {
    // Glorot uniform: U(−a, a), a = √(6/(fan_in + fan_out)); biases 0, as tfjs's Dense defaults.
    const a = Math.sqrt(6 / (layer.inputs + layer.outputs));
    for (let i = 0; i < layer.inputs * layer.outputs; i++) theta[layer.kernelOffset + i] = a * (2 * rng.next() - 1);
  }
  const m = new Float64Array(P);
  const v = new Float64Array(P);
  const lossOf = (t: Float64Array) => mlpLossAndGradient(spec, data, Float32Array.from(t), { weightDecay: options.weightDecay });
  for (let t = 1; t <= options.adamSteps; t++) {
    const { gradient: g } = lossOf(theta);
    for (let i = 0; i < P; i++) {
      // Adam (Kingma & Ba 2015), β = (0.9, 0.999), ε = 1e-8.
      m[i] = 0.9 * m[i]! + 0.1 * g[i]!;
      v[i] = 0.999 * v[i]! + 0.001 * g[i]! * g[i]!;
      theta[i]! -= (0.02 * (m[i]! / (1 - 0.9 ** t))) / (Math.sqrt(v[i]! / (1 - 0.999 ** t)) + 1e-8);
    }
  }
  for (let t = 0; t < options.gdSteps; t++) {
    const { gradient: g } = lossOf(theta);
    for (let i = 0; i < P; i++) theta[i]! -= 0.5 * g[i]!;
  }
  const start = Float32Array.from(theta);
  const final = mlpLossAndGradient(spec, data, start, { weightDecay: options.weightDecay });
  let norm = 0;
  for (const g of final.gradient) norm += g * g;
  return { theta: start, loss: final.loss, gradientNorm: Math.sqrt(norm) };
}
