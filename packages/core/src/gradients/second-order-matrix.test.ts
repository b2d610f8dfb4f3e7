/**
 * The registry against independent references on small tf.layers models, f = loss(model(x)) on seeded data:
 * double-backprop HVPs vs Richardson-extrapolated float32 central differences of gradients, first-order gradients
 * with and without the install, and the stock registry shown wrong where the fix matters.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../rng.js';
import {
  flatValues,
  gradientOf,
  hvpByDoubleBackprop,
  hvpByFiniteDifference,
  relativeError,
  type ScalarLoss,
} from './hvp-reference.js';
import { installSecondOrderGradients } from './install.js';
import { softmaxCrossEntropy } from './log-softmax.js';

// Central difference with Richardson extrapolation over h = 0.1, 0.05, 0.025 along a unit v: the table cancels the
// h² and h⁴ terms (remaining error O(h⁶) ≈ 1e-6·|f⁽⁷⁾|), and h ≥ 0.025 keeps float32 rounding of the gradients,
// ≈ u·|∇f|/h with u = 6e-8, near 1e-5 relative. Plain central differences bottom out near 1e-4 in float32
// (reference/README.md: 1.2e-4 on wine-mlp), too coarse for a 1e-4 tolerance.
const FD = { step: 0.1, levels: 3 };
const TOL_HVP = 1e-4;
const TOL_FIRST_ORDER = 1e-6;

interface Built {
  vars: tf.Variable[];
  loss: ScalarLoss;
  /** Discrete state the loss is only piecewise smooth in (relu signs, maxPool argmaxes); must not change along ±FD.step·v. */
  pieces?: () => Int32Array;
  dispose(): void;
}
interface Case {
  name: string;
  /** conv2d filter gradients need Conv2DBackpropFilter, a kernel the wasm backend lacks (notes §C). */
  cpuOnly?: boolean;
  build(rng: Rng): Built;
}

const BATCH = 8;

function normal(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * rng.normal()), shape);
}
function uniform(rng: Rng, shape: number[], lo: number, hi: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next()), shape);
}
function oneHotLabels(rng: Rng, n: number, classes: number): tf.Tensor {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: n }, () => rng.int(classes)), 'int32'), classes));
}

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

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

function output(model: tf.LayersModel, x: tf.Tensor, index = 0): tf.Tensor {
  const out = model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out[index]! : out;
}

function signs(t: tf.Tensor): Int32Array {
  return Int32Array.from(t.dataSync(), (z) => Math.sign(z));
}

/** dense(4→6, act) → dense(6→3) → the replacement softmaxCrossEntropy; `kinks` guards sign changes at 0 (and 6). */
function activationCase(act: string, kinks = false): Case {
  return {
    name: `activation ${act}`,
    build(rng) {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [4], units: 6, activation: act as 'tanh' }),
          tf.layers.dense({ units: 3 }),
        ],
      });
      seedWeights(model, rng);
      const x = normal(rng, [BATCH, 4]);
      const y = oneHotLabels(rng, BATCH, 3);
      const vars = trainableVariables(model);
      const built: Built = {
        vars,
        loss: () => softmaxCrossEntropy(y, output(model, x)),
        dispose: () => {
          model.dispose();
          tf.dispose([x, y]);
        },
      };
      if (kinks) {
        built.pieces = () =>
          tf.tidy(() => {
            const z = tf.add(tf.matMul(x, vars[0]!), vars[1]!);
            const six = signs(tf.sub(z, 6));
            return Int32Array.from([...signs(z), ...six]);
          });
      }
      return built;
    },
  };
}

/** dense(4→6, tanh) → dense(6→units, outAct) → mean(lossFn(y, out)). */
function lossCase(
  name: string,
  outAct: string,
  units: number,
  lossFn: (y: tf.Tensor, p: tf.Tensor) => tf.Tensor,
  labels: (rng: Rng) => tf.Tensor,
  hidden = 'tanh',
): Case {
  return {
    name,
    build(rng) {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [4], units: 6, activation: hidden as 'tanh' }),
          tf.layers.dense({ units, activation: outAct as 'softmax' }),
        ],
      });
      seedWeights(model, rng);
      const x = normal(rng, [BATCH, 4]);
      const y = labels(rng);
      return {
        vars: trainableVariables(model),
        loss: () => tf.mean(lossFn(y, output(model, x))) as tf.Scalar,
        dispose: () => {
          model.dispose();
          tf.dispose([x, y]);
        },
      };
    },
  };
}

const batchNormCase: Case = {
  name: 'batchNormalization (inference) + tanh',
  build(rng) {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 6 }),
        tf.layers.batchNormalization(),
        tf.layers.activation({ activation: 'tanh' }),
        tf.layers.dense({ units: 3 }),
      ],
    });
    seedWeights(model, rng);
    const x = normal(rng, [BATCH, 4]);
    const y = oneHotLabels(rng, BATCH, 3);
    return {
      vars: trainableVariables(model),
      loss: () => softmaxCrossEntropy(y, output(model, x)),
      dispose: () => {
        model.dispose();
        tf.dispose([x, y]);
      },
    };
  },
};

