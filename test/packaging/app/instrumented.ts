// The README's "Instrument your own training code", as a user's own script: model.fit with the sharpness plugin
// measuring λ_max on a fixed probe batch, then the model saved for `kramers curvature`.
import * as tf from '@tensorflow/tfjs';
import { basics, instrument, probeSecondOrderSupport, useBackend, withSecondOrderGradients } from '@kramers/core';
import { saveModel } from '@kramers/core/node';
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
let lambdaIteration: number | undefined;
const errors: string[] = [];
optimizer.kramers.metric$.subscribe((e) => {
  if (e.kind === 'metric' && e.name === 'lambda_max' && typeof e.value === 'number') {
    lambdaMax = e.value;
    lambdaIteration = e.iteration;
  }
  if (e.kind === 'plugin-error') errors.push(`${e.plugin}: ${e.message}`);
});
model.compile({ optimizer, loss: 'categoricalCrossentropy' });
await model.fit(x, y, { epochs: 4, batchSize: 16, verbose: 0 });
const steps = optimizer.kramers.iterations;
optimizer.kramers.close();

await saveModel(model, 'model/model.json');
// The probe rows as `kramers curvature` reads them: a header, the features, then the class label.
const features = x.arraySync() as number[][];
const labels = tf.argMax(y, 1).arraySync() as number[];
const csv = ['x0,x1,x2,x3,label', ...features.map((row, i) => [...row, labels[i]].join(','))].join('\n');
console.log(JSON.stringify({ backend, tfjs: tf.version.tfjs, steps, lambdaMax, lambdaIteration, errors, selfTest, csv }));
