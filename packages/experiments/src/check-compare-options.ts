import type { Dataset } from '@kramers/datasets';
import { isOptimizerName, OPTIMIZER_NAMES } from '@kramers/optimizers';
import { CompareOptionError } from './compare-option-error.js';
import type { CompareOptions } from './compare-options.js';
import { resolveRuns, RUN_ID_PATTERN } from './run-spec.js';

const positiveInteger = (n: number): boolean => Number.isSafeInteger(n) && n >= 1;

/** Refuses options that cannot work on this data set, before anything is built; `problem` texts end with the fix. */
export function checkCompareOptions(options: CompareOptions, data: Dataset): void {
  const fail = (option: keyof CompareOptions, problem: string): never => {
    throw new CompareOptionError(option, problem);
  };
  if (options.runs !== undefined && options.optimizers !== undefined) fail('runs', 'and optimizers are both given; give runs (each with its own id) or optimizers, not both.');
  const optimizers = options.runs?.map((r) => r.optimizer) ?? options.optimizers ?? [];
  const field = options.runs !== undefined ? 'runs' : 'optimizers';
  if (optimizers.length === 0) fail(field, `is empty; name at least one of ${OPTIMIZER_NAMES.join(', ')}.`);
  for (const [i, name] of optimizers.entries()) {
    if (!isOptimizerName(name)) fail(field, `has "${String(name)}"; allowed: ${OPTIMIZER_NAMES.join(', ')}.`);
    if (options.runs === undefined && optimizers.indexOf(name) !== i) fail('optimizers', `lists "${name}" twice; each optimizer once.`);
  }
  for (const [name, rate] of Object.entries(options.learningRates ?? {})) {
    if (!(optimizers as readonly string[]).includes(name)) {
      fail('learningRates', `has a rate for ${name}, which is not being run (${[...new Set(optimizers)].join(', ')}); run it or drop its rate.`);
    }
    if (!(typeof rate === 'number' && Number.isFinite(rate) && rate > 0)) fail('learningRates', `has ${name} = ${String(rate)}; rates must be numbers > 0.`);
  }
  for (const [i, run] of (options.runs ?? []).entries()) {
    if (!(typeof run.id === 'string' && RUN_ID_PATTERN.test(run.id))) {
      fail('runs', `has id "${String(run.id)}"; an id starts with a letter and holds letters, digits, '-', '_' and '.' only (e.g. sgd-b32).`);
    }
    if (options.runs!.findIndex((r) => r.id === run.id) !== i) fail('runs', `has the id "${run.id}" twice; each run its own id.`);
    if (run.batchSize !== undefined && !positiveInteger(run.batchSize)) fail('runs', `${run.id}: batchSize must be a positive integer, got ${String(run.batchSize)}.`);
    if (run.learningRate !== undefined && !(Number.isFinite(run.learningRate) && run.learningRate > 0)) {
      fail('runs', `${run.id}: learningRate must be a number > 0, got ${String(run.learningRate)}.`);
    }
  }
  if (!positiveInteger(options.epochs)) fail('epochs', `must be a positive integer, got ${String(options.epochs)}.`);
  if (!options.hidden.every(positiveInteger)) fail('hidden', `must list positive integers like [16, 16], got [${options.hidden.join(', ')}].`);
  const diffusion = options.diffusion ?? 0;
  if (!(Number.isFinite(diffusion) && diffusion >= 0)) fail('diffusion', `must be a number ≥ 0, got ${String(diffusion)}.`);
  if (!(Number.isSafeInteger(options.seed) && options.seed >= 0)) fail('seed', `must be an integer ≥ 0, got ${String(options.seed)}.`);
  if (!positiveInteger(options.probeSize)) fail('probeSize', `must be a positive integer, got ${String(options.probeSize)}.`);
  if (data.task === 'classification' && data.numClasses < 2) {
    fail('dataset', `${data.name} has one class only (every label is 0); a classifier needs at least two.`);
  }
  const f = options.testFraction;
  const testRows = Math.round(f * data.rows);
  if (!(f > 0 && f < 1) || testRows < 1 || testRows > data.rows - 1) {
    fail(
      'testFraction',
      `${String(f)} of ${data.rows} rows leaves ${testRows} test and ${data.rows - testRows} training rows; both need at least one, ` +
        `so choose a fraction between ${(1 / data.rows).toPrecision(2)} and ${(1 - 1 / data.rows).toPrecision(3)}.`,
    );
  }
  const trainRows = data.rows - testRows;
  if (!positiveInteger(options.batchSize)) fail('batchSize', `must be a positive integer, got ${String(options.batchSize)}.`);
  if (options.batchSize > trainRows) {
    fail('batchSize', `${options.batchSize} is larger than the training set (${trainRows} rows of ${data.name}); use at most ${trainRows}.`);
  }
  for (const run of options.runs === undefined ? [] : resolveRuns(options)) {
    if (run.batchSize > trainRows) {
      fail('runs', `${run.id}: batch size ${run.batchSize} is larger than the training set (${trainRows} rows of ${data.name}); use a larger data set or at most ${trainRows}.`);
    }
  }
}
