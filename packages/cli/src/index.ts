export { main, program } from './main.js';
export type { Io } from './io.js';
export { runCompare } from './compare/run-compare.js';
export type { CompareOptions, CompareResult, RunResult } from './compare/run-compare.js';
