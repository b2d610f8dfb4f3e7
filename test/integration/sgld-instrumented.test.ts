import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { basics, instrument, useBackend, type StepEvent } from '@kramers/core';
import { sgld } from '@kramers/optimizers';

beforeAll(async () => {
  await useBackend('wasm');
});

test('SGLD is observed like any optimizer: kind, D in its config, and its injected noise moves the parameters', async () => {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: 'softmax', kernelInitializer: 'zeros' })],
  });
  const opt = instrument(sgld({ learningRate: 0.5, diffusion: 0.01, seed: 7 }), { model, plugins: [basics()] });
  const steps: StepEvent[] = [];
  const updates: number[] = [];
  opt.kramers.step$.subscribe((s) => steps.push(s));
  opt.kramers.metric$.subscribe((e) => e.kind === 'metric' && e.name === 'update_norm' && !e.layer && updates.push(e.value as number));
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  const x = tf.zeros([6, 2]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
  await model.fit(x, y, { epochs: 4, batchSize: 3, shuffle: false, verbose: 0 });
  expect(steps.map((s) => s.optimizer.kind)).toEqual(Array(8).fill('sgld'));
  expect(steps[0]!.optimizer.config).toEqual({ learningRate: 0.5, diffusion: 0.01, seed: 7 });
  // Zero inputs make the kernel gradient exactly zero, and the bias gradient p − 1/3 stays tiny (balanced labels,
  // near-uniform softmax), so each update is essentially the injected noise: E‖Δθ‖² = 9 parameters × 2ηD.
  // Over 8 steps ‖Δθ‖²/(2ηD) is chi-square with 72 degrees of freedom: its mean lies in 0.74–1.28 × 9 with 90 %.
  const ratio = updates.reduce((a, u) => a + u * u, 0) / updates.length / (9 * 2 * 0.5 * 0.01);
  expect(updates).toHaveLength(8);
  expect(ratio).toBeGreaterThan(0.6);
  expect(ratio).toBeLessThan(1.45);
  opt.kramers.close();
  tf.dispose([x, y]);
  model.dispose();
});
