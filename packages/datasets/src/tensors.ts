import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './dataset.js';

/**
 * Features as a float32 [rows, cols] tensor, and targets as a float32 tensor: one-hot [rows, numClasses] for a
 * classification set (the target shape of categoricalCrossentropy), the targets as they are [rows, targetCount] for
 * a regression set. With `indices`, only those rows, in that order. The caller owns (disposes) both tensors.
 */
export function toTensors(ds: Dataset, indices?: ArrayLike<number>): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const { cols } = ds;
  const n = indices ? indices.length : ds.rows;
  const width = ds.task === 'classification' ? ds.numClasses : ds.targetCount;
  const x = new Float32Array(n * cols);
  const y = new Float32Array(n * width);
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k]! : k;
    if (!Number.isInteger(i) || i < 0 || i >= ds.rows) {
      throw new RangeError(`toTensors(${ds.name}): indices[${k}] = ${i} is not a row index in 0..${ds.rows - 1}`);
    }
    x.set(ds.features.subarray(i * cols, (i + 1) * cols), k * cols);
    if (ds.task === 'classification') y[k * width + ds.labels[i]!] = 1;
    else y.set(ds.targets.subarray(i * width, (i + 1) * width), k * width);
  }
  return { x: tf.tensor2d(x, [n, cols], 'float32'), y: tf.tensor2d(y, [n, width], 'float32') };
}
