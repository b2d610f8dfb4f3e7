/**
 * What a user of fit/fitDataset sees: kramers' metrics in History at every epoch end, the final parameters measured
 * when training ends, an event loop that keeps running while fit trains, and a probe batch taken from a dataset
 * without changing what training reads.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test, vi } from 'vitest';
import {
  definePlugin,
  every,
  instrument,
  probeFromDataset,
  useBackend,
  type MetricEvent,
  type TrainEndContext,
} from '@kramers/core';

beforeAll(async () => {
  await useBackend('wasm');
});

const ROWS = 48;
const x = () => tf.tensor2d(Float32Array.from({ length: ROWS * 3 }, (_, i) => Math.sin(0.7 * i)), [ROWS, 3]);
const y = () => tf.tensor2d(Float32Array.from({ length: ROWS }, (_, i) => Math.cos(0.3 * i)), [ROWS, 1]);

function regression(seed = 1): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, inputShape: [3], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  return model;
}

/** Emits the probe loss on its schedule and at train end; records where it ran. */
function probeLoss(schedule = every(1000)) {
  const ran: Array<{ iteration: number; reason: string }> = [];
  const plugin = definePlugin({
    name: 'probe-loss',
    needs: ['probe'],
    schedule,
    setup: () => {
      const measure = (ctx: Pick<TrainEndContext, 'iteration' | 'probe' | 'emit'> & { reason?: string }) => {
        ran.push({ iteration: ctx.iteration, reason: ctx.reason ?? 'step' });
        ctx.emit('loss', ctx.probe!.loss());
      };
      // as a measuring plugin does: the end needs no second measurement when the last step already had one
      return { onStep: measure, onTrainEnd: (end: TrainEndContext) => void (end.ranAtStep || measure(end)) };
    },
  });
  return { plugin, ran };
}

test('fit: metrics land in History every epoch; the final parameters are measured before the last row is written', async () => {
  const model = regression();
  const { plugin, ran } = probeLoss();
  const [xs, ys] = [x(), y()];
  const opt = instrument(tf.train.sgd(0.1), { model, probe: { model, x: xs, y: ys }, plugins: [plugin] });
  model.compile({ optimizer: opt, loss: 'meanSquaredError' });
  const seenByUser: number[] = [];
  const history = await model.fit(xs, ys, {
    epochs: 4,
    batchSize: 16,
    shuffle: false,
    verbose: 0,
    // a plain callback object, as users write them: it still runs, after kramers', and sees its logs
    callbacks: { onEpochEnd: (_e, logs) => void seenByUser.push(logs!['probe-loss/loss']!) },
  });
  // every(1000): the only scheduled run is step 0; fit's end adds the final one at step 11 (4 epochs × 3 batches)
  expect(ran).toEqual([{ iteration: 0, reason: 'step' }, { iteration: 11, reason: 'fit-end' }]);
  const column = history.history['probe-loss/loss'] as number[];
  expect(column).toHaveLength(4);
  const final = opt.kramers.summary().metrics['probe-loss/loss']!;
  expect(final.iteration).toBe(11);
  expect(column[3]).toBe(final.value);
  expect(column[0]).toBe(column[2]); // the latest value until a newer one exists
  expect(seenByUser).toEqual(column);
  // the final probe loss is the full-batch MSE at the final weights, computed independently
  const mse = tf.tidy(() => tf.losses.meanSquaredError(ys, model.predict(xs) as tf.Tensor).dataSync()[0]!);
  expect(Math.abs((final.value as number) - mse) / mse).toBeLessThan(1e-6);
  // close() does not measure again: the plugin already ran at the last step
  opt.kramers.close();
  expect(ran).toHaveLength(2);
  tf.dispose([xs, ys]);
  model.dispose();
});

test('close() measures the final parameters of a hand-written minimize loop, once', () => {
  const w = tf.variable(tf.tensor1d([3, -2]));
  const { plugin, ran } = probeLoss(every(4));
  const lossFn = () => tf.sum(tf.square(w)) as tf.Scalar;
  const opt = instrument(tf.train.sgd(0.1), { probe: { lossFn, variables: [w], rows: 1 }, plugins: [plugin] });
  for (let i = 0; i < 10; i++) opt.minimize(lossFn);
  opt.kramers.close();
  opt.kramers.close();
  expect(ran).toEqual([
    { iteration: 0, reason: 'step' },
    { iteration: 4, reason: 'step' },
    { iteration: 8, reason: 'step' },
    { iteration: 9, reason: 'close' },
  ]);
  // 10 steps of w ← 0.8 w from (3, −2): loss 13·0.64^10
  const last = opt.kramers.summary().metrics['probe-loss/loss']!;
  expect(last.value as number).toBeCloseTo(13 * 0.64 ** 10, 5);
  w.dispose();
});

