import type { ClassificationDataset, RegressionDataset } from './dataset.js';

interface InitBase {
  name: string;
  featureNames: readonly string[];
  /** Row-major, rows × featureNames.length. A Float64Array is kept as `exactFeatures` and rounded to float32. */
  features: Float32Array | Float64Array;
}

export interface ClassificationInit extends InitBase {
  labelName: string;
  labels: Int32Array;
  /** Defaults to max(label) + 1. */
  numClasses?: number;
  targets?: never;
}

export interface RegressionInit extends InitBase {
  targetNames: readonly string[];
  /** Row-major, rows × targetNames.length; rounded to float32. */
  targets: Float32Array | Float64Array;
  labels?: never;
}

export type DatasetInit = ClassificationInit | RegressionInit;

/**
 * Builds a Dataset from arrays, checking that the shapes agree and that every value is finite in float32: labels
 * make a classification set, targets a regression set.
 */
export function createDataset(init: ClassificationInit): ClassificationDataset;
export function createDataset(init: RegressionInit): RegressionDataset;
export function createDataset(init: DatasetInit): ClassificationDataset | RegressionDataset;
export function createDataset(init: DatasetInit): ClassificationDataset | RegressionDataset {
  const where = `createDataset(${init.name})`;
  const cols = init.featureNames.length;
  if (cols === 0) throw new RangeError(`${where}: featureNames is empty; give one name per feature column`);
  if (init.targets !== undefined) return regression(init as RegressionInit, where, cols);
  return classification(init as ClassificationInit, where, cols);
}

function classification(init: ClassificationInit, where: string, cols: number): ClassificationDataset {
  const rows = init.labels.length;
  const common = commonFields(init, where, rows, cols, `labels (${rows} rows)`);
  let maxLabel = -1;
  for (let i = 0; i < rows; i++) {
    const y = init.labels[i]!;
    if (y < 0) throw new RangeError(`${where}: labels[${i}] = ${y}; labels must be class indices ≥ 0`);
    if (y > maxLabel) maxLabel = y;
  }
  const numClasses = init.numClasses ?? maxLabel + 1;
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses <= maxLabel) {
    throw new RangeError(
      `${where}: numClasses = ${String(init.numClasses)} but the largest label is ${maxLabel}; numClasses must be an integer > every label`,
    );
  }
  return {
    task: 'classification',
    ...common,
    labelName: init.labelName,
    labels: init.labels,
    numClasses,
  };
}

function regression(init: RegressionInit, where: string, cols: number): RegressionDataset {
  const targetCount = init.targetNames.length;
  if (targetCount === 0) throw new RangeError(`${where}: targetNames is empty; give one name per target column`);
  if (init.targets.length % targetCount !== 0) {
    throw new RangeError(
      `${where}: targets has ${init.targets.length} values, not a multiple of targetNames (${targetCount} columns); pass targets row-major, rows × targets`,
    );
  }
  const rows = init.targets.length / targetCount;
  const common = commonFields(init, where, rows, cols, `targets (${rows} rows)`);
  const targets = init.targets instanceof Float32Array ? init.targets : Float32Array.from(init.targets);
  const bad = firstNonFinite(targets);
  if (bad >= 0) {
    throw new RangeError(
      `${where}: targets[row ${Math.floor(bad / targetCount)}, column ${bad % targetCount}] = ${init.targets[bad]} is not finite in float32; targets must be finite numbers within ±3.4e38`,
    );
  }
  return {
    task: 'regression',
    ...common,
    targetNames: [...init.targetNames],
    targets,
    targetCount,
  };
}

/** The fields both kinds share, with the features checked against the row count and the float32 range. */
function commonFields(init: InitBase, where: string, rows: number, cols: number, rowSource: string) {
  if (init.features.length !== rows * cols) {
    throw new RangeError(
      `${where}: features has ${init.features.length} values but ${rowSource} × featureNames (${cols} columns) needs ${rows * cols}; pass features row-major, rows × cols`,
    );
  }
  const exactFeatures = init.features instanceof Float64Array ? init.features : undefined;
  const features = init.features instanceof Float32Array ? init.features : Float32Array.from(init.features);
  const bad = firstNonFinite(features);
  if (bad >= 0) {
    throw new RangeError(
      `${where}: features[row ${Math.floor(bad / cols)}, column ${bad % cols}] = ${init.features[bad]} is not finite in float32; features must be finite numbers within ±3.4e38`,
    );
  }
  return { name: init.name, featureNames: [...init.featureNames], features, ...(exactFeatures ? { exactFeatures } : {}), rows, cols };
}

function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}
