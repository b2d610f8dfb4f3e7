import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createMetricBus, createRng, definePlugin, useBackend, type KramersEvent, type MetricEvent, type RunEvent } from '@kramers/core';
import { loadModel } from '@kramers/core/node';
import { createDataset, type RegressionDataset } from '@kramers/datasets';
import { CompareOptionError } from './compare-option-error.js';
import type { CompareOptions } from './compare-options.js';
import { runCompare } from './run-compare.js';

const dir = mkdtempSync(join(tmpdir(), 'kramers-experiments-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await useBackend('cpu');
});

const iris: CompareOptions = {
  dataset: 'iris',
  optimizers: ['sgd', 'sgld'],
  epochs: 2,
  batchSize: 16,
  hidden: [8],
  learningRates: {},
  diffusion: 0,
  seed: 3,
  testFraction: 0.2,
  probeSize: 64,
};

/** y = 2·x₁ − x₂ + 0.5 + small noise: a regression set a linear model fits almost exactly. */
function line(rows = 200): RegressionDataset {
  const rng = createRng(5);
  const features = new Float64Array(rows * 2).map(() => rng.normal());
  const targets = new Float64Array(rows).map((_, i) => 2 * features[2 * i]! - features[2 * i + 1]! + 0.5 + 0.01 * rng.normal());
  return createDataset({ name: 'line', featureNames: ['x1', 'x2'], features, targetNames: ['y'], targets });
}

function recorded(): { bus: ReturnType<typeof createMetricBus>; events: KramersEvent[] } {
  const bus = createMetricBus();
  const events: KramersEvent[] = [];
  bus.subscribe((e) => events.push(e));
  return { bus, events };
}
const runEvents = (events: KramersEvent[], phase: RunEvent['phase']) =>
  events.filter((e): e is RunEvent => e.kind === 'run' && e.phase === phase);

