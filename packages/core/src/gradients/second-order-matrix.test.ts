/**
 * The registry against independent references on small tf.layers models, f = loss(model(x)) on seeded data:
 * double-backprop HVPs vs Richardson-extrapolated float32 central differences of gradients, and first-order
 * gradients against stock tfjs: bit for bit with everything but the BatchMatMul rewrite, and within its measured
 * rounding bound with it.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import {
  createRng,
  describeOnBackends,
  firstDifference,
  flatGradient,
  hvpErrorVsFiniteDifferences,
  installSecondOrderGradients,
  installWithoutBatchMatMul,
  MATMUL_FIRST_ORDER_BOUND,
  maxDifferenceRelative,
  normal,
  oneHotLabels,
  under,
  uniform,
  unitDirection,
  FD,
  TOL_HVP,
  type Rng,
  type ScalarLoss,
} from '../../test/support/second-order.js';
import { softmaxCrossEntropy } from './log-softmax.js';

interface Built {
  vars: tf.Variable[];
  loss: ScalarLoss;
  /** Discrete state the loss is only piecewise smooth in (relu signs, maxPool argmaxes); must not change along ±FD.step·v. */
  pieces?: () => Int32Array;
  dispose(): void;
}
interface Case {
  name: string;
  /** conv2d filter gradients need Conv2DBackpropFilter, a kernel the wasm backend of tfjs 4.22 lacks. */
  cpuOnly?: boolean;
  build(rng: Rng): Built;
}

const BATCH = 8;

/** Seeded weights for every layer variable (trainable or not), by role. */
function seedWeights(model: tf.LayersModel, rng: Rng): void {
  const values = model.weights.map((w) => {
    const role = w.originalName.split('/').pop() ?? '';
    const shape = w.shape as number[];
    if (role.includes('kernel')) {
      const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      return uniform(rng, shape, -Math.sqrt(3 / fanIn) * 1.3, Math.sqrt(3 / fanIn) * 1.3);
    }
    if (role === 'gamma') return uniform(rng, shape, 0.8, 1.2);
    if (role === 'moving_variance') return uniform(rng, shape, 0.5, 1.5);
    return uniform(rng, shape, -0.3, 0.3); // bias, beta, moving_mean
  });
  model.setWeights(values);
  tf.dispose(values);
}

function output(model: tf.LayersModel, x: tf.Tensor, index = 0): tf.Tensor {
  const out = model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out[index]! : out;
}

function signs(t: tf.Tensor): Int32Array {
  return Int32Array.from(t.dataSync(), (z) => Math.sign(z));
}

const categorical = (rng: Rng): tf.Tensor => oneHotLabels(rng, BATCH, 3);
const binary = (rng: Rng): tf.Tensor => tf.tensor(Float32Array.from({ length: BATCH * 2 }, () => rng.int(2)), [BATCH, 2]);
const regression = (rng: Rng): tf.Tensor => normal(rng, [BATCH, 2]);

interface ModelSpec {
  model(): tf.LayersModel;
  /** Shape of the seeded input x. */
  input: number[];
  labels?: (rng: Rng) => tf.Tensor;
  /** Default: the replacement softmaxCrossEntropy on the model's (first) output. */
  loss?: (y: tf.Tensor, out: tf.Tensor) => tf.Scalar;
  pieces?: (model: tf.LayersModel, x: tf.Tensor, vars: readonly tf.Variable[]) => Int32Array;
  cpuOnly?: boolean;
}

/** A model with seeded weights on a seeded batch (weights, then x, then y from one stream). */
function modelCase(name: string, spec: ModelSpec): Case {
  return {
    name,
    ...(spec.cpuOnly ? { cpuOnly: true } : {}),
    build(rng) {
      const model = spec.model();
      seedWeights(model, rng);
      const x = normal(rng, spec.input);
      const y = (spec.labels ?? categorical)(rng);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const loss = spec.loss ?? softmaxCrossEntropy;
      const built: Built = {
        vars,
        loss: () => loss(y, output(model, x)),
        dispose: () => {
          model.dispose();
          tf.dispose([x, y]);
        },
      };
      const pieces = spec.pieces;
      if (pieces) built.pieces = () => pieces(model, x, vars);
      return built;
    },
  };
}

/** dense(4→6, act) → dense(6→3) → the replacement softmaxCrossEntropy; `kinks` guards sign changes at 0 (and 6). */
function activationCase(act: string, kinks = false): Case {
  return modelCase(`activation ${act}`, {
    model: () =>
      tf.sequential({
        layers: [tf.layers.dense({ inputShape: [4], units: 6, activation: act as 'tanh' }), tf.layers.dense({ units: 3 })],
      }),
    input: [BATCH, 4],
    ...(kinks
      ? {
          pieces: (_model, x, vars) =>
            tf.tidy(() => {
              const z = tf.add(tf.matMul(x, vars[0]!), vars[1]!);
              return Int32Array.from([...signs(z), ...signs(tf.sub(z, 6))]);
            }),
        }
      : {}),
  });
}

/** dense(4→6, tanh) → dense(6→units, outAct) → mean(lossFn(y, out)). */
function lossCase(
  name: string,
  outAct: string,
  units: number,
  lossFn: (y: tf.Tensor, p: tf.Tensor) => tf.Tensor,
  labels: (rng: Rng) => tf.Tensor,
): Case {
  return modelCase(name, {
    model: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [4], units: 6, activation: 'tanh' }),
          tf.layers.dense({ units, activation: outAct as 'softmax' }),
        ],
      }),
    input: [BATCH, 4],
    labels,
    loss: (y, out) => tf.mean(lossFn(y, out)) as tf.Scalar,
  });
}