const rnnCase: Case = {
  name: 'simpleRNN(tanh)',
  build(rng) {
    const model = tf.sequential({
      layers: [tf.layers.simpleRNN({ inputShape: [3, 2], units: 4, activation: 'tanh' }), tf.layers.dense({ units: 3 })],
    });
    seedWeights(model, rng);
    const x = normal(rng, [BATCH, 3, 2]);
    const y = oneHotLabels(rng, BATCH, 3);
    return {
      vars: trainableVariables(model),
      loss: () => softmaxCrossEntropy(y, output(model, x)),
      dispose: () => {
        model.dispose();
        tf.dispose([x, y]);
      },
    };
  },
};

/** conv2d(3×3, tanh) → pooling(2) → flatten → dense(3) → softmax CE; the conv output is a second model output so
 *  maxPool argmaxes can be guarded. */
function convCase(pool: 'max' | 'avg'): Case {
  return {
    name: `conv2d + ${pool}Pooling2d`,
    cpuOnly: true,
    build(rng) {
      const input = tf.input({ shape: [6, 6, 2] });
      const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'tanh' }).apply(input) as tf.SymbolicTensor;
      const pooled = (pool === 'max' ? tf.layers.maxPooling2d({ poolSize: 2 }) : tf.layers.averagePooling2d({ poolSize: 2 })).apply(
        conv,
      ) as tf.SymbolicTensor;
      const logits = tf.layers.dense({ units: 3 }).apply(tf.layers.flatten().apply(pooled)) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: [logits, conv] });
      seedWeights(model, rng);
      const x = normal(rng, [2, 6, 6, 2]);
      const y = oneHotLabels(rng, 2, 3);
      const built: Built = {
        vars: trainableVariables(model),
        loss: () => softmaxCrossEntropy(y, output(model, x, 0)),
        dispose: () => {
          model.dispose();
          tf.dispose([x, y]);
        },
      };
      if (pool === 'max') {
        built.pieces = () =>
          tf.tidy(() => {
            const { indexes } = tf.maxPoolWithArgmax(output(model, x, 1) as tf.Tensor4D, 2, 2, 'valid');
            return Int32Array.from(indexes!.dataSync());
          });
      }
      return built;
    },
  };
}

const categorical = (rng: Rng): tf.Tensor => oneHotLabels(rng, BATCH, 3);
const binary = (rng: Rng): tf.Tensor => tf.tensor(Float32Array.from({ length: BATCH * 2 }, () => rng.int(2)), [BATCH, 2]);
const regression = (rng: Rng): tf.Tensor => normal(rng, [BATCH, 2]);

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

function unitDirection(vars: readonly tf.Variable[], rng: Rng): tf.Tensor[] {
  return tf.tidy(() => {
    const raw = vars.map((x) => normal(rng, x.shape));
    const norm = Math.sqrt(raw.reduce((s, r) => s + tf.sum(tf.square(r)).dataSync()[0]!, 0));
    return raw.map((r) => tf.div(r, norm));
  });
}

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
    const v = unitDirection(built.vars, rng);
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

function tryHvp(f: ScalarLoss, vars: tf.Variable[], v: tf.Tensor[]): Float64Array | Error {
  try {
    const hv = hvpByDoubleBackprop(f, vars, v);
    const flat = flatValues(hv);
    tf.dispose(hv);
    return flat;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`second-order registry on ${backend}`, () => {
    const report: string[] = [];
    beforeAll(async () => {
      await tf.setBackend(backend);
      await tf.ready();
    });
    afterAll(() => {
      console.log(`[${backend}] case | HVP relErr vs FD | first-order relErr (install vs stock)\n${report.join('\n')}`);
    });

    for (const c of matrix) {
      it.skipIf(backend === 'wasm' && c.cpuOnly === true)(`${c.name}: HVP matches finite differences; gradient unchanged`, () => {
        const { built, v } = smoothSetup(c, 20240917);
        try {
          const stockGrad = flatValues(gradientOf(built.loss, built.vars));
          const uninstall = installSecondOrderGradients();
          let hvpErr: number;
          let gradErr: number;
          try {
            const fixedGrad = flatValues(gradientOf(built.loss, built.vars));
            gradErr = relativeError(fixedGrad, stockGrad);
            const fd = hvpByFiniteDifference(built.loss, built.vars, v, FD);
            const hv = tryHvp(built.loss, built.vars, v);
            if (hv instanceof Error) throw hv;
            hvpErr = relativeError(hv, fd);
          } finally {
            uninstall();
          }
          report.push(`${c.name} | ${hvpErr.toExponential(2)} | ${gradErr.toExponential(2)}`);
          expect(gradErr).toBeLessThanOrEqual(TOL_FIRST_ORDER);
          expect(hvpErr).toBeLessThanOrEqual(TOL_HVP);
        } finally {
          built.dispose();
          tf.dispose(v);
        }
      });
    }
  });
}
