/**
 * runCompare with runs of their own batch size and learning rate (RunSpec), and the large-batch preset's runs: ids
 * in every event, per-run steps per epoch, shared minibatches for runs of one batch size, dropLast, the linear
 * scaling rule, and the refusals that name the field and the fix.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createMetricBus, useBackend, type KramersEvent, type MetricEvent, type RunEvent } from '@kramers/core';
import { loadDataset } from '@kramers/datasets';
import { CompareOptionError, comparePreset, largeBatchPreset, LARGE_BATCH_SIZE, PRESET_NAMES, resolveRuns, runCompare, type CompareOptions } from '@kramers/experiments';

beforeAll(async () => {
  await useBackend('cpu');
});

// iris: 150 rows, 120 for training
const base: CompareOptions = {
  dataset: 'iris',
  epochs: 3,
  batchSize: 16,
  hidden: [8],
  diffusion: 0,
  seed: 2,
  testFraction: 0.2,
  probeSize: 64,
};

describe('runCompare with run specs', () => {
  test('each run steps at its own B: per-run steps per epoch and ids; runs of one B see the same minibatches', async () => {
    const bus = createMetricBus();
    const events: KramersEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const steps: string[] = [];
    let started: readonly { id: string; stepsPerEpoch: number }[] = [];
    const result = await runCompare({
      ...base,
      runs: [
        { id: 'small', optimizer: 'sgd', batchSize: 16, learningRate: 0.1 },
        // SGLD with D = 0 on the same batches retraces SGD exactly: proof that the two runs of B = 16 share them
        { id: 'twin', optimizer: 'sgld', batchSize: 16, learningRate: 0.1 },
        { id: 'big', optimizer: 'sgd', batchSize: 50, learningRate: 0.1 },
        { id: 'big-dropped', optimizer: 'sgd', batchSize: 50, learningRate: 0.3 },
      ],
      dropLast: true,
      bus,
      onStart: (_first, runs) => (started = runs),
      onStep: (runId) => steps.push(runId),
    });
    // 120 rows: 7 full batches of 16 and 2 of 50 (the short tails dropped)
    expect(started).toEqual([
      { id: 'small', stepsPerEpoch: 7 },
      { id: 'twin', stepsPerEpoch: 7 },
      { id: 'big', stepsPerEpoch: 2 },
      { id: 'big-dropped', stepsPerEpoch: 2 },
    ]);
    expect(result.stepsPerEpoch).toBe(7);
    expect(result.runs.map((r) => [r.id, r.optimizer, r.batchSize, r.learningRate, r.stepsPerEpoch, r.final.iterations])).toEqual([
      ['small', 'sgd', 16, 0.1, 7, 21],
      ['twin', 'sgld', 16, 0.1, 7, 21],
      ['big', 'sgd', 50, 0.1, 2, 6],
      ['big-dropped', 'sgd', 50, 0.3, 2, 6],
    ]);
    expect(result.runs[1]!.final.loss).toBe(result.runs[0]!.final.loss);
    expect(result.runs[2]!.final.loss).not.toBe(result.runs[0]!.final.loss);
    expect(result.runs.map((r) => r.config['batchSize'])).toEqual([16, 16, 50, 50]);
    const starts = events.filter((e): e is RunEvent => e.kind === 'run' && e.phase === 'start');
    expect(starts.map((e) => [e.runId, e.info['optimizer'], e.info['stepsPerEpoch']])).toEqual([
      ['small', 'sgd', 7], ['twin', 'sgld', 7], ['big', 'sgd', 2], ['big-dropped', 'sgd', 2],
    ]);
    const perEpochEval = (id: string) => events.filter((e): e is MetricEvent => e.kind === 'metric' && e.runId === id && e.name === 'train_loss').map((e) => e.iteration);
    // each epoch ends for every run together: evaluated at its own last step of the epoch
    expect(perEpochEval('small')).toEqual([6, 13, 20]);
    expect(perEpochEval('big')).toEqual([1, 3, 5]);
    // the batch streams interleave by progress through the epoch: the big runs never wait for the whole small epoch
    const firstEpoch = steps.slice(0, 2 * 7 + 2 * 2);
    expect(firstEpoch.indexOf('big')).toBeLessThan(firstEpoch.lastIndexOf('small'));
  });

  test('refusals name the field and the fix', async () => {
    const refused = async (options: Partial<CompareOptions>) => {
      const err = await runCompare({ ...base, ...options }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CompareOptionError);
      return (err as CompareOptionError).message;
    };
    expect(await refused({ runs: [{ id: 'a', optimizer: 'sgd' }], optimizers: ['sgd'] })).toContain('runs and optimizers are both given');
    expect(await refused({ runs: [{ id: 'a', optimizer: 'sgd' }, { id: 'a', optimizer: 'adam' }] })).toContain('has the id "a" twice');
    expect(await refused({ runs: [{ id: 'b 1', optimizer: 'sgd' }] })).toContain('has id "b 1"; an id starts with a letter');
    expect(await refused({ runs: [{ id: 'big', optimizer: 'sgd', batchSize: 1024 }] })).toContain(
      'runCompare: runs big: batch size 1024 is larger than the training set (120 rows of iris)',
    );
    expect(await refused({ runs: [{ id: 'hot', optimizer: 'sgd', learningRate: -1 }] })).toContain('hot: learningRate must be a number > 0');
  });
});

describe('the large-batch preset', () => {
  test('B₁ at η₁, B = 1024 at η₁, and B = 1024 at η₁·1024/B₁ (the linear scaling rule: the same η/B)', () => {
    const runs = largeBatchPreset.runs({ optimizers: ['sgd', 'momentum'], batchSize: 64, learningRate: (o) => (o === 'sgd' ? 0.05 : 0.01) });
    expect(runs.map((r) => [r.id, r.optimizer, r.batchSize, r.learningRate])).toEqual([
      ['sgd-b64', 'sgd', 64, 0.05],
      ['sgd-b1024', 'sgd', LARGE_BATCH_SIZE, 0.05],
      ['sgd-b1024-scaled', 'sgd', LARGE_BATCH_SIZE, 0.8],
      ['momentum-b64', 'momentum', 64, 0.01],
      ['momentum-b1024', 'momentum', LARGE_BATCH_SIZE, 0.01],
      ['momentum-b1024-scaled', 'momentum', LARGE_BATCH_SIZE, 0.16],
    ]);
    for (const [small, , scaled] of [runs.slice(0, 3), runs.slice(3)]) expect(scaled!.learningRate! / scaled!.batchSize!).toBeCloseTo(small!.learningRate! / small!.batchSize!, 15);
    // its defaults fill in what a run leaves out
    const resolved = resolveRuns({ ...base, runs: [{ id: 'x', optimizer: 'adam' }], learningRates: { adam: 0.02 } });
    expect(resolved).toEqual([{ id: 'x', optimizer: 'adam', batchSize: 16, learningRate: 0.02 }]);
  });

  test('by name, or an error naming the valid presets; the data set holds a 1024-row batch', () => {
    expect(PRESET_NAMES).toEqual(['large-batch']);
    expect(comparePreset('large-batch')).toBe(largeBatchPreset);
    expect(() => comparePreset('toString')).toThrow('unknown preset "toString"; valid presets: large-batch');
    expect(largeBatchPreset.defaults).toMatchObject({ dataset: 'digits', batchSize: 32, optimizers: ['sgd'] });
    // 1797 rows, 80 % for training (the default split): one full batch of 1024 per epoch
    expect(Math.floor(loadDataset(largeBatchPreset.defaults.dataset).rows * 0.8)).toBeGreaterThanOrEqual(LARGE_BATCH_SIZE);
  });
});
