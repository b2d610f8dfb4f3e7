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

test('a plugin that throws after making tensors leaks none of them; the next steps leak none either', () => {
  const w = tf.variable(tf.zeros([4]), true, 'leak/kernel');
  let calls = 0;
  const thrower = definePlugin({
    name: 'thrower',
    setup: () => ({
      onStep() {
        calls++;
        tf.ones([8]);
        tf.keep(tf.zeros([2])).dispose(); // kept and released by the plugin itself
        throw new Error('broke after allocating');
      },
    }),
  });
  const opt = instrument(tf.train.sgd(0.1), { plugins: [thrower, basics()] });
  const errors: string[] = [];
  opt.kramers.metric$.subscribe((e) => e.kind === 'plugin-error' && errors.push(e.message));
  const loss = () => tf.sum(tf.square(tf.sub(w, 1))) as tf.Scalar;
  const before = tf.memory().numTensors; // SGD keeps its learning-rate scalar from construction, not from a step
  for (let i = 0; i < 21; i++) opt.minimize(loss);
  expect(calls).toBe(1);
  expect(errors).toEqual(['broke after allocating']);
  expect(tf.memory().numTensors).toBe(before);
  opt.kramers.close();
  w.dispose();
});
