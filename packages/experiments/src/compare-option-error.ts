import type { CompareOptions } from './compare-options.js';

/**
 * A compare option that cannot work, with what is wrong and the fix. `option` names the field, so a front end (the
 * CLI) can name its own flag instead: `${flag} ${problem}`.
 */
export class CompareOptionError extends RangeError {
  constructor(
    readonly option: keyof CompareOptions,
    /** Reads after the option's name, e.g. "5000 is larger than the training set (1098 rows); use at most 1098." */
    readonly problem: string,
  ) {
    super(`runCompare: ${option} ${problem}`);
    this.name = 'CompareOptionError';
  }
}
