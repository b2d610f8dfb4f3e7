/**
 * The probe measures the loss the model is compiled with. For every built-in loss, H·v and the top eigenvalues of the
 * probe (tfjs, float32, double backprop under the scoped registry) are checked against an independent float64
 * reference of the same network (test/support/float64-mlp.ts: exact forward-over-reverse HVPs and a Jacobi
 * eigensolver), on both backends; and for a linear model under MSE against the closed form H = 2/N·ΦᵀΦ.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbeContext, createRng, useBackend, type ProbeLossName } from '@kramers/core';
import { analyzeCurvature, makeHvp } from '@kramers/hvp-estimator';
import { Float64Mlp, jacobiEigen, mlpFromLayersModel, type LossKind } from '../../../test/support/float64-mlp.js';
import { relativeError, relErr } from '../../../test/support/numeric.js';

const ROWS = 24;
const FEATURES = 4;

interface Case {
  readonly loss: ProbeLossName;
  readonly reference: LossKind;
  readonly output: 'softmax' | 'sigmoid' | 'linear';
  readonly units: number;
  /** Targets for tfjs, and their float64 form for the reference (one-hot where the reference needs it). */
  targets(rng: ReturnType<typeof createRng>): { tfjs: tf.Tensor; f64: Float64Array };
  readonly l2?: number;
}

const classes = (rng: ReturnType<typeof createRng>, k: number) => Array.from({ length: ROWS }, () => rng.int(k));
const oneHot = (labels: number[], k: number) => {
  const out = new Float64Array(labels.length * k);
  labels.forEach((c, r) => (out[r * k + c] = 1));
  return out;
};
const reals = (rng: ReturnType<typeof createRng>, units: number) =>
  Float64Array.from({ length: ROWS * units }, () => Math.fround(rng.normal()));

const CASES: readonly Case[] = [
  {
    loss: 'categoricalCrossentropy', reference: 'categoricalCrossentropy', output: 'softmax', units: 3,
    targets: (rng) => {
      const y = oneHot(classes(rng, 3), 3);
      return { tfjs: tf.tensor2d(Float32Array.from(y), [ROWS, 3]), f64: y };
    },
  },
  {
    loss: 'sparseCategoricalCrossentropy', reference: 'categoricalCrossentropy', output: 'softmax', units: 3,
    targets: (rng) => {
      const labels = classes(rng, 3);
      return { tfjs: tf.tensor1d(labels, 'float32'), f64: oneHot(labels, 3) };
    },
  },
  {
    loss: 'binaryCrossentropy', reference: 'binaryCrossentropy', output: 'sigmoid', units: 1,
    targets: (rng) => {
      const y = Float64Array.from(classes(rng, 2));
      return { tfjs: tf.tensor2d(Float32Array.from(y), [ROWS, 1]), f64: y };
    },
  },
  {
    loss: 'meanSquaredError', reference: 'meanSquaredError', output: 'linear', units: 2,
    targets: (rng) => {
      const y = reals(rng, 2);
      return { tfjs: tf.tensor2d(Float32Array.from(y), [ROWS, 2]), f64: y };
    },
  },
  {
    loss: 'meanSquaredError', reference: 'meanSquaredError', output: 'linear', units: 2, l2: 0.01,
    targets: (rng) => {
      const y = reals(rng, 2);
      return { tfjs: tf.tensor2d(Float32Array.from(y), [ROWS, 2]), f64: y };
    },
  },
  {
    loss: 'meanAbsoluteError', reference: 'meanAbsoluteError', output: 'linear', units: 2,
    targets: (rng) => {
      const y = reals(rng, 2);
      return { tfjs: tf.tensor2d(Float32Array.from(y), [ROWS, 2]), f64: y };
    },
  },
  {
    loss: 'huber', reference: 'huber', output: 'linear', units: 2,
    targets: (rng) => {
      const y = reals(rng, 2);
      return { tfjs: tf.tensor2d(Float32Array.from(y), [ROWS, 2]), f64: y };
    },
  },
];

