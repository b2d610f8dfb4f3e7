/**
 * The float64 reference judged before it judges anything: against the PyTorch float64 values stored with the
 * reference models, against central differences of its own loss and gradient for every activation and loss it
 * offers, against tfjs for the loss conventions, and its Jacobi solver against matrices of known spectrum.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, type Rng } from '@kramers/core';
import {
  Float64Mlp,
  jacobiEigen,
  mlpFromLayersModel,
  type Activation,
  type Batch,
  type LossKind,
  type MlpSpec,
} from './float64-mlp.js';
import { absCosine, relativeError, relErr } from './numeric.js';
import { loadReferenceModel, readReference, referenceBatch, REFERENCE_CASES } from './reference-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe.each(REFERENCE_CASES)('%s against the stored PyTorch float64 values', (name) => {
  const ref = readReference(name);
  let mlp: Float64Mlp;
  let theta: Float64Array;
  beforeAll(async () => {
    const model = await loadReferenceModel(name);
    const loaded = mlpFromLayersModel(model, 'categoricalCrossentropy');
    model.dispose();
    mlp = new Float64Mlp(loaded.spec, referenceBatch(name));
    theta = loaded.theta;
  });

  it('loss, gradient and H·v', () => {
    expect(mlp.size).toBe(ref.n);
    const { loss, gradient } = mlp.lossAndGradient(theta);
    const lossErr = relErr(loss, ref.loss);
    const gradErr = relativeError(gradient, ref.gradient);
    const hvErr = relativeError(mlp.hvp(theta, ref.hvp.v), ref.hvp.Hv);
    console.log(
      `[float64] ${name}: loss ${lossErr.toExponential(2)}, gradient ${gradErr.toExponential(2)}, H·v ${hvErr.toExponential(2)}`,
    );
    expect(lossErr).toBeLessThan(1e-14);
    expect(gradErr).toBeLessThan(1e-13);
    expect(hvErr).toBeLessThan(1e-13);
  });

  it('full Hessian: every eigenvalue, the trace and the top eigenvector', () => {
    const n = mlp.size;
    const h = mlp.hessian(theta);
    const { values, vectors } = jacobiEigen(h, n, { vectors: true });
    const desc = Array.from(values).reverse();
    const scale = ref.hessian_eigenvalues[0]!;
    const maxAbs = Math.max(...desc.map((l, i) => Math.abs(l - ref.hessian_eigenvalues[i]!)));
    const top5 = Math.max(...ref.top5_eigenvalues.map((l, i) => Math.abs(desc[i]! - l) / l));
    let trace = 0;
    for (let i = 0; i < n; i++) trace += h[i * n + i]!;
    const cos = absCosine(vectors[n - 1]!, ref.top_eigenvector);
    console.log(
      `[float64] ${name}: max |Δλ| ${maxAbs.toExponential(2)} (λ_max ${scale.toFixed(4)}), top-5 rel ${top5.toExponential(2)}, ` +
        `trace ${relErr(trace, ref.hessian_trace).toExponential(2)}, |1 − |cos|| ${Math.abs(1 - cos).toExponential(2)}`,
    );
    expect(maxAbs).toBeLessThan(1e-14 * scale);
    expect(top5).toBeLessThan(1e-13);
    expect(Math.abs(trace - ref.hessian_trace)).toBeLessThan(1e-14 * Math.abs(ref.hessian_trace));
    expect(Math.abs(1 - cos)).toBeLessThan(5e-13);
  });
});

/** Seeded dense model and data for the finite-difference checks; targets suit the loss. */
function smallProblem(rng: Rng, layers: Array<[number, Activation]>, inputs: number, loss: LossKind, rows = 12, l2?: number) {
  const spec: MlpSpec = {
    layers: layers.map(([units, activation], l) => ({ inputs: l === 0 ? inputs : layers[l - 1]![0], units, activation, bias: true })),
    loss,
    ...(l2 === undefined ? {} : { l2 }),
  };
  const k = layers[layers.length - 1]![0];
  const x = Float64Array.from({ length: rows * inputs }, () => Math.fround(rng.normal()));
  const y = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    if (loss === 'categoricalCrossentropy') y[r * k + rng.int(k)] = 1;
    else for (let j = 0; j < k; j++) y[r * k + j] = loss === 'binaryCrossentropy' ? rng.int(2) : Math.fround(1.5 * rng.normal());
  }
  const batch: Batch = { x, y, rows };
  const mlp = new Float64Mlp(spec, batch);
  const theta = Float64Array.from({ length: mlp.size }, () => 0.7 * rng.normal());
  return { spec, batch, mlp, theta };
}

