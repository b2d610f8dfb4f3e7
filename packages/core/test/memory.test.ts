import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { basics, definePlugin, instrument, useBackend } from '@kramers/core';

beforeAll(async () => {
  await useBackend('wasm');
});

test('tf.memory().numTensors is flat over 500 instrumented steps (basics, probes, step$ subscribers)', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  const x = tf.randomNormal([32, 4], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 2), 'int32'), 2);
  const prober = definePlugin({
    name: 'prober',
    needs: ['probe', 'update', 'lossFn'],
    setup: () => ({
      onStep(ctx) {
        const p = ctx.probe!;
        p.lossAndGradient();
        p.withParams(p.params(), () => p.loss());
        ctx.emit('probe_loss', p.loss());
        ctx.lossFn!(); // the step's own closure: tensors it makes die with the host's tidy
        tf.ones([3]); // a stray tensor the plugin forgot: the host's tidy collects it
      },
    }),
  });
  const opt = instrument(tf.train.adam(0.01), { model, probe: { model, x, y }, plugins: [basics(), prober] });
  let seen = 0;
  opt.kramers.step$.subscribe((s) => {
    seen += Object.keys(s.gradients()).length;
  });
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  await model.trainOnBatch(x, y);
  const afterOne = tf.memory().numTensors;
  for (let i = 1; i < 500; i++) await model.trainOnBatch(x, y);
  expect(opt.kramers.iterations).toBe(500);
  expect(seen).toBe(500 * 4);
  expect(tf.memory().numTensors).toBe(afterOne);
  opt.kramers.close();
  tf.dispose([x, y]);
  model.dispose();
});
