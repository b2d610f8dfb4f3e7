import * as tf from '@tensorflow/tfjs';
import { seedFor } from '@kramers/core';

export interface MlpSpec {
  readonly inputs: number;
  readonly hidden: readonly number[];
  readonly outputs: number;
  /** 'softmax' for classification (class probabilities), 'linear' for regression. */
  readonly output: 'softmax' | 'linear';
  readonly seed: number;
}

/**
 * The compare model: tanh on the first hidden layer, relu after (as the banknote reference model in test/fixtures),
 * then a softmax or linear output; layers named dense1…denseN, so per-layer metrics read the same in every run and
 * process; Glorot-uniform kernels from seeds derived from `seed`, so one seed is one initialisation.
 */
export function buildMlp(spec: MlpSpec): tf.Sequential {
  const model = tf.sequential();
  const widths = [...spec.hidden, spec.outputs];
  widths.forEach((units, i) => {
    const last = i === widths.length - 1;
    model.add(
      tf.layers.dense({
        units,
        name: `dense${i + 1}`,
        activation: last ? spec.output : i === 0 ? 'tanh' : 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor(spec.seed, 'kernel', i) }),
        ...(i === 0 ? { inputShape: [spec.inputs] } : {}),
      }),
    );
  });
  return model;
}
