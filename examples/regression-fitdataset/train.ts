// TensorFlow.js's abalone example as a Node script: a regression MLP trained with model.fitDataset on a tf.data
// pipeline. Abalone is a download, so this predicts a wine's alcohol content (the embedded wine data's first column,
// standardized like the rest) from its 12 other measurements, a real regression task of the same kind. The lines marked
// "kramers" make it report the sharpness of its mean squared error on the training rows, in fitDataset's History as
// 'sharpness/lambda_max'.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDataset, standardize, trainTestSplit, type Dataset } from '@kramers/datasets';
import { instrument, probeFromDataset } from '@kramers/core'; // kramers
import { sharpness } from '@kramers/hvp-estimator'; // kramers

await tf.setBackend('wasm');
const { dataset: wine } = standardize(loadDataset('wine'));
const { train, test } = trainTestSplit(wine, { testFraction: 0.2, seed: 0 });
const examples = (d: Dataset) =>
  Array.from({ length: d.rows }, (_, i) => {
    const row = Array.from(d.features.subarray(i * d.cols, (i + 1) * d.cols));
    return { xs: row.slice(1), ys: row.slice(0, 1) };
  });
const trainDataset = tf.data.array(examples(train)).shuffle(train.rows, 'wine').batch(16);
const validationDataset = tf.data.array(examples(test)).batch(16);
// every training row: the probe then measures the full training loss, which fitDataset minimises
const { dataset: trainRows, probe } = probeFromDataset(trainDataset, { rows: train.rows }); // kramers

const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [12], units: 16, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
model.add(tf.layers.dense({ units: 16, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
model.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
const optimizer = instrument(tf.train.adam(0.01), { model, probe: { model, batch: probe }, plugins: [sharpness()] }); // kramers
model.compile({ optimizer, loss: 'meanSquaredError' });

const history = await model.fitDataset(trainRows, {
  epochs: 60,
  validationData: validationDataset,
  callbacks: {
    onEpochEnd: (epoch, logs) => {
      if (epoch % 20 === 19) console.log(`epoch ${epoch + 1}: loss ${logs?.['loss']?.toFixed(4)}, val_loss ${logs?.['val_loss']?.toFixed(4)}`);
    },
  },
});

// Not part of the example: what examples/test/user-scripts.test.ts checks against its own float64 Hessian.
const out = process.argv[2];
if (out) {
  const { saveModel } = await import('@kramers/core/node');
  await saveModel(model, join(out, 'model.json'));
  const rows = examples(train);
  await writeFile(join(out, 'probe.json'), JSON.stringify({ x: rows.flatMap((r) => r.xs), y: rows.flatMap((r) => r.ys) }));
}
const last = optimizer.kramers.summary().metrics['sharpness/lambda_max'];
const report = { lambdaMax: last?.value, iteration: last?.iteration, steps: optimizer.kramers.iterations, loss: last?.attributes?.['loss'] };
console.log(JSON.stringify({ ...report, history: history.history['sharpness/lambda_max'] }));
