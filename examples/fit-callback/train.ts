// An ordinary tfjs training script. The three lines marked "kramers" are all it takes to observe it.
import * as tf from '@tensorflow/tfjs';
import { loadDataset, standardize, toTensors } from '@kramers/datasets';
import { basics, instrument, useBackend } from '@kramers/core'; // kramers

await useBackend('wasm');
const { dataset } = standardize(loadDataset('wine'));
const { x, y } = toTensors(dataset);

const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 8, inputShape: [dataset.cols], activation: 'sigmoid' }),
    tf.layers.dense({ units: dataset.numClasses, activation: 'softmax' }),
  ],
});
const optimizer = instrument(tf.train.adam(0.01), { plugins: [basics()], model }); // kramers
optimizer.kramers.metric$.subscribe((e) => e.kind === 'metric' && !e.layer && e.iteration % 30 === 0 && console.log(`step ${e.iteration} ${e.name} ${Number(e.value).toPrecision(4)}`)); // kramers
model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const history = await model.fit(x, y, { epochs: 20, batchSize: 32, verbose: 0 });
const acc = history.history.acc ?? history.history.accuracy;
console.log(`final accuracy ${Number(acc?.at(-1)).toFixed(3)} after ${optimizer.kramers.iterations} steps`);
