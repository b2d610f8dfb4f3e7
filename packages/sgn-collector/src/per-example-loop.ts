/**
 * Per-example gradients for any model: one `tf.variableGrads` of the data loss per row (a micro-batch of one row),
 * so exact for every layer tfjs can differentiate, at the cost of one forward and backward pass per row.
 */
import * as tf from '@tensorflow/tfjs';
import { writeDataGradient } from './data-gradient.js';
import type { ProbeRows } from './probe-rows.js';

/** Writes the data-loss gradient of each row of `xs` (targets `ys`) into `out`, row r at (first + r)·n. */
export function writeLoopRows(probe: ProbeRows, xs: readonly tf.Tensor[], ys: readonly tf.Tensor[], out: Float32Array, first: number): void {
  const rows = xs[0]!.shape[0]!;
  for (let r = 0; r < rows; r++) {
    tf.tidy(() => {
      const one = (t: tf.Tensor) => tf.slice(t, r, 1);
      writeDataGradient(probe, xs.map(one), ys.map(one), out, (first + r) * probe.size);
    });
  }
}
