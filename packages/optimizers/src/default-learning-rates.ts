import type { OptimizerName } from './optimizer-name.js';

/**
 * Learning rates that train small standardised MLPs (the embedded data sets, 4–64 inputs, one or two hidden layers
 * of 8–32 units, batch 32) well in a few dozen epochs. Adaptive methods take smaller steps because their update is
 * already normalised per coordinate.
 */
export const DEFAULT_LEARNING_RATES: Readonly<Record<OptimizerName, number>> = {
  sgd: 0.1,
  sgld: 0.1,
  adam: 0.01,
  momentum: 0.05,
  rmsprop: 0.005,
  adagrad: 0.1,
};
