// An ordinary seeded tfjs app with no kramers in it: unseeded initialisers, dropout and shuffled minibatches, all
// drawn from the seeded Math.random. Prints fingerprints of the initial and the trained weights.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

function fingerprint(model: tf.LayersModel): string {
  let h = 0x811c9dc5;
  for (const w of model.getWeights()) {
    const bytes = new Uint8Array((w.dataSync() as Float32Array).slice().buffer);
    for (const byte of bytes) h = Math.imul(h ^ byte, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export async function fitSeeded(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const x = tf.randomNormal([128, 4]);
  const y = tf.oneHot(tf.cast(tf.greater(tf.sum(x, 1), 0), 'int32'), 2);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [4], activation: 'tanh' }),
      tf.layers.dropout({ rate: 0.2 }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  const initial = fingerprint(model);
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  await model.fit(x, y, { epochs: 3, batchSize: 16, shuffle: true, verbose: 0 });
  console.log(JSON.stringify({ backend: tf.getBackend(), initial, trained: fingerprint(model) }));
}
