import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test, vi } from 'vitest';
import { basics, createProbeContext, definePlugin, instrument, useBackend } from '@kramers/core';

beforeAll(async () => {
  await useBackend('wasm');
});

const X = Array.from({ length: 40 * 4 }, (_, i) => Math.sin(1.3 * i) + 0.1 * Math.cos(7 * i));
const LABELS = Array.from({ length: 40 }, (_, i) => (i * 7) % 3);

function makeModel(withDropout = false): tf.Sequential {
  const layers: tf.layers.Layer[] = [
    tf.layers.dense({ units: 6, inputShape: [4], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 11 }) }),
  ];
  if (withDropout) layers.push(tf.layers.dropout({ rate: 0.3, seed: 5 }));
  layers.push(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 12 }) }));
  return tf.sequential({ layers });
}

test('probes on every step leave training bit-identical and never touch Math.random', async () => {
  const x = tf.tensor2d(X, [40, 4]);
  const y = tf.oneHot(tf.tensor1d(LABELS, 'int32'), 3);
  const run = async (probing: boolean) => {
    const m = makeModel(false);
    let calls = 0;
    let randomCalls = 0;
    const probe = definePlugin({
      name: 'probe-user',
      needs: ['probe'],
      setup: () => ({
        onStep(ctx) {
          const spy = vi.spyOn(Math, 'random');
          const p = ctx.probe!;
          const { gradient } = p.lossAndGradient();
          const moved = p.params().map((t, i) => t - gradient[i]! + 0.1 * p.rng.normal());
          p.withParams(moved, () => p.loss());
          try {
            p.withParams(moved, () => {
              throw new Error('thrown inside withParams');
            });
          } catch {
            // restored anyway
          }
          randomCalls += spy.mock.calls.length;
          spy.mockRestore();
          calls++;
        },
      }),
    });
    const opt = instrument(tf.train.adam(0.05), {
      model: m,
      probe: probing ? { model: m, x, y } : undefined,
      plugins: probing ? [basics(), probe] : [],
    });
    m.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await m.fit(x, y, { epochs: 3, batchSize: 10, shuffle: false, verbose: 0 });
    const bytes = m.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).slice().buffer).toString('hex'));
    opt.kramers.close();
    m.dispose();
    return { bytes, calls, randomCalls };
  };
  const plain = await run(false);
  const probed = await run(true);
  expect(probed.calls).toBe(12);
  expect(probed.randomCalls).toBe(0);
  expect(probed.bytes).toEqual(plain.bytes);
  tf.dispose([x, y]);
});

test('probe loss and gradient match a closed form computed in float64 (softmax regression)', () => {
  // One dense softmax layer: L = -(1/m) Σ log p[y], ∇W = Xᵀ(P − Y)/m, ∇b = Σ(P − Y)/m.
  const m = 40;
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ seed: 3 }), biasInitializer: tf.initializers.randomNormal({ seed: 4 }) })],
  });
  const x = tf.tensor2d(X, [m, 4]);
  const y = tf.oneHot(tf.tensor1d(LABELS, 'int32'), 3);
  // Not compiled: a probe without a loss is refused, naming both fixes; once compiled it follows the model's loss.
  expect(() => createProbeContext({ model, x, y })).not.toThrow();
  expect(() => createProbeContext({ model, x, y }).lossInfo()).toThrow(/not compiled.*model\.compile.*loss: 'categoricalCrossentropy'/s);
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const probe = createProbeContext({ model, x, y });
  expect(probe.lossInfo()).toEqual({ name: 'categoricalCrossentropy', source: 'compiled model' });
  const [W, b] = model.getWeights().map((w) => Array.from(w.dataSync()));
  let loss = 0;
  const gW = new Float64Array(12);
  const gb = new Float64Array(3);
  for (let r = 0; r < m; r++) {
    const z = [0, 1, 2].map((j) => b![j]! + [0, 1, 2, 3].reduce((s, k) => s + Math.fround(X[r * 4 + k]!) * W![k * 3 + j]!, 0));
    const zmax = Math.max(...z);
    const e = z.map((v) => Math.exp(v - zmax));
    const sum = e.reduce((s, v) => s + v, 0);
    const p = e.map((v) => v / sum);
    loss -= Math.log(p[LABELS[r]!]!) / m;
    for (let j = 0; j < 3; j++) {
      const d = (p[j]! - (LABELS[r] === j ? 1 : 0)) / m;
      gb[j]! += d;
      for (let k = 0; k < 4; k++) gW[k * 3 + j]! += Math.fround(X[r * 4 + k]!) * d;
    }
  }
  const got = probe.lossAndGradient();
  expect(probe.size).toBe(15);
  expect(probe.rows).toBe(40);
  expect(Math.abs(got.loss - loss) / loss).toBeLessThan(1e-6);
  const want = [...gW, ...gb];
  const err = Math.hypot(...want.map((v, i) => v - got.gradient[i]!)) / Math.hypot(...want);
  expect(err).toBeLessThan(1e-5);
  expect(probe.loss()).toBeCloseTo(got.loss, 6);
  tf.dispose([x, y]);
  model.dispose();
});

test("the probe's penalty is the model's regularisation, also before a Sequential was ever applied", () => {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelRegularizer: tf.regularizers.l2({ l2: 0.5 }), kernelInitializer: 'ones' })],
  });
  const [x, y] = [tf.zeros([4, 3]), tf.zeros([4, 2])];
  const probe = createProbeContext({ model, x, y, loss: 'meanSquaredError' });
  // l2 · Σ W² over a 3 × 2 kernel of ones
  expect(tf.tidy(() => probe.data!.penalty().dataSync()[0])).toBeCloseTo(0.5 * 6, 5);
  tf.dispose([x, y]);
  model.dispose();
});
