export { main, program } from './main.js';
export type { Io } from './io.js';
export { CliError } from './cli-error.js';
export { CliFailure } from './cli-failure.js';