const batchNormCase = modelCase('batchNormalization (inference) + tanh', {
  model: () =>
    tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 6 }),
        tf.layers.batchNormalization(),
        tf.layers.activation({ activation: 'tanh' }),
        tf.layers.dense({ units: 3 }),
      ],
    }),
  input: [BATCH, 4],
});

const rnnCase = modelCase('simpleRNN(tanh)', {
  model: () =>
    tf.sequential({
      layers: [tf.layers.simpleRNN({ inputShape: [3, 2], units: 4, activation: 'tanh' }), tf.layers.dense({ units: 3 })],
    }),
  input: [BATCH, 3, 2],
});

/** conv2d(3×3, tanh) → pooling(2) → flatten → dense(3) → softmax CE; the conv output is a second model output so
 *  maxPool argmaxes can be guarded. */
function convCase(pool: 'max' | 'avg'): Case {
  return modelCase(`conv2d + ${pool}Pooling2d`, {
    cpuOnly: true,
    model: () => {
      const input = tf.input({ shape: [6, 6, 2] });
      const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'tanh' }).apply(input) as tf.SymbolicTensor;
      const pooling = pool === 'max' ? tf.layers.maxPooling2d({ poolSize: 2 }) : tf.layers.averagePooling2d({ poolSize: 2 });
      const pooled = pooling.apply(conv) as tf.SymbolicTensor;
      const logits = tf.layers.dense({ units: 3 }).apply(tf.layers.flatten().apply(pooled)) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: [logits, conv] });
    },
    input: [2, 6, 6, 2],
    labels: (rng) => oneHotLabels(rng, 2, 3),
    ...(pool === 'max'
      ? {
          pieces: (model, x) =>
            tf.tidy(() => {
              const { indexes } = tf.maxPoolWithArgmax(output(model, x, 1) as tf.Tensor4D, 2, 2, 'valid');
              return Int32Array.from(indexes!.dataSync());
            }),
        }
      : {}),
  });
}

const matrix: readonly Case[] = [
  activationCase('linear'),
  activationCase('relu', true),
  activationCase('tanh'),
  activationCase('sigmoid'),
  activationCase('elu', true),
  activationCase('selu', true),
  activationCase('softplus'),
  activationCase('softsign', true),
  activationCase('swish'),
  activationCase('gelu'),
  activationCase('gelu_new'),
  activationCase('mish'),
  lossCase('layers categoricalCrossentropy (softmax)', 'softmax', 3, tf.metrics.categoricalCrossentropy, categorical),
  lossCase('layers binaryCrossentropy (sigmoid)', 'sigmoid', 2, tf.metrics.binaryCrossentropy, binary),
  lossCase('layers meanSquaredError (linear)', 'linear', 2, tf.metrics.meanSquaredError, regression),
  lossCase('layers meanSquaredError (softmax)', 'softmax', 3, tf.metrics.meanSquaredError, categorical),
  batchNormCase,
  rnnCase,
  convCase('max'),
  convCase('avg'),
];

function shifted<T>(vars: readonly tf.Variable[], v: readonly tf.Tensor[], h: number, fn: () => T): T {
  const saved = vars.map((x) => tf.keep(x.clone()));
  try {
    tf.tidy(() => vars.forEach((x, i) => x.assign(tf.add(saved[i]!, tf.mul(v[i]!, h)))));
    return fn();
  } finally {
    vars.forEach((x, i) => x.assign(saved[i]!));
    tf.dispose(saved);
  }
}

const same = (a: Int32Array, b: Int32Array): boolean => a.length === b.length && a.every((z, i) => z === b[i]);

/** A seeded point and unit direction along which the loss is smooth over the whole finite-difference segment. */
function smoothSetup(c: Case, seed: number): { built: Built; v: tf.Tensor[]; tries: number } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const rng = createRng(seed).fork(`${c.name}#${attempt}`);
    const built = c.build(rng);
    const v = unitDirection(rng, built.vars);
    const pieces = built.pieces;
    if (pieces == null) return { built, v, tries: attempt + 1 };
    const at = pieces();
    if (same(at, shifted(built.vars, v, FD.step, pieces)) && same(at, shifted(built.vars, v, -FD.step, pieces))) {
      return { built, v, tries: attempt + 1 };
    }
    built.dispose();
    tf.dispose(v);
  }
  throw new Error(`${c.name}: no kink-free finite-difference segment in 20 seeded draws`);
}

describeOnBackends(
  (backend) => `second-order registry on ${backend}`,
  (backend, report) => {
    report.push('case | HVP relErr vs FD | first-order max |Δ|/max |g| with the BatchMatMul rewrite');
    for (const c of matrix) {
      it.skipIf(backend === 'wasm' && c.cpuOnly === true)(
        `${c.name}: HVP matches finite differences; first-order gradient identical to stock`,
        () => {
          const { built, v } = smoothSetup(c, 20240917);
          try {
            const gradient = (): Float32Array => flatGradient(built.loss, built.vars);
            const stock = gradient();
            const withoutMatMul = under(installWithoutBatchMatMul, gradient);
            const { full, hvpErr } = under(installSecondOrderGradients, () => ({
              full: gradient(),
              hvpErr: hvpErrorVsFiniteDifferences(built.loss, built.vars, v),
            }));
            const matMulDiff = maxDifferenceRelative(full, stock);
            report.push(`${c.name} | ${hvpErr.toExponential(2)} | ${matMulDiff.toExponential(2)}`);
            expect(firstDifference(withoutMatMul, stock)).toBeNull();
            expect(matMulDiff).toBeLessThanOrEqual(MATMUL_FIRST_ORDER_BOUND[backend]);
            expect(hvpErr).toBeLessThanOrEqual(TOL_HVP);
          } finally {
            built.dispose();
            tf.dispose(v);
          }
        },
      );
    }
  },
);