const smoothCases: Array<{ name: string; layers: Array<[number, Activation]>; loss: LossKind; l2?: number }> = [
  { name: 'tanh → softmax, categorical cross-entropy', layers: [[5, 'tanh'], [3, 'softmax']], loss: 'categoricalCrossentropy' },
  {
    name: 'sigmoid → softmax → softmax, categorical cross-entropy',
    layers: [[5, 'sigmoid'], [4, 'softmax'], [3, 'softmax']],
    loss: 'categoricalCrossentropy',
  },
  { name: 'tanh → linear, MSE', layers: [[5, 'tanh'], [2, 'linear']], loss: 'meanSquaredError' },
  { name: 'sigmoid → softmax, MSE', layers: [[5, 'sigmoid'], [3, 'softmax']], loss: 'meanSquaredError' },
  { name: 'tanh → sigmoid, binary cross-entropy', layers: [[5, 'tanh'], [2, 'sigmoid']], loss: 'binaryCrossentropy' },
  { name: 'relu → tanh → linear, MAE', layers: [[6, 'relu'], [4, 'tanh'], [2, 'linear']], loss: 'meanAbsoluteError' },
  { name: 'tanh → linear, Huber', layers: [[5, 'tanh'], [2, 'linear']], loss: 'huber' },
  {
    name: 'relu → softmax, categorical cross-entropy + L2',
    layers: [[6, 'relu'], [3, 'softmax']],
    loss: 'categoricalCrossentropy',
    l2: 0.03,
  },
];

