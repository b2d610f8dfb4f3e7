// A hand-written training loop (optimizer.minimize on minibatches) with SGLD, observed by kramers. The probe
// batch lets plugins evaluate the full-data loss at the current parameters without disturbing training; the model is
// never compiled (the loop computes its own cross-entropy), so the probe is told which loss that is.
import * as tf from '@tensorflow/tfjs';
import { basics, definePlugin, instrument, useBackend, type MetricEvent } from '@kramers/core';
import { loadDataset, minibatches, standardize, toTensors } from '@kramers/datasets';
import { sgld } from '@kramers/optimizers';

await useBackend('wasm');
const { dataset } = standardize(loadDataset('banknote'));
const all = toTensors(dataset);

const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 16, inputShape: [4], activation: 'tanh' }),
    tf.layers.dense({ units: 2, activation: 'softmax' }),
  ],
});

// A tiny plugin of our own: the full-data loss every 50 steps, from the probe context.
const fullLoss = definePlugin({
  name: 'full-loss',
  needs: ['probe'],
  setup: () => ({ onStep: (ctx) => ctx.iteration % 50 === 0 && ctx.emit('full_loss', ctx.probe!.loss()) }),
});

const optimizer = instrument(sgld({ learningRate: 0.1, diffusion: 1e-4, seed: 1 }), {
  runId: 'sgld',
  batchSize: 32,
  plugins: [basics({ every: 10 }), fullLoss],
  probe: { model, x: all.x, y: all.y, loss: 'categoricalCrossentropy' },
});
optimizer.kramers.metric$.subscribe((e) => {
  if (e.kind === 'metric' && e.name === 'full_loss') console.log(`step ${e.iteration}: full-data loss ${(e as MetricEvent).value}`);
});

for (let epoch = 0; epoch < 5; epoch++) {
  for (const rows of minibatches(dataset, { batchSize: 32, seed: 1, epoch })) {
    const { x, y } = toTensors(dataset, rows);
    optimizer.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(y, model.predict(x) as tf.Tensor)) as tf.Scalar);
    tf.dispose([x, y]);
  }
}
console.log(`done: ${optimizer.kramers.iterations} steps, D = ${optimizer.diffusion}`);
optimizer.kramers.close();
