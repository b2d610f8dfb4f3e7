import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { basics, instrument, useBackend, type MetricEvent } from '@kramers/core';

beforeAll(async () => {
  await useBackend('wasm');
});

test('basics matches the closed form of SGD on L = ½‖w − 1‖², per layer and in total', () => {
  // Two "layers" (variable-name prefixes): a/kernel (4 entries), a/bias (1) and b/kernel (3), all starting at 0.
  // With g = w − 1 and lr η, every coordinate follows w_t = 1 − (1 − η)^t, so for m coordinates:
  // grad_norm_t = √m (1 − η)^t, update_norm_t = η·grad_norm_t, distance_t = param_norm_t = √m (1 − (1 − η)^(t+1)).
  const eta = 0.25;
  const vars = [
    tf.variable(tf.zeros([2, 2]), true, 'a/kernel'),
    tf.variable(tf.zeros([1]), true, 'a/bias'),
    tf.variable(tf.zeros([3]), true, 'b/kernel'),
  ];
  const opt = instrument(tf.train.sgd(eta), { plugins: [basics({ perLayer: true })] });
  const events: MetricEvent[] = [];
  opt.kramers.metric$.subscribe((e) => e.kind === 'metric' && events.push(e));
  for (let t = 0; t < 6; t++) {
    opt.minimize(() => tf.addN(vars.map((v) => tf.mul(0.5, tf.sum(tf.square(tf.sub(v, 1)))))) as tf.Scalar);
  }
  const value = (t: number, name: string, layer?: string) =>
    events.find((e) => e.iteration === t && e.name === name && e.layer === layer)!.value as number;
  for (let t = 0; t < 6; t++) {
    for (const [layer, m] of [[undefined, 8], ['a', 5], ['b', 3]] as const) {
      const g = Math.sqrt(m) * (1 - eta) ** t;
      expect(value(t, 'grad_norm', layer)).toBeCloseTo(g, 6);
      expect(value(t, 'update_norm', layer)).toBeCloseTo(eta * g, 6);
      expect(value(t, 'distance', layer)).toBeCloseTo(Math.sqrt(m) * (1 - (1 - eta) ** (t + 1)), 6);
      expect(value(t, 'param_norm', layer)).toBeCloseTo(Math.sqrt(m) * (1 - (1 - eta) ** (t + 1)), 6);
    }
    // L_t = ½ · 8 · (1 − η)^(2t), the loss before step t's update.
    expect(value(t, 'loss')).toBeCloseTo(4 * (1 - eta) ** (2 * t), 6);
  }
  // Per step: loss, four totals and four quantities for each of two layers.
  expect(events.filter((e) => e.iteration === 0)).toHaveLength(1 + 4 + 8);
  opt.kramers.close();
  tf.dispose(vars);
});

test('by default basics emits the totals only: loss and four norms per step', () => {
  const w = tf.variable(tf.zeros([3]), true, 'only/kernel');
  const opt = instrument(tf.train.sgd(0.1), { plugins: [basics()] });
  const events: MetricEvent[] = [];
  opt.kramers.metric$.subscribe((e) => e.kind === 'metric' && events.push(e));
  for (let i = 0; i < 3; i++) opt.minimize(() => tf.sum(tf.square(tf.sub(w, 1))) as tf.Scalar);
  expect(events).toHaveLength(3 * 5);
  expect(events.every((e) => e.layer === undefined)).toBe(true);
  opt.kramers.close();
  w.dispose();
});
