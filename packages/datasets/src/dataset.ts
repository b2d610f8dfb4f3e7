/**
 * A numeric classification table held in typed arrays: features row-major (rows × cols), one integer label per row.
 */
export interface Dataset {
  readonly name: string;
  readonly featureNames: readonly string[];
  readonly labelName: string;
  /** Row-major, rows × cols; element (i, j) at `i * cols + j`. What tensors are built from. */
  readonly features: Float32Array;
  /**
   * The same values at double precision, when known (parsed from text, or computed in float64 by a transform);
   * `features` is always their float32 rounding. Statistics read these so they agree with float64 tools bit for
   * bit (the shared reference z-scored its data from the decimal values, not from float32 copies).
   */
  readonly exactFeatures?: Float64Array;
  readonly labels: Int32Array;
  readonly rows: number;
  /** Number of feature columns (the label is not counted). */
  readonly cols: number;
  /** Labels lie in 0..numClasses-1. Subsets keep their parent's value even if a class is absent from them. */
  readonly numClasses: number;
}

export interface DatasetInit {
  name: string;
  featureNames: readonly string[];
  labelName: string;
  features: Float32Array | Float64Array;
  labels: Int32Array;
  /** Defaults to max(label) + 1. */
  numClasses?: number;
}

/**
 * Builds a Dataset from arrays, checking that the shapes agree. A Float64Array is kept as `exactFeatures` and
 * rounded to float32 for `features`.
 */
export function createDataset(init: DatasetInit): Dataset {
  const cols = init.featureNames.length;
  if (cols === 0) throw new RangeError(`createDataset(${init.name}): featureNames is empty; give one name per feature column`);
  const rows = init.labels.length;
  if (init.features.length !== rows * cols) {
    throw new RangeError(
      `createDataset(${init.name}): features has ${init.features.length} values but labels (${rows} rows) × ` +
        `featureNames (${cols} columns) needs ${rows * cols}; pass features row-major, rows × cols`,
    );
  }
  let maxLabel = -1;
  for (let i = 0; i < rows; i++) {
    const y = init.labels[i]!;
    if (y < 0) throw new RangeError(`createDataset(${init.name}): labels[${i}] = ${y}; labels must be class indices ≥ 0`);
    if (y > maxLabel) maxLabel = y;
  }
  const numClasses = init.numClasses ?? maxLabel + 1;
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses <= maxLabel) {
    throw new RangeError(
      `createDataset(${init.name}): numClasses = ${String(init.numClasses)} but the largest label is ${maxLabel}; ` +
        `numClasses must be an integer > every label`,
    );
  }
  const exact = init.features instanceof Float64Array ? init.features : undefined;
  const features = init.features instanceof Float32Array ? init.features : Float32Array.from(init.features);
  return {
    name: init.name,
    featureNames: [...init.featureNames],
    labelName: init.labelName,
    features,
    ...(exact ? { exactFeatures: exact } : {}),
    labels: init.labels,
    rows,
    cols,
    numClasses,
  };
}

/** The rows at `indices`, in that order (repeats allowed). Arrays are copied, so the subset owns its data. */
export function subset(ds: Dataset, indices: ArrayLike<number>, name: string = ds.name): Dataset {
  const { cols } = ds;
  const n = indices.length;
  const features = new Float32Array(n * cols);
  const exact = ds.exactFeatures ? new Float64Array(n * cols) : undefined;
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= ds.rows) {
      throw new RangeError(`subset(${ds.name}): indices[${k}] = ${i} is not a row index in 0..${ds.rows - 1}`);
    }
    features.set(ds.features.subarray(i * cols, (i + 1) * cols), k * cols);
    if (exact) exact.set(ds.exactFeatures!.subarray(i * cols, (i + 1) * cols), k * cols);
    labels[k] = ds.labels[i]!;
  }
  return {
    name,
    featureNames: ds.featureNames,
    labelName: ds.labelName,
    features,
    ...(exact ? { exactFeatures: exact } : {}),
    labels,
    rows: n,
    cols,
    numClasses: ds.numClasses,
  };
}

/** Number of rows per class, indexed by label (length numClasses). */
export function classCounts(ds: Dataset): number[] {
  const counts = new Array<number>(ds.numClasses).fill(0);
  for (let i = 0; i < ds.rows; i++) counts[ds.labels[i]!]! += 1;
  return counts;
}
