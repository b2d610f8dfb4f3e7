/** Plugins see how many updates the run will make (for "trapped" alerts), and the optimizer itself (for its state). */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { definePlugin, instrument, plannedUpdates, useBackend } from '@kramers/core';

beforeAll(async () => {
  await useBackend('cpu');
});

function recorder() {
  const seen: Array<{ iteration: number; planned: number | undefined; optimizer: string }> = [];
  const plugin = definePlugin({
    name: 'plan',
    setup: () => ({
      onStep: (ctx) => void seen.push({ iteration: ctx.iteration, planned: ctx.plannedSteps, optimizer: ctx.optimizer.getClassName() }),
    }),
  });
  return { plugin, seen };
}

const model = () => {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  return m;
};

test('fit: planned = iterations so far + epochs × ceil(samples / batchSize); a second fit plans from where it starts', async () => {
  const m = model();
  const { plugin, seen } = recorder();
  const opt = instrument(tf.train.adam(0.01), { model: m, plugins: [plugin] });
  m.compile({ optimizer: opt, loss: 'meanSquaredError' });
  const x = tf.randomNormal([50, 2], 0, 1, 'float32', 1);
  const y = tf.randomNormal([50, 1], 0, 1, 'float32', 2);
  await m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
  expect(seen.length).toBe(12);
  expect(new Set(seen.map((s) => s.planned))).toEqual(new Set([12]));
  expect(seen[0]!.optimizer).toBe('Adam');
  await m.fit(x, y, { epochs: 2, batchSize: 25, verbose: 0 });
  expect(seen.at(-1)).toEqual({ iteration: 15, planned: 16, optimizer: 'Adam' });
  opt.kramers.close();
  tf.dispose([x, y]);
  m.dispose();
});

test('fitDataset with batchesPerEpoch, the totalSteps option for hand-written loops, and nothing when nobody says', async () => {
  const m = model();
  const { plugin, seen } = recorder();
  const opt = instrument(tf.train.sgd(0.1), { model: m, plugins: [plugin] });
  m.compile({ optimizer: opt, loss: 'meanSquaredError' });
  const ds = tf.data
    .zip({ xs: tf.data.array(Array.from({ length: 40 }, (_, i) => [i / 40, 1 - i / 40])), ys: tf.data.array(Array.from({ length: 40 }, (_, i) => [i / 40])) })
    .batch(8)
    .repeat();
  await m.fitDataset(ds, { epochs: 2, batchesPerEpoch: 5, verbose: 0 });
  expect(seen.map((s) => s.planned)).toEqual(new Array(10).fill(10));
  opt.kramers.close();

  const loop = recorder();
  const v = tf.variable(tf.scalar(1));
  const raw = instrument(tf.train.sgd(0.1), { plugins: [loop.plugin], totalSteps: 100 });
  for (let i = 0; i < 3; i++) raw.minimize(() => tf.square(v) as tf.Scalar);
  expect(loop.seen.map((s) => s.planned)).toEqual([100, 100, 100]);
  raw.kramers.planSteps(10);
  raw.minimize(() => tf.square(v) as tf.Scalar);
  expect(loop.seen.at(-1)!.planned).toBe(13);
  raw.kramers.close();

  const none = recorder();
  const bare = instrument(tf.train.sgd(0.1), { plugins: [none.plugin] });
  bare.minimize(() => tf.square(v) as tf.Scalar);
  expect(none.seen[0]!.planned).toBeUndefined();
  bare.kramers.close();
  expect(() => instrument(tf.train.sgd(0.1), { totalSteps: 0 })).toThrow('totalSteps must be a positive integer');
  v.dispose();
  m.dispose();
});

test('plannedUpdates reads tfjs callback params', () => {
  expect(plannedUpdates({ epochs: 5, initialEpoch: 2, samples: 100, batchSize: 32 })).toBe(12);
  expect(plannedUpdates({ epochs: 4, steps: 7 })).toBe(28);
  expect(plannedUpdates({ epochs: 4 })).toBeUndefined();
  expect(plannedUpdates(undefined)).toBeUndefined();
});
