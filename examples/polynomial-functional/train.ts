// A cubic polynomial fitted by a functional tf.model (tf.input → dense → tf.model) from the features [x, x², x³]: a
// model that is linear in its parameters, so the Hessian of its mean squared error is known in closed form. The lines
// marked "kramers" make it report that Hessian's largest eigenvalue, in fit's History as 'sharpness/lambda_max'.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { instrument } from '@kramers/core'; // kramers
import { sharpness } from '@kramers/hvp-estimator'; // kramers

await tf.setBackend('wasm');
// y = −0.8x³ − 0.2x² + 0.9x + 0.5 plus noise, as in TensorFlow.js's polynomial regression example
const N = 200;
const x = tf.randomUniform([N, 1], -1, 1, 'float32', 1);
const features = tf.concat([x, tf.square(x), tf.pow(x, 3)], 1);
const noise = tf.randomNormal([N, 1], 0, 0.04, 'float32', 2);
const y = tf.tidy(() => tf.pow(x, 3).mul(-0.8).add(tf.square(x).mul(-0.2)).add(x.mul(0.9)).add(0.5).add(noise));

const input = tf.input({ shape: [3] });
const output = tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.randomUniform({ minval: 0, maxval: 1, seed: 3 }) }).apply(input);
const model = tf.model({ inputs: input, outputs: output as tf.SymbolicTensor });
const optimizer = instrument(tf.train.adam(0.05), { model, probe: { model, x: features, y }, plugins: [sharpness()] }); // kramers
model.compile({ optimizer, loss: 'meanSquaredError' });

const history = await model.fit(features, y, { epochs: 30, batchSize: 20, shuffle: false });
console.log(`final loss ${history.history['loss']?.at(-1)}, coefficients ${model.getWeights().map((w) => Array.from(w.dataSync()).map((v) => v.toFixed(3)))}`);

// Not part of the example: what examples/test/user-scripts.test.ts checks against the closed form 2/N·ΦᵀΦ.
const out = process.argv[2];
if (out) await writeFile(join(out, 'probe.json'), JSON.stringify({ x: Array.from(features.dataSync()), y: Array.from(y.dataSync()) }));
const last = optimizer.kramers.summary().metrics['sharpness/lambda_max'];
const report = { lambdaMax: last?.value, iteration: last?.iteration, steps: optimizer.kramers.iterations, loss: last?.attributes?.['loss'] };
console.log(JSON.stringify({ ...report, history: history.history['sharpness/lambda_max'] }));
