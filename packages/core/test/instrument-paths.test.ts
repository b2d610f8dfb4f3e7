import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { instrument, useBackend, type StepEvent } from '@kramers/core';

class ClippedSGD extends tf.SGDOptimizer {
  static override get className() {
    return 'ClippedSGD';
  }
}

const factories: Record<string, () => tf.Optimizer> = {
  sgd: () => tf.train.sgd(0.05),
  momentum: () => tf.train.momentum(0.05, 0.9),
  adam: () => tf.train.adam(0.01),
  rmsprop: () => tf.train.rmsprop(0.01),
  adagrad: () => tf.train.adagrad(0.05),
  adadelta: () => tf.train.adadelta(1),
  adamax: () => tf.train.adamax(0.01),
  clippedsgd: () => new ClippedSGD(0.05),
};

let x: tf.Tensor2D;
let y: tf.Tensor2D;

beforeAll(async () => {
  await useBackend('wasm');
  x = tf.tensor2d(Array.from({ length: 24 * 3 }, (_, i) => Math.sin(i * 0.7)), [24, 3]);
  y = tf.oneHot(tf.tensor1d(Array.from({ length: 24 }, (_, i) => i % 2), 'int32'), 2) as tf.Tensor2D;
});
afterAll(() => tf.dispose([x, y]));

function makeModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 5, inputShape: [3], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

type Path = (opt: tf.Optimizer, model: tf.Sequential) => Promise<{ expected: number; batchLosses?: number[] }>;

const paths: Record<string, Path> = {
  fit: async (opt, model) => {
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const batchLosses: number[] = [];
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 8,
      shuffle: false,
      verbose: 0,
      callbacks: { onBatchEnd: async (_b, logs) => void batchLosses.push(logs!.loss as number) },
    });
    return { expected: 6, batchLosses };
  },
  fitDataset: async (opt, model) => {
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const ds = tf.data.zip({ xs: tf.data.array(x.arraySync()), ys: tf.data.array(y.arraySync()) }).batch(12);
    await model.fitDataset(ds as tf.data.Dataset<{ xs: tf.Tensor; ys: tf.Tensor }>, { epochs: 2, verbose: 0 });
    return { expected: 4 };
  },
  trainOnBatch: async (opt, model) => {
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const batchLosses: number[] = [];
    for (let i = 0; i < 3; i++) batchLosses.push((await model.trainOnBatch(x, y)) as number);
    return { expected: 3, batchLosses };
  },
  minimize: async (opt, model) => {
    model.build([null, 3]);
    const batchLosses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const l = opt.minimize(() => tf.losses.meanSquaredError(y, model.predict(x) as tf.Tensor) as tf.Scalar, true)!;
      batchLosses.push(l.dataSync()[0]!);
      l.dispose();
    }
    return { expected: 3, batchLosses };
  },
  applyGradients: async (opt, model) => {
    model.build([null, 3]);
    for (let i = 0; i < 2; i++) {
      const { grads, value } = tf.variableGrads(
        () => tf.losses.meanSquaredError(y, model.predict(x) as tf.Tensor) as tf.Scalar,
      );
      opt.applyGradients(grads);
      tf.dispose([value, ...Object.values(grads)]);
    }
    return { expected: 2 };
  },
};

describe.each(Object.keys(factories))('%s', (kind) => {
  test.each(Object.keys(paths))('every update through %s is observed', async (path) => {
    const model = makeModel();
    const opt = instrument(factories[kind]!(), { runId: `${kind}-${path}`, model });
    expect(opt instanceof tf.Optimizer).toBe(true);
    const seen: StepEvent[] = [];
    const gradNames: string[][] = [];
    opt.kramers.step$.subscribe((s) => {
      seen.push(s);
      gradNames.push(Object.keys(s.gradients()));
    });
    const { expected, batchLosses } = await paths[path]!(opt, model);
    expect(seen.map((s) => s.iteration)).toEqual([...Array(expected).keys()]);
    expect(seen.every((s) => s.runId === `${kind}-${path}` && s.optimizer.kind === kind)).toBe(true);
    // Every step carries the gradients of all four trainable variables.
    expect(gradNames.every((n) => n.length === 4)).toBe(true);
    if (batchLosses) {
      // The loss kramers reports is the very loss the training path reported for that batch.
      expect(seen.map((s) => s.loss)).toEqual(batchLosses.map((l) => Math.fround(l)));
    }
    if (path === 'fit' || path === 'trainOnBatch') {
      expect(seen.map((s) => s.batchSize)).toEqual(path === 'fit' ? [8, 8, 8, 8, 8, 8] : [24, 24, 24]);
    }
    if (path === 'applyGradients') expect(seen.every((s) => s.loss === undefined)).toBe(true);
    const lr = seen[0]!.learningRate;
    expect(lr).toBe((opt.getConfig() as { learningRate: number }).learningRate);
    // Handles die with the step.
    expect(() => seen[0]!.gradients()).toThrow(/step 0 is over/);
    opt.kramers.close();
    expect(opt.kramers.closed).toBe(true);
    expect(() => opt.kramers.close()).not.toThrow(); // idempotent
    model.dispose();
  });
});

test('instrumenting twice is refused with a clear message; close() restores the prototype methods; a closed optimizer can be instrumented again', () => {
  const opt = instrument(tf.train.sgd(0.1), { runId: 'once' });
  expect(() => instrument(opt)).toThrow(/already instrumented as run "once"/);
  opt.kramers.close();
  opt.kramers.close();
  expect(Object.prototype.hasOwnProperty.call(opt, 'applyGradients')).toBe(false);
  expect(Object.prototype.hasOwnProperty.call(opt, 'minimize')).toBe(false);
  const again = instrument(opt, { runId: 'twice' });
  expect(again.kramers.runId).toBe('twice');
  again.kramers.close();
  expect(() => instrument(tf.train.sgd(0.1), { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
});
