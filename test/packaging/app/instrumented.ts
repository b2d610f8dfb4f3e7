// The README's "Instrument your own training code", as a user's own script: model.fit with the sharpness plugin
// measuring λ_max on a fixed probe batch.
import * as tf from '@tensorflow/tfjs';
import { basics, instrument, probeSecondOrderSupport, useBackend, withSecondOrderGradients } from '@kramers/core';
import { sharpness } from '@kramers/hvp-estimator';

const backend = await useBackend();
// kramers' second-order gradient registry (which sharpness measures under) is written against tfjs 4.22's kernels:
// check its double backprop against finite differences on whatever 4.x this app brought.
const selfTest = withSecondOrderGradients(() => probeSecondOrderSupport());

const x = tf.randomNormal([96, 4], 0, 1, 'float32', 1);
const y = tf.oneHot(tf.cast(tf.greater(tf.sum(x, 1), 0), 'int32'), 2);
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 8, inputShape: [4], activation: 'tanh' }),
    tf.layers.dense({ units: 2, activation: 'softmax' }),
  ],
});
const optimizer = instrument(tf.train.adam(0.01), {
  plugins: [basics(), sharpness()],
  model,
  probe: { model, x, y },
});
let lambdaMax: number | undefined;
const errors: string[] = [];
optimizer.kramers.metric$.subscribe((e) => {
  if (e.kind === 'metric' && e.name === 'lambda_max' && typeof e.value === 'number') lambdaMax = e.value;
  if (e.kind === 'plugin-error') errors.push(`${e.plugin}: ${e.message}`);
});
model.compile({ optimizer, loss: 'categoricalCrossentropy' });
await model.fit(x, y, { epochs: 4, batchSize: 16, verbose: 0 });
const steps = optimizer.kramers.iterations;
optimizer.kramers.close();
console.log(JSON.stringify({ backend, tfjs: tf.version.tfjs, steps, lambdaMax, errors, selfTest }));