describe('exact derivatives against central differences (ε = 1e-5, seeded, no kink within ±ε)', () => {
  it.each(smoothCases)('$name', ({ layers, loss, l2 }) => {
    const rng = createRng(17).fork(loss + layers.length);
    const { mlp, theta } = smallProblem(rng, layers, 4, loss, 12, l2);
    const n = mlp.size;
    const eps = 1e-5;
    const { gradient } = mlp.lossAndGradient(theta);
    const shifted = (i: number, h: number) => {
      const t = Float64Array.from(theta);
      t[i]! += h;
      return t;
    };
    const fdGrad = Float64Array.from({ length: n }, (_, i) => (mlp.loss(shifted(i, eps)) - mlp.loss(shifted(i, -eps))) / (2 * eps));
    const v = Float64Array.from({ length: n }, () => rng.normal());
    const along = (h: number) => theta.map((t, i) => t + h * v[i]!);
    const gPlus = mlp.lossAndGradient(along(eps)).gradient;
    const gMinus = mlp.lossAndGradient(along(-eps)).gradient;
    const fdHv = gPlus.map((g, i) => (g - gMinus[i]!) / (2 * eps));
    const hv = mlp.hvp(theta, v);
    // Forward-over-reverse builds each column on its own, so a wrong cross term shows as asymmetry.
    const cols = Array.from({ length: n }, (_, j) => mlp.hvp(theta, Float64Array.from({ length: n }, (_, i) => (i === j ? 1 : 0))));
    let asym = 0;
    let norm = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        asym = Math.max(asym, Math.abs(cols[j]![i]! - cols[i]![j]!));
        norm = Math.max(norm, Math.abs(cols[j]![i]!));
      }
    }
    const gErr = relativeError(gradient, fdGrad);
    const hErr = relativeError(hv, fdHv);
    console.log(
      `[float64] ${loss} ${layers.map((l) => l[1]).join('→')}: gradient ${gErr.toExponential(2)}, ` +
        `H·v ${hErr.toExponential(2)}, asymmetry ${(asym / norm).toExponential(2)}`,
    );
    expect(gErr).toBeLessThan(1e-8);
    expect(hErr).toBeLessThan(1e-8);
    expect(asym / norm).toBeLessThan(1e-14);
  });

  it('MAE on a linear model has a zero Hessian (|e| is piecewise linear)', () => {
    const rng = createRng(3);
    const { mlp, theta } = smallProblem(rng, [[2, 'linear']], 3, 'meanAbsoluteError');
    const hv = mlp.hvp(theta, Float64Array.from({ length: mlp.size }, () => rng.normal()));
    expect(Math.max(...hv.map(Math.abs))).toBe(0);
  });

  it('MSE on a linear model has the closed-form Hessian 2/(m·k)·(ΦᵀΦ ⊗ I) with Φ = [x, 1]', () => {
    const rng = createRng(4);
    const m = 12;
    const d = 3;
    const k = 2;
    const { mlp, theta, batch } = smallProblem(rng, [[k, 'linear']], d, 'meanSquaredError', m);
    const h = mlp.hessian(theta);
    const n = mlp.size;
    // parameter index: kernel (i, j) at i·k + j, bias j at d·k + j; feature i of row r is x[r, i], feature d is 1
    const index = (i: number, j: number) => (i < d ? i * k + j : d * k + j);
    const phi = (r: number, i: number) => (i < d ? batch.x[r * d + i]! : 1);
    let maxErr = 0;
    for (let i1 = 0; i1 <= d; i1++) {
      for (let i2 = 0; i2 <= d; i2++) {
        let g = 0;
        for (let r = 0; r < m; r++) g += phi(r, i1) * phi(r, i2);
        for (let j1 = 0; j1 < k; j1++) {
          for (let j2 = 0; j2 < k; j2++) {
            const want = j1 === j2 ? (2 * g) / (m * k) : 0;
            maxErr = Math.max(maxErr, Math.abs(h[index(i1, j1) * n + index(i2, j2)]! - want));
          }
        }
      }
    }
    expect(maxErr).toBeLessThan(1e-14);
  });
});

describe('loss and gradient conventions are tfjs’s (float32 tolerance)', () => {
  const tfLoss: Record<LossKind, (y: tf.Tensor, p: tf.Tensor) => tf.Scalar> = {
    categoricalCrossentropy: (y, p) => tf.mean(tf.metrics.categoricalCrossentropy(y, p)),
    meanSquaredError: (y, p) => tf.mean(tf.metrics.meanSquaredError(y, p)),
    binaryCrossentropy: (y, p) => tf.mean(tf.metrics.binaryCrossentropy(y, p)),
    meanAbsoluteError: (y, p) => tf.mean(tf.metrics.meanAbsoluteError(y, p)),
    huber: (y, p) => tf.losses.huberLoss(y, p) as tf.Scalar,
  };
  const models: Array<{ layers: Array<[number, Activation]>; loss: LossKind; l2?: number }> = [
    { layers: [[6, 'tanh'], [3, 'softmax']], loss: 'categoricalCrossentropy', l2: 0.01 },
    { layers: [[6, 'relu'], [2, 'linear']], loss: 'meanSquaredError' },
    { layers: [[6, 'sigmoid'], [2, 'sigmoid']], loss: 'binaryCrossentropy' },
    { layers: [[6, 'tanh'], [2, 'linear']], loss: 'meanAbsoluteError' },
    { layers: [[6, 'tanh'], [2, 'linear']], loss: 'huber' },
  ];
  const built: tf.LayersModel[] = [];
  afterAll(() => built.forEach((m) => m.dispose()));

  it.each(models)('$loss: mlpFromLayersModel reads the architecture, loss and gradient agree with tfjs', ({ layers, loss, l2 }) => {
    const rng = createRng(5).fork(loss);
    const { batch } = smallProblem(rng, layers, 4, loss, 16);
    const model = tf.sequential({
      layers: layers.map(([units, activation], l) =>
        tf.layers.dense({
          units,
          activation,
          ...(l === 0 ? { inputShape: [4] } : {}),
          ...(l2 === undefined ? {} : { kernelRegularizer: tf.regularizers.l2({ l2 }) }),
          kernelInitializer: tf.initializers.glorotNormal({ seed: 7 + l }),
          biasInitializer: tf.initializers.randomNormal({ seed: 9 + l, stddev: 0.3 }),
        }),
      ),
    });
    built.push(model);
    const { spec, theta } = mlpFromLayersModel(model, loss, l2 === undefined ? {} : { l2 });
    const mlp = new Float64Mlp(spec, batch);
    const x = tf.tensor2d(Float32Array.from(batch.x), [batch.rows, 4]);
    const y = tf.tensor2d(Float32Array.from(batch.y), [batch.rows, layers[layers.length - 1]![0]]);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const f = () =>
      tf.tidy(() => {
        const data = tfLoss[loss](y, model.apply(x) as tf.Tensor);
        // the regularizers tfjs-layers adds to the training loss (training.js: this.calculateLosses())
        const penalty = (model as unknown as { calculateLosses(): tf.Scalar[] }).calculateLosses();
        return penalty.length > 0 ? (tf.addN([data, ...penalty]) as tf.Scalar) : data;
      });
    const { value, grads } = tf.variableGrads(f, vars);
    const tfGrad = Float64Array.from(vars.flatMap((v) => Array.from(grads[v.name]!.dataSync())));
    const ours = mlp.lossAndGradient(theta);
    const lossErr = relErr(value.dataSync()[0]!, ours.loss);
    const gradErr = relativeError(tfGrad, ours.gradient);
    tf.dispose([x, y, value, ...Object.values(grads)]);
    console.log(`[float64] ${loss} vs tfjs: loss ${lossErr.toExponential(2)}, gradient ${gradErr.toExponential(2)}`);
    expect(lossErr).toBeLessThan(3e-7);
    expect(gradErr).toBeLessThan(1e-6);
  });
});

