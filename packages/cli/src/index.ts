export { main, program } from './main.js';
export type { Io } from './io.js';
export { runCompare } from './compare/run-compare.js';
export type { CompareOptions, CompareResult, RunResult } from './compare/run-compare.js';
export { OPTIMIZER_NAMES, DEFAULT_LEARNING_RATES } from './compare/optimizers.js';
export type { OptimizerName } from './compare/optimizers.js';
