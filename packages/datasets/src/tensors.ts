import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './dataset.js';

/**
 * Features as a float32 [rows, cols] tensor and labels one-hot as a float32 [rows, numClasses] tensor (the target
 * shape of categoricalCrossentropy). With `indices`, only those rows, in that order. The caller owns (disposes)
 * both tensors.
 */
export function toTensors(ds: Dataset, indices?: ArrayLike<number>): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const { cols, numClasses } = ds;
  const n = indices ? indices.length : ds.rows;
  const x = new Float32Array(n * cols);
  const y = new Float32Array(n * numClasses);
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k]! : k;
    if (!Number.isInteger(i) || i < 0 || i >= ds.rows) {
      throw new RangeError(`toTensors(${ds.name}): indices[${k}] = ${i} is not a row index in 0..${ds.rows - 1}`);
    }
    x.set(ds.features.subarray(i * cols, (i + 1) * cols), k * cols);
    y[k * numClasses + ds.labels[i]!] = 1;
  }
  return { x: tf.tensor2d(x, [n, cols], 'float32'), y: tf.tensor2d(y, [n, numClasses], 'float32') };
}