test('a timer fires while fit trains (kramers yields to the event loop); without kramers it does not', async () => {
  const [xs, ys] = [x(), y()];
  const train = async (instrumented: boolean) => {
    const model = regression(3);
    const opt = instrumented ? instrument(tf.train.sgd(0.05), { model }) : tf.train.sgd(0.05);
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const t0 = performance.now();
    // batch size 1: 48 × 20 = 960 steps, well over the 25 ms between yields
    await model.fit(xs, ys, { epochs: 20, batchSize: 1, shuffle: false, verbose: 0, yieldEvery: 'never' });
    const ms = performance.now() - t0;
    clearInterval(timer);
    (opt as { kramers?: { close(): void } }).kramers?.close();
    model.dispose();
    return { ticks, ms };
  };
  const plain = await train(false);
  const observed = await train(true);
  expect(observed.ms).toBeGreaterThan(100);
  expect(plain.ticks).toBe(0);
  expect(observed.ticks).toBeGreaterThan(0);
  tf.dispose([xs, ys]);
});

test('probeFromDataset: the probe comes from rows training reads, and training reads exactly what it would have', async () => {
  const xs = tf.tensor2d(Float32Array.from({ length: 40 * 3 }, (_, i) => Math.sin(0.37 * i)), [40, 3]);
  const ys = tf.tensor2d(Float32Array.from({ length: 40 }, (_, i) => Math.cos(0.11 * i)), [40, 1]);
  // A seeded shuffle: each iterator() call draws from the dataset's own random stream, so reading it twice would
  // change the order training sees.
  const dataset = () => tf.data.zip({ xs: tf.data.array(tf.unstack(xs)), ys: tf.data.array(tf.unstack(ys)) }).shuffle(40, 'seed').batch(8);
  const run = async (withProbe: boolean) => {
    const model = regression(5);
    const { plugin, ran } = probeLoss(every(1));
    const source = withProbe ? probeFromDataset(dataset(), { rows: 20 }) : undefined;
    const opt = instrument(tf.train.sgd(0.1), {
      model,
      ...(source ? { probe: { model, batch: source.probe }, plugins: [plugin] } : {}),
    });
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    await model.fitDataset(source ? source.dataset : dataset(), { epochs: 3, verbose: 0 });
    const weights = model.getWeights().map((t) => Array.from(t.dataSync()));
    const probeRows = source?.probe.current();
    const probeX = probeRows ? Array.from((probeRows.x as tf.Tensor).dataSync()) : [];
    opt.kramers.close();
    source?.probe.dispose();
    model.dispose();
    return { weights, ran, probeX };
  };
  const plain = await run(false);
  const probed = await run(true);
  expect(probed.weights).toEqual(plain.weights);
  // 20 rows = the first 2.5 batches: ready after step 2, measured every step from then on, and at the end (step 14)
  expect(probed.ran.map((r) => r.iteration)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  expect(probed.probeX).toHaveLength(60);
  // every probe row is a row of the data set
  const rowsOf = (a: number[]) => Array.from({ length: a.length / 3 }, (_, r) => a.slice(3 * r, 3 * r + 3).join());
  const all = new Set(rowsOf(Array.from(xs.dataSync())));
  expect(rowsOf(probed.probeX).every((r) => all.has(r))).toBe(true);
  tf.dispose([xs, ys]);
});

test('session.callback() on a model kramers was not given; passing it twice adds it once', async () => {
  const model = regression(7);
  const [xs, ys] = [x(), y()];
  const { plugin, ran } = probeLoss(every(1000));
  const opt = instrument(tf.train.adam(0.01), { probe: { model, x: xs, y: ys }, plugins: [plugin] });
  model.compile({ optimizer: opt, loss: 'meanSquaredError' });
  const cb = opt.kramers.callback();
  const history = await model.fit(xs, ys, { epochs: 2, batchSize: 24, verbose: 0, callbacks: [cb] });
  expect(ran.map((r) => r.iteration)).toEqual([0, 3]);
  expect(history.history['probe-loss/loss']).toHaveLength(2);
  const events: MetricEvent[] = [];
  opt.kramers.metric$.subscribe((e) => e.kind === 'metric' && events.push(e));
  opt.kramers.close();
  expect(events).toEqual([]);
  tf.dispose([xs, ys]);
  model.dispose();
});

test('a plugin error nobody listens for is written to the console once; with a listener it is not', () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    const broken = definePlugin({ name: 'broken', setup: () => ({ onStep: () => { throw new Error('no luck'); } }) });
    const w = tf.variable(tf.tensor1d([1, 2]));
    const lossFn = () => tf.sum(tf.square(w)) as tf.Scalar;
    const quiet = instrument(tf.train.sgd(0.1), { runId: 'quiet', plugins: [broken] });
    for (let i = 0; i < 3; i++) quiet.minimize(lossFn);
    quiet.kramers.close();
    expect(warn.mock.calls).toEqual([['kramers: plugin "broken" of run quiet failed at step 0 (step) and is switched off: no luck']]);
    expect(quiet.kramers.summary().errors.map((e) => e.message)).toEqual(['no luck']);
    warn.mockClear();
    const heard = instrument(tf.train.sgd(0.1), { runId: 'heard', plugins: [broken] });
    const seen: string[] = [];
    heard.kramers.metric$.subscribe((e) => e.kind === 'plugin-error' && seen.push(e.message));
    heard.minimize(lossFn);
    heard.kramers.close();
    expect(seen).toEqual(['no luck']);
    expect(warn).not.toHaveBeenCalled();
    w.dispose();
  } finally {
    warn.mockRestore();
  }
});