describe('jacobiEigen', () => {
  it('recovers a prescribed spectrum (repeated and negative eigenvalues included) with orthonormal vectors', () => {
    const rng = createRng(8);
    const n = 60;
    const spectrum = Array.from({ length: n }, (_, i) => (i < 5 ? 2 : i < 10 ? -1 : 10 * rng.normal()));
    // A = Q diag(λ) Qᵀ, Q from Householder reflections of random vectors
    const q = new Float64Array(n * n);
    for (let i = 0; i < n; i++) q[i * n + i] = 1;
    for (let r = 0; r < 4; r++) {
      const w = Float64Array.from({ length: n }, () => rng.normal());
      const w2 = w.reduce((s, x) => s + x * x, 0);
      for (let row = 0; row < n; row++) {
        let dot = 0;
        for (let j = 0; j < n; j++) dot += q[row * n + j]! * w[j]!;
        for (let j = 0; j < n; j++) q[row * n + j]! -= (2 * dot * w[j]!) / w2;
      }
    }
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j]! += q[i * n + k]! * spectrum[k]! * q[j * n + k]!;
    }
    const { values, vectors } = jacobiEigen(a, n, { vectors: true });
    const sorted = [...spectrum].sort((x, y) => x - y);
    expect(Math.max(...sorted.map((l, i) => Math.abs(values[i]! - l)))).toBeLessThan(1e-12);
    let residual = 0;
    let ortho = 0;
    for (let c = 0; c < n; c++) {
      const u = vectors[c]!;
      for (let i = 0; i < n; i++) {
        let au = 0;
        for (let j = 0; j < n; j++) au += a[i * n + j]! * u[j]!;
        residual = Math.max(residual, Math.abs(au - values[c]! * u[i]!));
      }
      for (let d = 0; d <= c; d++) {
        const dot = u.reduce((s, x, i) => s + x * vectors[d]![i]!, 0);
        ortho = Math.max(ortho, Math.abs(dot - (c === d ? 1 : 0)));
      }
    }
    expect(residual).toBeLessThan(1e-12);
    expect(ortho).toBeLessThan(1e-13);
  });
});
