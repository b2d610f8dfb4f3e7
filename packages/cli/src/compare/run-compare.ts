/**
 * The compare job: one MLP, one initialisation, trained side by side with several optimizers on the same
 * minibatches in the same order (each batch is fed to every run before the next batch), all runs streaming into
 * one metric bus so reporters see them together.
 */
import * as tf from '@tensorflow/tfjs';
import {
  basics,
  createMetricBus,
  createRng,
  permutation,
  seedFor,
  instrument,
  type Instrumented,
  type KramersEvent,
  type MetricBus,
  type Plugin,
} from '@kramers/core';
import {
  loadDataset,
  minibatches,
  batchesPerEpoch,
  standardize,
  applyStandardization,
  toTensors,
  trainTestSplit,
  type DatasetName,
} from '@kramers/datasets';
import { buildMlp, evaluate } from './mlp.js';
import { createOptimizer, DEFAULT_LEARNING_RATES, type OptimizerName } from '@kramers/optimizers';

export interface CompareOptions {
  readonly dataset: DatasetName;
  readonly optimizers: readonly OptimizerName[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly hidden: readonly number[];
  /** Per-optimizer learning rates; missing ones use DEFAULT_LEARNING_RATES. */
  readonly learningRates: Partial<Record<OptimizerName, number>>;
  readonly diffusion: number;
  readonly seed: number;
  readonly testFraction: number;
  /** Rows of the fixed probe batch (a seeded random subset of the training set) that probe plugins evaluate on. */
  readonly probeSize: number;
  /** Extra plugins per run, after `basics`. */
  readonly plugins?: (run: OptimizerName, shape: { readonly stepsPerEpoch: number }) => readonly Plugin<never, unknown>[];
  readonly bus?: MetricBus;
  /** Called once the data are split, before training (for progress totals). */
  readonly onStart?: (stepsPerEpoch: number) => void;
  /** Called after every step of every run (for progress bars). */
  readonly onStep?: (runId: string, iteration: number, loss: number | undefined) => void;
}

export interface RunResult {
  readonly optimizer: OptimizerName;
  readonly config: Readonly<Record<string, unknown>>;
  readonly final: {
    readonly loss: number;
    readonly accuracy: number;
    readonly testLoss: number;
    readonly testAccuracy: number;
    readonly iterations: number;
  };
}

export interface CompareResult {
  readonly dataset: { readonly name: string; readonly trainRows: number; readonly testRows: number; readonly features: number; readonly classes: number };
  readonly model: { readonly layers: readonly number[]; readonly parameters: number };
  readonly probeRows: number;
  readonly stepsPerEpoch: number;
  readonly runs: readonly RunResult[];
  readonly elapsedMs: number;
}

export async function runCompare(options: CompareOptions): Promise<CompareResult> {
  const t0 = performance.now();
  const raw = loadDataset(options.dataset);
  const split = trainTestSplit(raw, { testFraction: options.testFraction, seed: options.seed, stratify: true });
  // Standardise with training statistics only, so the test set stays unseen.
  const { dataset: train, mean, std } = standardize(split.train);
  const test = applyStandardization(split.test, { mean, std });
  if (options.batchSize > train.rows) {
    throw new RangeError(
      `--batch-size ${options.batchSize} is larger than the training set (${train.rows} rows of ${options.dataset}); use at most ${train.rows}.`,
    );
  }
  const trainT = toTensors(train);
  // The probe batch: the training loss the theory is about, on a fixed seeded subset so every run sees the same rows.
  const probeIndices = permutation(train.rows, createRng(seedFor(options.seed, 'probe'))).slice(0, Math.min(options.probeSize, train.rows));
  const probeT = toTensors(train, probeIndices);
  const testT = test.rows > 0 ? toTensors(test) : undefined;
  const bus = options.bus ?? createMetricBus();
  const spec = { inputs: train.cols, hidden: options.hidden, classes: train.numClasses, seed: options.seed };
  const initial = buildMlp(spec);
  const initialWeights = initial.getWeights().map((w) => w.clone());
  const parameters = initial.countParams();
  initial.dispose();

  const stepsPerEpoch = batchesPerEpoch(train.rows, options.batchSize);
  const runs = options.optimizers.map((name) => {
    const model = buildMlp(spec);
    model.setWeights(initialWeights);
    const learningRate = options.learningRates[name] ?? DEFAULT_LEARNING_RATES[name];
    const optimizer = instrument(createOptimizer(name, { learningRate, diffusion: options.diffusion, seed: options.seed }), {
      runId: name,
      bus,
      model,
      batchSize: options.batchSize,
      probe: { model, x: probeT.x, y: probeT.y },
      plugins: [basics({ perLayer: true }), ...(options.plugins?.(name, { stepsPerEpoch }) ?? [])],
    });
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    return { name, model, optimizer: optimizer as Instrumented<tf.Optimizer> };
  });
  tf.dispose(initialWeights);
  for (const run of runs) {
    run.optimizer.kramers.step$.subscribe((s) => options.onStep?.(s.runId, s.iteration, s.loss));
  }

  const publish = (runId: string, iteration: number, name: string, value: number): void => {
    const event: KramersEvent = { kind: 'metric', runId, iteration, plugin: 'evaluate', name, value, wallTime: Date.now() };
    bus.next(event);
  };
  const evaluateAll = (): void => {
    for (const run of runs) {
      const it = run.optimizer.kramers.iterations - 1;
      const tr = evaluate(run.model, trainT.x, trainT.y);
      publish(run.name, it, 'train_loss', tr.loss);
      publish(run.name, it, 'train_accuracy', tr.accuracy);
      if (testT) {
        const te = evaluate(run.model, testT.x, testT.y);
        publish(run.name, it, 'test_loss', te.loss);
        publish(run.name, it, 'test_accuracy', te.accuracy);
      }
    }
  };

  options.onStart?.(stepsPerEpoch);
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (const indices of minibatches(train, { batchSize: options.batchSize, seed: options.seed, epoch })) {
        const { x, y } = toTensors(train, indices);
        try {
          for (const run of runs) await run.model.trainOnBatch(x, y);
        } finally {
          tf.dispose([x, y]);
        }
      }
      evaluateAll();
    }
    const results: RunResult[] = runs.map((run) => {
      const tr = evaluate(run.model, trainT.x, trainT.y);
      const te = testT ? evaluate(run.model, testT.x, testT.y) : { loss: Number.NaN, accuracy: Number.NaN };
      return {
        optimizer: run.name,
        config: { ...(run.optimizer.getConfig() as Record<string, unknown>), batchSize: options.batchSize },
        final: {
          loss: tr.loss,
          accuracy: tr.accuracy,
          testLoss: te.loss,
          testAccuracy: te.accuracy,
          iterations: run.optimizer.kramers.iterations,
        },
      };
    });
    return {
      dataset: { name: options.dataset, trainRows: train.rows, testRows: test.rows, features: train.cols, classes: train.numClasses },
      model: { layers: [train.cols, ...options.hidden, train.numClasses], parameters },
      stepsPerEpoch,
      probeRows: probeIndices.length,
      runs: results,
      elapsedMs: performance.now() - t0,
    };
  } finally {
    for (const run of runs) {
      run.optimizer.kramers.close();
      run.model.dispose();
      run.optimizer.dispose();
    }
    tf.dispose([trainT.x, trainT.y, probeT.x, probeT.y, ...(testT ? [testT.x, testT.y] : [])]);
  }
}
