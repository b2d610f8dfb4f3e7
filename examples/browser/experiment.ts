// The experiment the page runs, with nothing of the page in it, so examples/test/browser-example.test.ts runs the very
// same code in Node: iris, a 4-10-3 tanh/softmax MLP with weights drawn from a seeded generator, SGLD from
// @kramers/optimizers, kramers attached with `basics` and the `sharpness` plugin (λ_max by Lanczos on exact
// Hessian-vector products). Whatever tfjs backend is active when it runs is the one it uses.
import * as tf from '@tensorflow/tfjs';
import {
  basics,
  createRng,
  every,
  instrument,
  permutation,
  probeSecondOrderSupport,
  withSecondOrderGradients,
  createProbeContext,
  type KramersEvent,
  type SecondOrderProbe,
} from '@kramers/core';
import { analyzeCurvature, sharpness } from '@kramers/hvp-estimator';
import { SGLD } from '@kramers/optimizers';
import { IRIS_CLASSES, IRIS_FEATURES, IRIS_LABELS } from './iris.js';

export const SETTINGS = {
  /** Seeds the row order, the initial weights and SGLD's noise. */
  seed: 0,
  hidden: 10,
  epochs: 20,
  batchSize: 15,
  learningRate: 0.05,
  /** SGLD's diffusion D: its noise is drawn in JS from the seed, the same on every backend. */
  diffusion: 1e-4,
  /** λ_max every this many steps (a fixed schedule, not a time budget, so every backend measures the same steps). */
  measureEvery: 50,
  /** Lanczos relative residual: tight, so λ_max's own error is far below what is compared across backends. */
  tol: 1e-5,
} as const;

export const RUN_ID = 'sgld';

export interface SelfTest {
  /** Kramers' registry: every case agrees with finite differences on this backend. */
  readonly ok: boolean;
  readonly failures: readonly string[];
  /** Largest relative HVP error over the cases, with kramers' registry. */
  readonly maxRelError: number;
  /** Relative error ‖HVP − FD‖/‖FD‖ per case, with kramers' registry. */
  readonly relErrors: Readonly<Record<string, number>>;
  readonly cases: number;
  /** Cases stock tfjs gets wrong (or throws on) on this backend: what the registry fixes. */
  readonly stockFailures: readonly string[];
}

export interface ExperimentResult {
  /** λ_max at the final parameters. */
  readonly lambdaMax: number;
  /** Every λ_max measurement, in order (the last is at the final parameters). */
  readonly lambdaMaxSeries: ReadonlyArray<{ readonly iteration: number; readonly value: number }>;
  readonly steps: number;
  /** Mean training loss and accuracy of the last epoch (fit's logs). */
  readonly finalLoss: number;
  readonly accuracy: number;
  /** Final weights, as model.getWeights() lists them, for checking λ_max at exactly these parameters elsewhere. */
  readonly weights: number[][];
  readonly trainMs: number;
}

/** The registry's startup self-test on the active backend, and the same cases with stock tfjs gradients. */
export function secondOrderSelfTest(): SelfTest {
  const stock: SecondOrderProbe = probeSecondOrderSupport();
  const fixed: SecondOrderProbe = withSecondOrderGradients(() => probeSecondOrderSupport());
  const errors = Object.values(fixed.relErrors);
  return {
    ok: fixed.ok,
    failures: fixed.failures,
    maxRelError: Math.max(...errors.map((e) => (Number.isNaN(e) ? Infinity : e))),
    relErrors: fixed.relErrors,
    cases: errors.length,
    stockFailures: stock.failures,
  };
}

/** z-scored features (column mean and population standard deviation, in float64) in a seeded row order. */
function trainingData(): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const rows = IRIS_FEATURES.length;
  const cols = IRIS_FEATURES[0]!.length;
  const mean = new Array<number>(cols).fill(0);
  const std = new Array<number>(cols).fill(0);
  for (const r of IRIS_FEATURES) r.forEach((v, j) => (mean[j]! += v / rows));
  for (const r of IRIS_FEATURES) r.forEach((v, j) => (std[j]! += (v - mean[j]!) ** 2 / rows));
  // fit does not shuffle (it would use Math.random); one seeded permutation mixes the classes, sorted in the file.
  const order = permutation(rows, createRng(SETTINGS.seed));
  const x = new Float32Array(rows * cols);
  const labels = new Int32Array(rows);
  order.forEach((src, i) => {
    IRIS_FEATURES[src]!.forEach((v, j) => (x[i * cols + j] = (v - mean[j]!) / Math.sqrt(std[j]!)));
    labels[i] = IRIS_LABELS[src]!;
  });
  return tf.tidy(() => ({ x: tf.tensor2d(x, [rows, cols]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), IRIS_CLASSES) as tf.Tensor2D }));
}

function buildModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: SETTINGS.hidden, inputShape: [IRIS_FEATURES[0]!.length], activation: 'tanh' }),
      tf.layers.dense({ units: IRIS_CLASSES, activation: 'softmax' }),
    ],
  });
  return model;
}

/** The loss the probe measures is the one the model is compiled with. */
function compile(model: tf.LayersModel, optimizer: tf.Optimizer | 'sgd'): void {
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
}

/** Glorot-uniform kernels and zero biases from kramers' seeded generator: the same numbers on every backend. */
function initialWeights(model: tf.LayersModel): number[][] {
  const rng = createRng(SETTINGS.seed + 1);
  return model.getWeights().map((w) => {
    const n = w.size;
    if (w.shape.length === 1) return new Array<number>(n).fill(0);
    const limit = Math.sqrt(6 / (w.shape[0]! + w.shape[1]!));
    return Array.from({ length: n }, () => (2 * rng.next() - 1) * limit);
  });
}

function setWeights(model: tf.LayersModel, values: readonly number[][]): void {
  const tensors = model.getWeights().map((w, i) => tf.tensor(values[i]!, w.shape, 'float32'));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/**
 * Trains with kramers attached and returns what it measured. `onEvent` gets every kramers event as it is emitted, plus
 * the epoch's mean `train_loss` and `train_accuracy` from fit's logs (plugin 'fit'), for charts.
 */
export async function runExperiment(
  onEvent: (e: KramersEvent) => void = () => {},
  { epochs = SETTINGS.epochs }: { readonly epochs?: number } = {},
): Promise<ExperimentResult> {
  if (!(Number.isInteger(epochs) && epochs >= 1)) throw new RangeError(`epochs must be an integer ≥ 1, got ${String(epochs)}`);
  const { x, y } = trainingData();
  const model = buildModel();
  setWeights(model, initialWeights(model));
  const optimizer = instrument(new SGLD(SETTINGS.learningRate, SETTINGS.diffusion, SETTINGS.seed), {
    runId: RUN_ID,
    model,
    probe: { model, x, y },
    plugins: [basics(), sharpness({ schedule: every(SETTINGS.measureEvery), tol: SETTINGS.tol })],
  });
  const lambdaMaxSeries: Array<{ iteration: number; value: number }> = [];
  const subscription = optimizer.kramers.metric$.subscribe((e) => {
    if (e.kind === 'metric' && e.name === 'lambda_max' && typeof e.value === 'number') lambdaMaxSeries.push({ iteration: e.iteration, value: e.value });
    onEvent(e);
  });
  compile(model, optimizer);
  const epochLog = (name: string, value: number | undefined): void => {
    if (value === undefined) return;
    onEvent({ kind: 'metric', runId: RUN_ID, iteration: optimizer.kramers.iterations - 1, plugin: 'fit', name, value, wallTime: Date.now() });
  };
  try {
    const start = performance.now();
    const history = await model.fit(x, y, {
      epochs,
      batchSize: SETTINGS.batchSize,
      shuffle: false,
      verbose: 0,
      callbacks: {
        onEpochEnd: (_epoch, logs) => {
          epochLog('train_loss', logs?.['loss']);
          epochLog('train_accuracy', logs?.['acc']);
        },
      },
    });
    const trainMs = performance.now() - start;
    const last = optimizer.kramers.summary().metrics['sharpness/lambda_max'];
    if (last === undefined || typeof last.value !== 'number') throw new Error('the sharpness plugin measured nothing (see its plugin-error event)');
    const final = <T>(key: string): T => history.history[key]!.at(-1) as T;
    return {
      lambdaMax: last.value,
      lambdaMaxSeries,
      steps: optimizer.kramers.iterations,
      finalLoss: final<number>('loss'),
      accuracy: final<number>('acc'),
      weights: model.getWeights().map((w) => Array.from(w.dataSync())),
      trainMs,
    };
  } finally {
    optimizer.kramers.close();
    subscription.unsubscribe();
    optimizer.dispose(); // its cached −η scalar and iteration count are tensors the model does not own
    model.dispose();
    tf.dispose([x, y]);
  }
}

/** λ_max of the same loss at given weights (as runExperiment reports them), measured on the active backend. */
export function lambdaMaxAt(weights: readonly number[][]): number {
  const { x, y } = trainingData();
  const model = buildModel();
  try {
    setWeights(model, weights);
    compile(model, 'sgd'); // a model-owned optimizer, disposed with the model; it never steps
    const probe = createProbeContext({ model, x, y });
    return analyzeCurvature(probe, { topK: 1, minEigenvalue: false, tol: SETTINGS.tol, seed: SETTINGS.seed }).eigenvalues[0]!;
  } finally {
    model.dispose();
    tf.dispose([x, y]);
  }
}
