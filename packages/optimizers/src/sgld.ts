import * as tf from '@tensorflow/tfjs';
import { createRng, seedFor } from '@kramers/core';

/** tfjs-core's NamedTensor (the gradient-list form of applyGradients), which @tensorflow/tfjs does not re-export. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export interface SgldOptions {
  /** Step size η > 0. */
  learningRate: number;
  /** Diffusion (temperature) D ≥ 0; D = 0 is plain SGD, bit for bit. */
  diffusion: number;
  /** Non-negative integer seed; the same seed (and the same gradients) gives a bit-identical run. */
  seed: number;
}

/**
 * Stochastic gradient Langevin dynamics as a tfjs optimizer:
 *   θ ← θ − η·g + sqrt(2·η·D)·ξ,  ξ ~ N(0, I)   (Euler–Maruyama step of dθ = −∇L dt + √(2D) dW; Welling & Teh, ICML 2011)
 * so its temperature is D along every direction (Xie, Sato & Sugiyama, ICLR 2021, §3), on top of whatever noise the
 * minibatch gradient g carries. The noise for (step t, variable at position i in the gradient list) is drawn
 * from createRng(seedFor(seed, t, i)): reproducible, independent of Math.random and of tfjs's own random
 * stream, and identical on every backend (it is generated in JS). Positions rather than variable names key the
 * stream because tfjs layer names carry process-wide counters (dense_Dense3/kernel) that differ between runs.
 *
 * Extends SGDOptimizer so the cached −η scalar `c`, `setLearningRate` (the noise scale follows the new η at
 * fixed D) and the `iter` weight for save/load are tfjs's own. Register it for deserialization with
 * `registerOptimizers()`.
 */
export class SGLD extends tf.SGDOptimizer {
  static override className = 'SGLD';

  private readonly diffusion_: number;
  private readonly seed_: number;
  private lastNoiseSquaredNorm_ = 0;

  constructor(learningRate: number, diffusion: number, seed: number) {
    validateSgldOptions('new SGLD', { learningRate, diffusion, seed });
    super(learningRate);
    this.diffusion_ = diffusion;
    this.seed_ = seed;
  }

  /** D, the injected diffusion: the temperature this optimizer adds along every direction. */
  get diffusion(): number {
    return this.diffusion_;
  }

  get seed(): number {
    return this.seed_;
  }

  /** Per-coordinate standard deviation of the injected noise at the current learning rate, sqrt(2ηD). */
  get noiseStd(): number {
    return Math.sqrt(2 * this.learningRate * this.diffusion_);
  }

  /**
   * ‖n‖² of the noise n = sqrt(2ηD)·ξ added in the last step, summed over all updated variables (float64 sum
   * of the float32 values actually added). 0 before the first step and when D = 0. Its expectation is 2ηD·n_params.
   */
  get lastInjectedNoiseSquaredNorm(): number {
    return this.lastNoiseSquaredNorm_;
  }

  // Mirrors SGDOptimizer.applyGradients (tfjs-core/src/optimizers/sgd_optimizer.ts) and adds the noise term.
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const isList = Array.isArray(variableGradients);
    const names = isList ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const std = this.noiseStd;
    const step = this.iterations;
    let noiseSquaredNorm = 0;
    names.forEach((name, i) => {
      const gradient = isList ? variableGradients[i]!.tensor : variableGradients[name];
      if (gradient == null) return;
      const value = tf.engine().registeredVariables[name];
      if (value == null) {
        throw new Error(`SGLD.applyGradients: no variable named '${name}' is registered; pass gradients keyed by tf.Variable names`);
      }
      tf.tidy(() => {
        const descent = tf.add(tf.mul(this.c, gradient), value);
        if (std === 0) {
          value.assign(descent); // D = 0: exactly SGD's expression, so the two agree bit for bit.
          return;
        }
        const noise = new Float32Array(value.size);
        const rng = createRng(seedFor(this.seed_, step, i));
        let sq = 0;
        for (let k = 0; k < noise.length; k++) {
          noise[k] = std * rng.normal();
          sq += noise[k]! * noise[k]!;
        }
        noiseSquaredNorm += sq;
        value.assign(tf.add(descent, tf.tensor(noise, value.shape, 'float32')));
      });
    });
    this.lastNoiseSquaredNorm_ = noiseSquaredNorm;
    this.incrementIterations();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, diffusion: this.diffusion_, seed: this.seed_ };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const { learningRate, diffusion, seed } = config as unknown as SgldOptions;
    validateSgldOptions('SGLD.fromConfig (saved optimizer config)', { learningRate, diffusion, seed });
    return new cls(learningRate, diffusion, seed);
  }
}

/** An SGLD optimizer; checks its options and says which one is wrong and how to fix it. */
export function sgld(options: SgldOptions): SGLD {
  if (options == null || typeof options !== 'object') {
    throw new TypeError('sgld: pass an options object {learningRate, diffusion, seed}, e.g. sgld({learningRate: 0.1, diffusion: 1e-4, seed: 1})');
  }
  validateSgldOptions('sgld', options);
  return new SGLD(options.learningRate, options.diffusion, options.seed);
}

function validateSgldOptions(where: string, o: SgldOptions): void {
  const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));
  if (typeof o.learningRate !== 'number' || !Number.isFinite(o.learningRate) || o.learningRate <= 0) {
    throw new RangeError(`${where}: learningRate = ${show(o.learningRate)}; use a finite number > 0, e.g. 0.1`);
  }
  if (typeof o.diffusion !== 'number' || !Number.isFinite(o.diffusion) || o.diffusion < 0) {
    throw new RangeError(
      `${where}: diffusion = ${show(o.diffusion)}; use a finite number ≥ 0 (the temperature D; 0 gives plain SGD), e.g. 1e-4`,
    );
  }
  if (typeof o.seed !== 'number' || !Number.isSafeInteger(o.seed) || o.seed < 0) {
    throw new RangeError(`${where}: seed = ${show(o.seed)}; use a non-negative integer, e.g. 1`);
  }
}
