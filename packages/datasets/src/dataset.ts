/**
 * A numeric table held in typed arrays: features row-major (rows × cols), and either one integer class label per
 * row (classification) or one or more float targets per row (regression). `task` tells them apart, so code that
 * needs labels narrows first and a regression set cannot be passed where labels are read.
 */
interface DatasetBase {
  readonly name: string;
  readonly featureNames: readonly string[];
  /** Row-major, rows × cols; element (i, j) at `i * cols + j`. What tensors are built from. */
  readonly features: Float32Array;
  /**
   * The same values at double precision, when known (parsed from text, or computed in float64 by a transform);
   * `features` is always their float32 rounding. Statistics read these so they agree with float64 tools bit for
   * bit (z-scores from the decimal values, not from float32 copies).
   */
  readonly exactFeatures?: Float64Array;
  readonly rows: number;
  /** Number of feature columns (labels and targets are not counted). */
  readonly cols: number;
}

/** Integer class labels; tensors get one-hot targets [rows, numClasses]. */
export interface ClassificationDataset extends DatasetBase {
  readonly task: 'classification';
  readonly labelName: string;
  readonly labels: Int32Array;
  /** Labels lie in 0..numClasses-1. Subsets keep their parent's value even if a class is absent from them. */
  readonly numClasses: number;
}

/** Float targets; tensors get them as they are, [rows, targetCount]. */
export interface RegressionDataset extends DatasetBase {
  readonly task: 'regression';
  readonly targetNames: readonly string[];
  /** Row-major, rows × targetCount, float32. */
  readonly targets: Float32Array;
  readonly targetCount: number;
}

export type Dataset = ClassificationDataset | RegressionDataset;
export type Task = Dataset['task'];
