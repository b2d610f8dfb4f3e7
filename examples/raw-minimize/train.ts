// TensorFlow.js's polynomial-regression-core example as a Node script: four raw tf.variables a, b, c, d fitted to
// y = a·x³ + b·x² + c·x + d by optimizer.minimize in a loop. The lines marked "kramers" make it report the sharpness of
// the loss it minimises; a hand-written loop has no end kramers can see, so close() marks it.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { instrument } from '@kramers/core'; // kramers
import { sharpness } from '@kramers/hvp-estimator'; // kramers

await tf.setBackend('wasm');
const N = 100;
const xs = tf.randomUniform([N], -1, 1, 'float32', 1);
// y = −0.8x³ − 0.2x² + 0.9x + 0.5 plus noise, the original's data
const noise = tf.randomNormal([N], 0, 0.04, 'float32', 2);
const ys = tf.tidy(() => tf.pow(xs, 3).mul(-0.8).add(tf.square(xs).mul(-0.2)).add(xs.mul(0.9)).add(0.5).add(noise));

// random initial coefficients in [0, 1), as the original's Math.random(), but seeded
const coefficient = (seed: number) => tf.variable(tf.randomUniform([], 0, 1, 'float32', seed));
const [a, b, c, d] = [coefficient(3), coefficient(4), coefficient(5), coefficient(6)];
const variables = [a, b, c, d];
const predict = (x: tf.Tensor) => tf.tidy(() => a.mul(x.pow(3)).add(b.mul(x.square())).add(c.mul(x)).add(d));
const loss = (prediction: tf.Tensor, labels: tf.Tensor) => prediction.sub(labels).square().mean() as tf.Scalar;
const meanSquaredError = () => loss(predict(xs), ys);

const numIterations = 75;
const optimizer = instrument(tf.train.sgd(0.5), { probe: { lossFn: meanSquaredError, variables, rows: N }, plugins: [sharpness()] }); // kramers
for (let iter = 0; iter < numIterations; iter++) {
  optimizer.minimize(meanSquaredError, false, variables);
  await tf.nextFrame();
}
optimizer.kramers.close(); // kramers
const [fa, fb, fc, fd] = variables.map((v) => v.dataSync()[0]!.toFixed(3));
console.log(`a ${fa}, b ${fb}, c ${fc}, d ${fd}, loss ${meanSquaredError().dataSync()[0]}`);

// Not part of the example: what examples/test/user-scripts.test.ts checks against the closed form 2/N·ΦᵀΦ.
const out = process.argv[2];
if (out) {
  const final = { a: a.dataSync()[0], b: b.dataSync()[0], c: c.dataSync()[0], d: d.dataSync()[0] };
  await writeFile(join(out, 'data.json'), JSON.stringify({ x: Array.from(xs.dataSync()), y: Array.from(ys.dataSync()), variables: final }));
}
const last = optimizer.kramers.summary().metrics['sharpness/lambda_max'];
console.log(JSON.stringify({ lambdaMax: last?.value, iteration: last?.iteration, steps: optimizer.kramers.iterations, loss: last?.attributes?.['loss'] }));
