import * as tf from '@tensorflow/tfjs';
import type { Task } from '@kramers/datasets';

export interface Evaluation {
  /** The loss the model trains on: mean cross-entropy (classification) or mean squared error (regression). */
  readonly loss: number;
  /** Share of rows whose most probable class is the label; classification only. */
  readonly accuracy?: number;
}

/**
 * The training loss and, for classification, accuracy on a whole set, as tfjs computes them in training: cross-entropy
 * on probabilities clipped to [1e-7, 1] (tfjs-layers' categoricalCrossentropy), squared error averaged over rows and
 * targets (its meanSquaredError).
 */
export function evaluate(model: tf.LayersModel, x: tf.Tensor2D, y: tf.Tensor2D, task: Task): Evaluation {
  return tf.tidy(() => {
    const p = model.predict(x) as tf.Tensor2D;
    if (task === 'regression') return { loss: tf.mean(tf.square(tf.sub(p, y))).dataSync()[0]! };
    const loss = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(p, 1e-7, 1))), -1)));
    const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(p, -1), tf.argMax(y, -1)), 'float32'));
    return { loss: loss.dataSync()[0]!, accuracy: accuracy.dataSync()[0]! };
  });
}