function smoothModel(c: Case, seed: number): tf.Sequential {
  const regularizer = c.l2 === undefined ? {} : { kernelRegularizer: tf.regularizers.l2({ l2: c.l2 }) };
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 5, inputShape: [FEATURES], activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 1, stddev: 0.3 }), ...regularizer }),
      tf.layers.dense({ units: c.units, activation: c.output, kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 2 }), ...regularizer }),
    ],
  });
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`probe loss follows the compiled model (${backend})`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    for (const [i, c] of CASES.entries()) {
      it(`${c.loss}${c.l2 ? ' + L2' : ''}: H·v and the top 3 eigenvalues of the compiled loss match float64`, () => {
        const rng = createRng(100 + i);
        const x64 = Float64Array.from({ length: ROWS * FEATURES }, () => Math.fround(rng.normal()));
        const { tfjs: y, f64: y64 } = c.targets(rng);
        const x = tf.tensor2d(Float32Array.from(x64), [ROWS, FEATURES]);
        const model = smoothModel(c, 7 + i);
        model.compile({ optimizer: 'sgd', loss: c.loss === 'huber' ? tf.losses.huberLoss : c.loss });
        try {
          const probe = createProbeContext({ model, x, y });
          const info = probe.lossInfo();
          expect(info.source).toBe('compiled model');
          if (c.loss !== 'huber') expect(info.name).toBe(c.loss);
          const { spec, theta } = mlpFromLayersModel(model, c.reference, c.l2 === undefined ? {} : { l2: c.l2 });
          const ref = new Float64Mlp(spec, { x: x64, y: y64, rows: ROWS });
          expect(relErr(probe.loss(), ref.loss(theta))).toBeLessThan(2e-6);
          const v = Float64Array.from({ length: probe.size }, (_, j) => Math.sin(j + 1));
          const hv = makeHvp(probe).apply(v);
          const hvErr = relativeError(hv, ref.hvp(theta, v));
          const eig = jacobiEigen(ref.hessian(theta), probe.size).values;
          const top = Array.from(eig).reverse().slice(0, 3);
          const r = analyzeCurvature(probe, { topK: 3, minEigenvalue: false, tol: 1e-6 });
          const eigErr = Math.max(...r.eigenvalues.map((mu, k) => Math.abs(mu - top[k]!) / Math.abs(top[0]!)));
          console.log(`[probe-losses ${backend}] ${c.loss}${c.l2 ? '+L2' : ''}: λ ${top.map((t) => t.toPrecision(4)).join(', ')}; H·v relErr ${hvErr.toExponential(1)}, top-3 relErr ${eigErr.toExponential(1)}`);
          expect(hvErr).toBeLessThan(1e-6); // measured ≤ 3.1e-7 (wasm and cpu)
          expect(eigErr).toBeLessThan(5e-7); // measured ≤ 9.5e-8
        } finally {
          tf.dispose([x, y]);
          model.dispose();
        }
      });
    }

    it('linear model under MSE: the spectrum is that of 2/N·ΦᵀΦ, Φ = [x, 1]', () => {
      const rng = createRng(5);
      const d = 3;
      const x64 = Float64Array.from({ length: ROWS * d }, () => Math.fround(rng.normal() * (1 + rng.next())));
      const x = tf.tensor2d(Float32Array.from(x64), [ROWS, d]);
      const y = tf.tensor2d(Float32Array.from({ length: ROWS }, () => rng.normal()), [ROWS, 1]);
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [d] })] });
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      try {
        // Closed form in float64: H = (2/N) ΦᵀΦ over the flat order [w (d), b].
        const n = d + 1;
        const H = new Float64Array(n * n);
        for (let r = 0; r < ROWS; r++) {
          const phi = [...Array.from(x64.subarray(r * d, (r + 1) * d)), 1];
          for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) H[a * n + b] += (2 / ROWS) * phi[a]! * phi[b]!;
        }
        const exact = Array.from(jacobiEigen(H, n).values).reverse();
        const r = analyzeCurvature(createProbeContext({ model, x, y }), { topK: n, minEigenvalue: false, tol: 1e-7 });
        r.eigenvalues.forEach((mu, k) => expect(relErr(mu, exact[k]!)).toBeLessThan(2e-6));
      } finally {
        tf.dispose([x, y]);
        model.dispose();
      }
    });
  });
}

describe('probe batches are checked against the model', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  const tensors: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (tensors.push(t), t);
  afterAll(() => tf.dispose(tensors));

  it('names both shapes and the fix instead of broadcasting silently', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: 'softmax' })] });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const x = keep(tf.zeros([16, 4]));
    expect(() => createProbeContext({ model, x, y: keep(tf.zeros([16, 1])) })).toThrow(
      /probe\.y: shape \[16, 1\] does not match the model's output .* of shape \[null, 3\] under categoricalCrossentropy; targets must have the output's shape; integer class labels need one-hot encoding \(tf\.oneHot\) or loss 'sparseCategoricalCrossentropy'/,
    );
    expect(() => createProbeContext({ model, x: keep(tf.zeros([16, 5])), y: keep(tf.zeros([16, 3])) })).toThrow(
      /probe\.x: shape \[16, 5\] does not fit the model's input .* of shape \[null, 4\]/,
    );
    expect(() => createProbeContext({ model, x, y: keep(tf.zeros([15, 3])) })).toThrow(/probe\.y: has 15 rows but probe\.x has 16/);
    // sparse labels are a column; a one-hot matrix is not
    expect(() => createProbeContext({ model, x, y: keep(tf.zeros([16])), loss: 'sparseCategoricalCrossentropy' })).not.toThrow();
    expect(() => createProbeContext({ model, x, y: keep(tf.zeros([16, 3])), loss: 'sparseCategoricalCrossentropy' })).toThrow(
      /not a column of class labels for sparseCategoricalCrossentropy/,
    );
    expect(() => createProbeContext({ model, x, y: keep(tf.zeros([16, 3])), loss: 'hinge' as never })).toThrow(
      /probe\.loss: invalid config\n {2}- unknown loss "hinge"; use one of categoricalCrossentropy, .*huber, or pass a function/,
    );
    model.dispose();
  });
});