describe('runCompare', () => {
  test('same seed, same numbers; SGLD with D = 0 retraces SGD exactly', async () => {
    const a = await runCompare(iris);
    const b = await runCompare(iris);
    expect(a.runs).toEqual(b.runs);
    expect(a.runs[1]!.final.loss).toBe(a.runs[0]!.final.loss);
    const hot = await runCompare({ ...iris, diffusion: 1e-2 });
    expect(hot.runs[1]!.final.loss).not.toBe(hot.runs[0]!.final.loss);
  });

  test('each run is framed by a start event (what runs) and an end event (how it ended, final numbers)', async () => {
    const { bus, events } = recorded();
    const result = await runCompare({ ...iris, bus, runInfo: { command: 'test', version: '0.0.0' } });
    const starts = runEvents(events, 'start');
    const ends = runEvents(events, 'end');
    expect(starts.map((e) => e.runId)).toEqual(['sgd', 'sgld']);
    expect(starts[0]).toMatchObject({ iteration: -1 });
    expect(starts[0]!.info).toMatchObject({
      optimizer: 'sgd', task: 'classification', loss: 'categoricalCrossentropy', seed: 3, epochs: 2, command: 'test', version: '0.0.0',
      dataset: { name: 'iris', trainRows: 120, testRows: 30, features: 4, classes: 3 },
      config: { learningRate: 0.1, batchSize: 16 },
    });
    // Starts come before every metric of their run; ends after.
    expect(events.findIndex((e) => e.kind === 'metric')).toBeGreaterThan(events.indexOf(starts[1]!));
    expect(ends.map((e) => [e.runId, e.iteration, e.info['status']])).toEqual([['sgd', 15, 'completed'], ['sgld', 15, 'completed']]);
    expect(ends[0]!.info['final']).toEqual(result.runs[0]!.final);
    expect(result.runs[0]!.final).toMatchObject({ status: 'completed', iterations: 16 });
    expect(result.interrupted).toBe(false);
  });

  test('a regression set trains a linear output on mean squared error: MSE columns, no accuracy, the probe told MSE', async () => {
    const { bus, events } = recorded();
    // Reads the probe's loss at each step: on the whole training set (probeSize ≥ rows) it must be the training MSE.
    const probeLoss = definePlugin<unknown>({
      name: 'probe-loss',
      needs: ['probe'],
      setup: () => ({ onStep: (ctx) => ctx.emit('loss', ctx.probe!.loss()) }),
    });
    const result = await runCompare({
      ...iris, dataset: line(), optimizers: ['sgd', 'adam'], epochs: 30, hidden: [], learningRates: { sgd: 0.05 }, probeSize: 1000, bus,
      plugins: () => [probeLoss],
    });
    expect(result).toMatchObject({ task: 'regression', loss: 'meanSquaredError', dataset: { name: 'line', trainRows: 160, testRows: 40, features: 2, targets: 1 } });
    expect(result.model).toEqual({ layers: [2, 1], parameters: 3 });
    for (const run of result.runs) {
      expect(run.final.status).toBe('completed');
      expect(run.final.accuracy).toBeUndefined();
      // The noise variance is 1e-4; a fitted linear model gets close to it on held-out rows.
      expect(run.final.testLoss).toBeLessThan(0.01);
    }
    const metrics = events.filter((e): e is MetricEvent => e.kind === 'metric');
    expect(new Set(metrics.filter((e) => e.plugin === 'evaluate').map((e) => e.name))).toEqual(new Set(['train_mse', 'test_mse']));
    const last = (plugin: string, name: string) => metrics.filter((e) => e.runId === 'adam' && e.plugin === plugin && e.name === name).at(-1)!;
    expect(last('probe-loss', 'loss').iteration).toBe(last('evaluate', 'train_mse').iteration);
    expect(last('probe-loss', 'loss').value as number).toBeCloseTo(last('evaluate', 'train_mse').value as number, 6);
  });

  test('a diverging run stops, is marked diverged with a non-finite loss, and the others go on', async () => {
    const { bus, events } = recorded();
    const result = await runCompare({ ...iris, dataset: line(), optimizers: ['sgd', 'adam'], epochs: 3, hidden: [], learningRates: { sgd: 50 }, bus });
    const [sgd, adam] = result.runs;
    expect(sgd!.final.status).toBe('diverged');
    expect(Number.isFinite(sgd!.final.loss)).toBe(false);
    expect(sgd!.final.iterations).toBeLessThan(adam!.final.iterations);
    expect(adam!.final).toMatchObject({ status: 'completed', iterations: 30 });
    expect(runEvents(events, 'end').map((e) => e.info['status'])).toEqual(['diverged', 'completed']);
  });

  test('an abort stops between steps: unfinished runs end "interrupted" at the last step they completed', async () => {
    const { bus, events } = recorded();
    const controller = new AbortController();
    const result = await runCompare({
      ...iris, epochs: 50, bus, signal: controller.signal, yieldEveryMs: 0,
      onStep: (runId, iteration) => {
        if (runId === 'sgd' && iteration === 40) controller.abort();
      },
    });
    expect(result.interrupted).toBe(true);
    const ends = runEvents(events, 'end');
    // The abort was seen after sgd's step 40, before sgld's.
    expect(ends.map((e) => [e.runId, e.iteration, e.info['status']])).toEqual([['sgd', 40, 'interrupted'], ['sgld', 39, 'interrupted']]);
    expect(result.runs.map((r) => r.final.iterations)).toEqual([41, 40]);
  });

  test('timers fire while it trains', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    let ticksWhileTraining = 0;
    await runCompare({
      ...iris, epochs: 40,
      onStep: (_run, iteration) => {
        if (iteration === 300) ticksWhileTraining = ticks;
      },
    });
    clearInterval(timer);
    expect(ticksWhileTraining).toBeGreaterThan(0);
  });

  test('saveModels writes each final model with its training config, which loads back with the same weights', async () => {
    const out = join(dir, 'models');
    const result = await runCompare({ ...iris, optimizers: ['adam', 'sgld'], saveModels: out });
    expect(result.runs.map((r) => r.savedModel)).toEqual([join(out, 'adam', 'model.json'), join(out, 'sgld', 'model.json')]);
    const { registerOptimizers } = await import('@kramers/optimizers');
    registerOptimizers();
    const model = await loadModel(join(out, 'sgld', 'model.json'));
    expect(model.loss).toBe('categoricalCrossentropy');
    expect(model.getWeights().map((w) => w.shape)).toEqual([[4, 8], [8], [8, 3], [3]]);
    const x = tf.tensor2d([[0.1, -0.2, 0.3, 0.4]]);
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync()).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    tf.dispose([x]);
    model.dispose();
  });

  test.each<[Partial<CompareOptions>, string, string]>([
    [{ batchSize: 500 }, 'batchSize', '500 is larger than the training set (120 rows of iris); use at most 120.'],
    [{ learningRates: { adam: 0.01 } }, 'learningRates', 'has a rate for adam, which is not being run (sgd, sgld); run it or drop its rate.'],
    [{ testFraction: 0.001 }, 'testFraction', '0.001 of 150 rows leaves 0 test and 150 training rows; both need at least one'],
    [{ optimizers: [] }, 'optimizers', 'is empty; name at least one of sgd, sgld, adam, momentum, rmsprop, adagrad.'],
  ])('%j is refused naming the option and the fix', async (patch, option, problem) => {
    const err = await runCompare({ ...iris, ...patch }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompareOptionError);
    expect(err).toMatchObject({ option });
    expect((err as Error).message).toContain(`runCompare: ${option} ${problem}`);
  });
});
