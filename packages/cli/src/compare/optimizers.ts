import * as tf from '@tensorflow/tfjs';
import { sgld } from '@kramers/optimizers';

export const OPTIMIZER_NAMES = ['sgd', 'sgld', 'adam', 'momentum', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Defaults that train the embedded MLPs well in a few dozen epochs. */
export const DEFAULT_LEARNING_RATES: Readonly<Record<OptimizerName, number>> = {
  sgd: 0.1,
  sgld: 0.1,
  adam: 0.01,
  momentum: 0.05,
  rmsprop: 0.005,
  adagrad: 0.1,
};

export interface OptimizerSettings {
  readonly learningRate: number;
  /** SGLD's D. */
  readonly diffusion: number;
  readonly seed: number;
}

export function createOptimizer(name: OptimizerName, s: OptimizerSettings): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(s.learningRate);
    case 'sgld':
      return sgld({ learningRate: s.learningRate, diffusion: s.diffusion, seed: s.seed });
    case 'adam':
      return tf.train.adam(s.learningRate);
    case 'momentum':
      return tf.train.momentum(s.learningRate, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(s.learningRate);
    case 'adagrad':
      return tf.train.adagrad(s.learningRate);
  }
}
