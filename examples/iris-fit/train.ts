// TensorFlow.js's iris example as a Node script: a small classifier trained with model.fit, validation data and an
// epoch callback as in the original. The lines marked "kramers" make it report the sharpness (the Hessian's largest
// eigenvalue) of the loss it trains on, in fit's History as 'sharpness/lambda_max'.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDataset, standardize, toTensors, trainTestSplit } from '@kramers/datasets';
import { instrument } from '@kramers/core'; // kramers
import { sharpness } from '@kramers/hvp-estimator'; // kramers

await tf.setBackend('wasm');
const { dataset } = standardize(loadDataset('iris'));
const { train, test } = trainTestSplit(dataset, { testFraction: 0.15, seed: 0, stratify: true });
const { x: xTrain, y: yTrain } = toTensors(train);
const { x: xTest, y: yTest } = toTensors(test);

const model = tf.sequential();
model.add(tf.layers.dense({ units: 10, activation: 'sigmoid', inputShape: [4], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
const optimizer = instrument(tf.train.adam(0.01), { model, probe: { model, x: xTrain, y: yTrain }, plugins: [sharpness()] }); // kramers
model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const history = await model.fit(xTrain, yTrain, {
  epochs: 40,
  // fit shuffles with Math.random, which cannot be seeded; the split has already put the rows in a seeded order
  shuffle: false,
  validationData: [xTest, yTest],
  callbacks: {
    onEpochEnd: (epoch, logs) => {
      if (epoch % 10 !== 9) return;
      console.log(`epoch ${epoch + 1}: loss ${logs?.['loss']?.toFixed(4)}, val_acc ${logs?.['val_acc']?.toFixed(3)}`);
      console.log(`  λ_max ${logs?.['sharpness/lambda_max']?.toPrecision(4)}`); // kramers
    },
  },
});

// Not part of the example: what examples/test/user-scripts.test.ts checks against its own float64 Hessian.
const out = process.argv[2];
if (out) {
  const { saveModel } = await import('@kramers/core/node');
  await saveModel(model, join(out, 'model.json'));
  await writeFile(join(out, 'probe.json'), JSON.stringify({ x: Array.from(xTrain.dataSync()), y: Array.from(yTrain.dataSync()) }));
}
const last = optimizer.kramers.summary().metrics['sharpness/lambda_max'];
const report = { lambdaMax: last?.value, iteration: last?.iteration, steps: optimizer.kramers.iterations, loss: last?.attributes?.['loss'] };
console.log(JSON.stringify({ ...report, history: history.history['sharpness/lambda_max'] }));
