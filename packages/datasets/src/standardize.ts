import type { Dataset } from './dataset.js';

/** Per-column z-score parameters, in float64. Plain arrays so they can be stored as JSON next to a model. */
export interface Standardization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * z-scores every feature column, x_std = (x − mean) / std, with the column mean and the population standard
 * deviation (ddof = 0) over all rows, computed in float64 from the exact values when the dataset has them, as the
 * float64 reference models in test/fixtures did. Fit the statistics on the training rows and reuse them for test rows
 * with `applyStandardization`. Labels and regression targets are left as they are.
 */
export function standardize<D extends Dataset>(ds: D): { dataset: D } & Standardization {
  const stats = fitStandardization(ds);
  return { dataset: applyStandardization(ds, stats), ...stats };
}

export function fitStandardization(ds: Dataset): Standardization {
  const { rows, cols } = ds;
  if (rows === 0) throw new RangeError(`standardize(${ds.name}): the dataset has no rows`);
  const x = ds.exactFeatures ?? ds.features;
  const mean = new Array<number>(cols).fill(0);
  const std = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j]! += x[i * cols + j]!;
  for (let j = 0; j < cols; j++) mean[j]! /= rows;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const d = x[i * cols + j]! - mean[j]!;
      std[j]! += d * d;
    }
  }
  for (let j = 0; j < cols; j++) {
    const s = Math.sqrt(std[j]! / rows);
    // A constant column has std 0: dividing would give NaN (0/0), so it is only centred (std reported as 1).
    std[j] = s > 0 ? s : 1;
  }
  return { mean, std };
}

/** Applies given statistics (e.g. the training split's) to any dataset with the same columns. */
export function applyStandardization<D extends Dataset>(ds: D, stats: Standardization): D {
  const { rows, cols } = ds;
  const { mean, std } = stats;
  if (mean.length !== cols || std.length !== cols) {
    throw new RangeError(
      `applyStandardization(${ds.name}): mean has ${mean.length} and std ${std.length} entries but the dataset has ` +
        `${cols} feature columns; use statistics fitted on data with the same columns`,
    );
  }
  for (let j = 0; j < cols; j++) {
    if (!Number.isFinite(mean[j]!)) throw new RangeError(`applyStandardization: mean[${j}] = ${mean[j]} must be finite`);
    if (!(std[j]! > 0) || !Number.isFinite(std[j]!)) {
      throw new RangeError(`applyStandardization: std[${j}] = ${std[j]} must be a finite number > 0`);
    }
  }
  const x = ds.exactFeatures ?? ds.features;
  const exact = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) exact[i * cols + j] = (x[i * cols + j]! - mean[j]!) / std[j]!;
  }
  return { ...ds, features: Float32Array.from(exact), exactFeatures: exact };
}
