export type { SgldOptions, NamedTensor } from './sgld.js';
export { SGLD, sgld } from './sgld.js';
export { registerOptimizers } from './register.js';
export type { OptimizerName } from './optimizer-name.js';
export { OPTIMIZER_NAMES, isOptimizerName } from './optimizer-name.js';
export { DEFAULT_LEARNING_RATES } from './default-learning-rates.js';
export type { OptimizerSettings } from './create-optimizer.js';
export { createOptimizer } from './create-optimizer.js';
