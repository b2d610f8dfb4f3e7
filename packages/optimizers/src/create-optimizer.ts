import * as tf from '@tensorflow/tfjs';
import { DEFAULT_LEARNING_RATES } from './default-learning-rates.js';
import { isOptimizerName, OPTIMIZER_NAMES, type OptimizerName } from './optimizer-name.js';
import { sgld } from './sgld.js';

export interface OptimizerSettings {
  /** Step size η > 0; default DEFAULT_LEARNING_RATES[name]. */
  readonly learningRate?: number;
  /** SGLD's diffusion D ≥ 0 (ignored by the others); default 0, which is plain SGD. */
  readonly diffusion?: number;
  /** SGLD's noise seed, a non-negative integer (ignored by the others); default 0. */
  readonly seed?: number;
}

/**
 * A fresh tfjs optimizer by name: 'sgd', 'sgld' (this package's SGLD), 'adam', 'momentum' (β = 0.9, classical, not
 * Nesterov), 'rmsprop' and 'adagrad' with tfjs's own defaults for everything but the learning rate.
 */
export function createOptimizer(name: OptimizerName, settings: OptimizerSettings = {}): tf.Optimizer {
  if (!isOptimizerName(name)) {
    throw new RangeError(`createOptimizer: unknown optimizer ${JSON.stringify(name)}; choose one of ${OPTIMIZER_NAMES.join(', ')}`);
  }
  const learningRate = settings.learningRate ?? DEFAULT_LEARNING_RATES[name];
  if (!(Number.isFinite(learningRate) && learningRate > 0)) {
    throw new RangeError(`createOptimizer(${name}): learningRate = ${String(learningRate)}; use a finite number > 0, e.g. ${DEFAULT_LEARNING_RATES[name]}`);
  }
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'sgld':
      return sgld({ learningRate, diffusion: settings.diffusion ?? 0, seed: settings.seed ?? 0 });
    case 'adam':
      return tf.train.adam(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    case 'adagrad':
      return tf.train.adagrad(learningRate);
  }
}
