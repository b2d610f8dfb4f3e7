/**
 * m gradient vectors of n parameters in one row-major array, the layout per-example gradients and sampled minibatch
 * noise come in (`perExampleGradients` returns this shape), and the checks and column mean every statistic over
 * such rows starts from.
 */

/** Row j occupies values[j·size, (j + 1)·size). */
export interface GradientMatrix {
  readonly rows: number;
  readonly size: number;
  readonly values: ArrayLike<number>;
}

/** Throws a RangeError unless `values` holds rows × size numbers and there are at least `minRows` rows. */
export function checkMatrix(matrix: GradientMatrix, minRows: number, where: string): void {
  const { rows, size, values } = matrix;
  if (!Number.isInteger(rows) || !Number.isInteger(size) || rows < 0 || size < 1) {
    throw new RangeError(`${where}: rows and size must be integers (size ≥ 1), got ${rows} × ${size}`);
  }
  if (values.length !== rows * size) {
    throw new RangeError(`${where}: ${rows} rows × ${size} values need ${rows * size} numbers, got ${values.length}`);
  }
  if (rows < minRows) throw new RangeError(`${where}: need at least ${minRows} rows, got ${rows}`);
}

/** Column means in float64; throws a RangeError naming the first non-finite value (row, column). */
export function columnMean(matrix: GradientMatrix, where: string): Float64Array {
  const { rows, size, values } = matrix;
  const mean = new Float64Array(size);
  for (let j = 0, k = 0; j < rows; j++) {
    for (let i = 0; i < size; i++, k++) {
      const v = values[k]!;
      if (!Number.isFinite(v)) throw new RangeError(`${where}: row ${j}, value ${i} is ${String(v)}; every value must be finite`);
      mean[i] += v;
    }
  }
  for (let i = 0; i < size; i++) mean[i] /= rows;
  return mean;
}
