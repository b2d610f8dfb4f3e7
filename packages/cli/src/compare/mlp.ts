import * as tf from '@tensorflow/tfjs';
import { seedFor } from '@kramers/core';

export interface MlpSpec {
  readonly inputs: number;
  readonly hidden: readonly number[];
  readonly classes: number;
  readonly seed: number;
}

/**
 * The compare model: tanh on the first hidden layer, relu after (as the shared banknote reference model), softmax
 * out; layers named dense1…denseN (the names of ../shared/reference), so per-layer metrics read the same in
 * every run; Glorot-uniform kernels from seeds derived from `seed`, so one seed is one initialisation.
 */
export function buildMlp(spec: MlpSpec): tf.Sequential {
  const model = tf.sequential();
  spec.hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        name: `dense${i + 1}`,
        activation: i === 0 ? 'tanh' : 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor(spec.seed, 'kernel', i) }),
        ...(i === 0 ? { inputShape: [spec.inputs] } : {}),
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: spec.classes,
      name: `dense${spec.hidden.length + 1}`,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor(spec.seed, 'kernel', spec.hidden.length) }),
      ...(spec.hidden.length === 0 ? { inputShape: [spec.inputs] } : {}),
    }),
  );
  return model;
}

/** Mean cross-entropy (probabilities clipped at 1e-7 as tfjs's own loss does) and accuracy on a whole set. */
export function evaluate(model: tf.LayersModel, x: tf.Tensor2D, y: tf.Tensor2D): { loss: number; accuracy: number } {
  return tf.tidy(() => {
    const p = model.predict(x) as tf.Tensor2D;
    const loss = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(p, 1e-7, 1))), -1)));
    const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(p, -1), tf.argMax(y, -1)), 'float32'));
    return { loss: loss.dataSync()[0]!, accuracy: accuracy.dataSync()[0]! };
  });
}
