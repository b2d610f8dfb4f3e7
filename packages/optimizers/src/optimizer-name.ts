/** The optimizers `createOptimizer` builds by name, in the order the CLI lists them. */
export const OPTIMIZER_NAMES = ['sgd', 'sgld', 'adam', 'momentum', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export function isOptimizerName(name: string): name is OptimizerName {
  return (OPTIMIZER_NAMES as readonly string[]).includes(name);
}
