/**
 * Instrumenting is inert: a run with `instrument(tf.train.adam(…), { plugins: [basics(), sharpness()], model, probe })`
 * ends every step with the same parameters, bit for bit, as the same run with a plain `tf.train.adam`, through
 * model.fit and through trainOnBatch, on both backends. The model has an unseeded Dropout layer and fit shuffles,
 * both drawing from Math.random, which is replaced by the same seeded generator in both runs: an extra draw by kramers
 * would change every later mask and order. Sharpness measures on every step (Lanczos, trace and density through
 * double backprop on the probe batch), so the second-order registry comes and goes around every update.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { basics, every, instrument, type KramersEvent } from '@kramers/core';
import { loadDataset, standardize, toTensors } from '@kramers/datasets';
import { sharpness } from '@kramers/hvp-estimator';
import { seededRandom, shuffled } from './support/seeded-random.js';

const EPOCHS = 4;
// Sums this long are where wasm's transpose-free BatchMatMul rounds differently from stock: with the second-order
// registry installed globally instead of scoped to the measurements, the wasm runs diverge at step 0.
const BATCH = 50;

function makeModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 64, inputShape: [4], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
}

/** Every variable's bytes after each step, and the losses training reported. */
interface Trajectory {
  params: Float32Array[][];
  losses: number[];
  randomCalls: number;
  events: KramersEvent[];
}

type Path = (model: tf.LayersModel, x: tf.Tensor2D, y: tf.Tensor2D, random: () => number, afterStep: (loss: number) => void) => Promise<void>;

const paths: Record<'fit' | 'trainOnBatch', Path> = {
  fit: async (model, x, y, _random, afterStep) => {
    await model.fit(x, y, {
      epochs: EPOCHS,
      batchSize: BATCH,
      shuffle: true,
      verbose: 0,
      callbacks: { onBatchEnd: async (_batch, logs) => afterStep(logs!['loss'] as number) },
    });
  },
  trainOnBatch: async (model, x, y, random, afterStep) => {
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      const order = shuffled(x.shape[0], random);
      for (let start = 0; start < order.length; start += BATCH) {
        const rows = tf.tensor1d(order.slice(start, start + BATCH), 'int32');
        const [xb, yb] = [tf.gather(x, rows), tf.gather(y, rows)];
        const loss = (await model.trainOnBatch(xb, yb)) as number;
        tf.dispose([rows, xb, yb]);
        afterStep(loss);
      }
    }
  },
};

async function train(path: Path, x: tf.Tensor2D, y: tf.Tensor2D, instrumented: boolean): Promise<Trajectory> {
  const random = seededRandom(20240917);
  let randomCalls = 0;
  const spy = vi.spyOn(Math, 'random').mockImplementation(() => {
    randomCalls++;
    return random();
  });
  const model = makeModel();
  const events: KramersEvent[] = [];
  const params: Float32Array[][] = [];
  const losses: number[] = [];
  try {
    const adam = tf.train.adam(0.01);
    const observed = instrumented
      ? instrument(adam, {
          model,
          probe: { model, x: x.slice(0, 64), y: y.slice(0, 64) },
          plugins: [basics(), sharpness({ schedule: every(1), trace: true, traceProbes: 5, density: true, densitySteps: 10 })],
        })
      : undefined;
    observed?.kramers.metric$.subscribe((e) => events.push(e));
    model.compile({ optimizer: observed ?? adam, loss: 'categoricalCrossentropy' });
    await path(model, x, y, () => Math.random(), (loss) => {
      losses.push(loss);
      params.push(model.getWeights().map((w) => (w.dataSync() as Float32Array).slice()));
    });
    observed?.kramers.close();
    return { params, losses, randomCalls, events };
  } finally {
    spy.mockRestore();
    model.dispose();
  }
}

/** The first step and variable where two trajectories differ, or null. */
function firstDivergence(a: Trajectory, b: Trajectory): string | null {
  if (a.params.length !== b.params.length) return `${a.params.length} vs ${b.params.length} steps`;
  for (let step = 0; step < a.params.length; step++) {
    for (let v = 0; v < a.params[step]!.length; v++) {
      const p = a.params[step]![v]!;
      const q = b.params[step]![v]!;
      const i = p.findIndex((value, k) => !Object.is(value, q[k]));
      if (i >= 0) return `step ${step}, variable ${v}, entry ${i}: ${p[i]} vs ${q[i]}`;
    }
  }
  return null;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`instrument() is inert on ${backend}`, () => {
    let x: tf.Tensor2D;
    let y: tf.Tensor2D;
    beforeAll(async () => {
      await tf.setBackend(backend);
      await tf.ready();
      ({ x, y } = toTensors(standardize(loadDataset('iris')).dataset));
    });
    afterAll(() => tf.dispose([x, y]));

    it.each(['fit', 'trainOnBatch'] as const)(
      '%s: Adam with basics and sharpness on every step matches plain tf.train.adam bit for bit after every step',
      async (name) => {
        const plain = await train(paths[name], x, y, false);
        const observed = await train(paths[name], x, y, true);
        const steps = EPOCHS * Math.ceil(150 / BATCH);
        const measured = observed.events.filter((e) => e.kind === 'metric' && e.name === 'lambda_max');
        const errors = observed.events.filter((e) => e.kind === 'plugin-error');
        console.log(
          `[${backend}] ${name}: ${plain.params.length} steps; Math.random calls plain ${plain.randomCalls}, ` +
            `instrumented ${observed.randomCalls}; ${measured.length} sharpness measurements; ` +
            `first divergence: ${firstDivergence(plain, observed) ?? 'none'}`,
        );
        expect(errors).toEqual([]);
        // every step measured (the last step's measurement already holds the final parameters)
        expect(measured).toHaveLength(steps);
        expect(plain.params).toHaveLength(steps);
        expect(observed.randomCalls).toBe(plain.randomCalls);
        expect(firstDivergence(plain, observed)).toBeNull();
        expect(observed.losses).toEqual(plain.losses);
      },
    );
  });
}
