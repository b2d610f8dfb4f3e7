import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '@kramers/core';
import { loadDataset, standardize } from '@kramers/datasets';
import {
  createMlpEnsemble,
  mlpLayout,
  mlpLossAndGradient,
  replicaMinibatches,
  replicaStreams,
  type MlpData,
  type MlpEnsembleOptions,
  type MlpSpec,
  type ReplicaOptimizer,
} from '@kramers/replicas';

afterAll(async () => {
  await tf.setBackend('cpu');
});

// Banknote (1372 rows, 4 features, 2 classes), z-scored: the paper's Figure-5 data.
const banknote = standardize(loadDataset('banknote')).dataset;
const data: MlpData = {
  x: banknote.features,
  y: Float32Array.from({ length: banknote.rows * 2 }, (_, i) => (banknote.labels[i >> 1] === (i & 1) ? 1 : 0)),
  rows: banknote.rows,
};
const layers = [4, 10, 2] as const;
const P = mlpLayout({ layers }).parameters; // 4·10 + 10 + 10·2 + 2 = 72
// A seeded start of Glorot-like scale, so tanh is in its curved range and every gradient term is exercised.
const rng0 = createRng(2021);
const start = Float32Array.from({ length: P }, () => 0.5 * rng0.normal());
const lambda = 0.01;
const B = 16;
const SEED = 7;

/** A tf.sequential of Dense layers (hidden `activation`, softmax output) with l2(λ) on kernels and biases, weights from θ. */
function tfModel(theta: Float32Array, weightDecay: number, spec: MlpSpec = { layers }): tf.Sequential {
  const reg = () => (weightDecay > 0 ? tf.regularizers.l2({ l2: weightDecay }) : undefined);
  const last = spec.layers.length - 2;
  const model = tf.sequential({
    layers: spec.layers.slice(1).map((units, l) =>
      tf.layers.dense({
        ...(l === 0 ? { inputShape: [spec.layers[0]!] } : {}),
        units,
        activation: l === last ? 'softmax' : (spec.activation ?? 'tanh'),
        kernelRegularizer: reg(),
        biasRegularizer: reg(),
      }),
    ),
  });
  const layout = mlpLayout(spec);
  const weights = layout.layers.flatMap((l) => [
    tf.tensor2d(theta.slice(l.kernelOffset, l.kernelOffset + l.inputs * l.outputs), [l.inputs, l.outputs]),
    tf.tensor1d(theta.slice(l.biasOffset, l.biasOffset + l.outputs)),
  ]);
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

function flatWeights(model: tf.LayersModel): Float32Array {
  const out = new Float32Array(P);
  let offset = 0;
  for (const w of model.getWeights()) {
    out.set(w.dataSync() as Float32Array, offset);
    offset += w.size;
  }
  return out;
}

const optimizers: ReplicaOptimizer[] = [
  { name: 'sgd', learningRate: 0.1 },
  { name: 'sgld', learningRate: 0.1, diffusion: 1e-4 },
  { name: 'momentum', learningRate: 0.05, momentum: 0.9 },
  { name: 'adam', learningRate: 0.01 },
];

function tfOptimizer(o: ReplicaOptimizer): tf.Optimizer {
  switch (o.name) {
    case 'sgd':
    case 'sgld':
      return tf.train.sgd(o.learningRate);
    case 'momentum':
      return tf.train.momentum(o.learningRate, o.momentum);
    case 'adam':
      return tf.train.adam(o.learningRate);
  }
}

/**
 * Replica `id` trained alone as a compiled tfjs model with trainOnBatch on the minibatches it draws in the ensemble;
 * for SGLD, SGD plus the replica's white noise √(2ηD)·ξ added after each step (the ensemble's order of operations).
 */
async function tfReplica(o: ReplicaOptimizer, id: number, steps: number, weightDecay: number): Promise<Float32Array> {
  const model = tfModel(start, weightDecay);
  const optimizer = tfOptimizer(o);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const next = replicaMinibatches(SEED, id, data.rows, B);
  const noise = replicaStreams(SEED, [id])[0]!;
  const std = o.name === 'sgld' ? Math.sqrt(2 * o.learningRate * o.diffusion) : 0;
  const x = tf.tensor2d(data.x, [data.rows, 4]);
  const y = tf.tensor2d(data.y, [data.rows, 2]);
  for (let s = 0; s < steps; s++) {
    const index = next();
    const [xb, yb] = tf.tidy(() => [tf.gather(x, index), tf.gather(y, index)]);
    await model.trainOnBatch(xb!, yb!);
    tf.dispose([xb!, yb!]);
    if (o.name === 'sgld') {
      const flat = flatWeights(model);
      const white = Float32Array.from({ length: P }, () => std * noise.normal());
      const layout = mlpLayout({ layers });
      tf.tidy(() => {
        model.setWeights(
          layout.layers.flatMap((l) => [
            tf.add(tf.tensor2d(flat.slice(l.kernelOffset, l.biasOffset), [l.inputs, l.outputs]), tf.tensor2d(white.slice(l.kernelOffset, l.biasOffset), [l.inputs, l.outputs])),
            tf.add(tf.tensor1d(flat.slice(l.biasOffset, l.biasOffset + l.outputs)), tf.tensor1d(white.slice(l.biasOffset, l.biasOffset + l.outputs))),
          ]),
        );
      });
    }
  }
  const out = flatWeights(model);
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return out;
}

function run(overrides: Partial<MlpEnsembleOptions>, steps: number): Float32Array {
  const e = createMlpEnsemble({ layers, data, batchSize: B, optimizer: optimizers[0]!, weightDecay: lambda, replicas: 12, seed: SEED, start, ...overrides });
  try {
    for (let s = 0; s < steps; s++) e.step();
    return e.parameters();
  } finally {
    e.dispose();
  }
}

/** The largest disagreement, the largest parameter and the largest distance training moved a parameter. */
function compare(a: Float32Array, b: Float32Array): { diff: number; scale: number; moved: number } {
  let diff = 0;
  let scale = 0;
  let moved = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
    moved = Math.max(moved, Math.abs(b[i]! - start[i]!));
  }
  return { diff, scale, moved };
}

describe.each(['cpu', 'wasm'])('an MLP ensemble on the %s backend', (backend) => {
  it.each(optimizers.map((o) => [o.name, o] as const))('%s: rows equal separate tfjs models trained on the same minibatches', async (_name, optimizer) => {
    expect(await tf.setBackend(backend)).toBe(true);
    const steps = 50;
    const rows = run({ optimizer }, steps);
    for (const id of [0, 11]) {
      const ours = rows.subarray(id * P, (id + 1) * P);
      const reference = await tfReplica(optimizer, id, steps, lambda);
      const { diff, scale, moved } = compare(ours, reference);
      console.log(`${backend} ${optimizer.name} replica ${id}: max |Δθ| ${diff.toExponential(2)} = ${(diff / scale).toExponential(2)} of max |θ| ${scale.toFixed(3)}; training moved θ by up to ${moved.toFixed(3)}`);
      // Measured ≤ 1.7e-7 (one or two float32 ulps at |θ| ≈ 1) on cpu and wasm, for all four optimizers.
      expect(diff / scale).toBeLessThan(2e-6);
      expect(moved).toBeGreaterThan(0.3);
    }
  });
});

/** The tfjs model's own objective on the full data: mean categorical cross-entropy plus its regularization losses. */
function tfObjective(model: tf.Sequential): tf.Scalar {
  const x = tf.tensor2d(data.x, [data.rows, 4]);
  const y = tf.tensor2d(data.y, [data.rows, 2]);
  let loss = tf.mean(tf.metrics.categoricalCrossentropy(y, model.apply(x) as tf.Tensor)) as tf.Scalar;
  for (const r of model.calculateLosses()) loss = tf.add(loss, r);
  return loss;
}

/** Loss and gradient of the 4→10(tanh)→2 model with l2(λ), in float64 JS: the exact reference. */
function float64LossAndGradient(theta: Float32Array, weightDecay: number): { loss: number; gradient: Float64Array } {
  const g = new Float64Array(P);
  let loss = 0;
  const h = new Float64Array(10);
  for (let i = 0; i < data.rows; i++) {
    for (let u = 0; u < 10; u++) {
      let z = theta[40 + u]!;
      for (let j = 0; j < 4; j++) z += data.x[i * 4 + j]! * theta[j * 10 + u]!;
      h[u] = Math.tanh(z);
    }
    const logits = [0, 1].map((c) => theta[70 + c]! + h.reduce((s, hu, u) => s + hu * theta[50 + u * 2 + c]!, 0));
    const m = Math.max(...logits);
    const lse = m + Math.log(logits.reduce((s, z) => s + Math.exp(z - m), 0));
    const delta = [0, 1].map((c) => (Math.exp(logits[c]! - lse) - data.y[i * 2 + c]!) / data.rows);
    loss -= [0, 1].reduce((s, c) => s + data.y[i * 2 + c]! * (logits[c]! - lse), 0) / data.rows;
    for (let c = 0; c < 2; c++) {
      g[70 + c]! += delta[c]!;
      for (let u = 0; u < 10; u++) g[50 + u * 2 + c]! += h[u]! * delta[c]!;
    }
    for (let u = 0; u < 10; u++) {
      const back = (theta[50 + u * 2]! * delta[0]! + theta[51 + u * 2]! * delta[1]!) * (1 - h[u]! ** 2);
      g[40 + u]! += back;
      for (let j = 0; j < 4; j++) g[j * 10 + u]! += data.x[i * 4 + j]! * back;
    }
  }
  for (let p = 0; p < P; p++) {
    loss += weightDecay * theta[p]! ** 2;
    g[p]! += 2 * weightDecay * theta[p]!;
  }
  return { loss, gradient: g };
}

describe('the loss and its gradient', () => {
  it('equal a float64 reference, as a tfjs model with l2(λ) regularizers does (its loss, tf.variableGrads of it; cpu and wasm)', async () => {
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const before = tf.memory().numTensors;
      const model = tfModel(start, lambda);
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tfObjective(model), variables);
      const expectedLoss = value.dataSync()[0]!;
      const expectedGradient = new Float32Array(P);
      let offset = 0;
      for (const v of variables) {
        expectedGradient.set(grads[v.name]!.dataSync() as Float32Array, offset);
        offset += v.size;
      }
      tf.dispose([value, ...Object.values(grads)]);
      model.dispose();
      const ours = mlpLossAndGradient({ layers }, data, start, { weightDecay: lambda });
      const penalty = lambda * start.reduce((s, v) => s + v * v, 0);
      // The penalty is a real part of the loss here (not lost in rounding), and the gradient is far from 0.
      expect(penalty).toBeGreaterThan(0.05 * ours.loss);
      const exact = float64LossAndGradient(start, lambda);
      const scale = Math.max(...exact.gradient.map(Math.abs));
      expect(scale).toBeGreaterThan(0.1);
      const gradientError = (g: ArrayLike<number>): number => Math.max(...Array.from(g, (v, i) => Math.abs(v - exact.gradient[i]!))) / scale;
      const lossError = (l: number): number => Math.abs(l - exact.loss) / exact.loss;
      console.log(
        `${backend}: relative error against float64 — loss ours ${lossError(ours.loss).toExponential(2)}, tfjs ${lossError(expectedLoss).toExponential(2)}; ` +
          `gradient (max |Δg|/max|g|) ours ${gradientError(ours.gradient).toExponential(2)}, tfjs ${gradientError(expectedGradient).toExponential(2)}`,
      );
      // Measured: loss ≤ 1.3e-7 for both; gradient ours ≤ 9.6e-7, tfjs ≤ 5.8e-7 (float32 sums over 1372 rows).
      expect(lossError(ours.loss)).toBeLessThan(2e-6);
      expect(lossError(expectedLoss)).toBeLessThan(2e-6);
      expect(gradientError(ours.gradient)).toBeLessThan(1e-5);
      expect(gradientError(expectedGradient)).toBeLessThan(1e-5);
      // Without weight decay the penalty and its gradient 2λθ are gone, and nothing else changes.
      const plain = mlpLossAndGradient({ layers }, data, start);
      expect(Math.abs(ours.loss - plain.loss - penalty) / penalty).toBeLessThan(1e-5);
      for (let i = 0; i < P; i++) expect(Math.abs(ours.gradient[i]! - plain.gradient[i]! - 2 * lambda * start[i]!)).toBeLessThan(1e-7);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('a deeper ReLU net (4→8→6→2): loss and gradient equal the tfjs model’s (tf.variableGrads)', async () => {
    await tf.setBackend('wasm');
    const spec: MlpSpec = { layers: [4, 8, 6, 2], activation: 'relu' };
    const n = mlpLayout(spec).parameters; // 40 + 54 + 14 = 108
    const rng = createRng(5);
    const theta = Float32Array.from({ length: n }, () => 0.6 * rng.normal());
    const model = tfModel(theta, lambda, spec);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tfObjective(model), variables);
    const expected = Float32Array.from(variables.flatMap((v) => Array.from(grads[v.name]!.dataSync())));
    const expectedLoss = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    model.dispose();
    const ours = mlpLossAndGradient(spec, data, theta, { weightDecay: lambda });
    const scale = Math.max(...expected.map(Math.abs));
    const gradientDiff = Math.max(...ours.gradient.map((g, i) => Math.abs(g - expected[i]!))) / scale;
    console.log(`relu 4-8-6-2: loss ${ours.loss} vs tfjs ${expectedLoss}; max |Δg|/max|g| ${gradientDiff.toExponential(2)}`);
    expect(ours.gradient.filter((g) => g === 0).length).toBeLessThan(n / 4); // most units active: a real test
    // Measured: loss equal, gradient 5.4e-7.
    expect(Math.abs(ours.loss - expectedLoss) / expectedLoss).toBeLessThan(2e-6);
    expect(gradientDiff).toBeLessThan(5e-6);
  });

  it('k-rescaling: L_k(θ) = L(√k·θ) and ∇L_k(θ) = √k·∇L(√k·θ), weight decay included', async () => {
    await tf.setBackend('wasm');
    for (const k of [0.5, 2.5]) {
      const scaled = Float32Array.from(start, (v) => Math.sqrt(k) * v);
      const a = mlpLossAndGradient({ layers }, data, start, { weightDecay: lambda, k });
      const b = mlpLossAndGradient({ layers }, data, scaled, { weightDecay: lambda });
      const unscaled = mlpLossAndGradient({ layers }, data, start, { weightDecay: lambda });
      expect(Math.abs(a.loss - unscaled.loss)).toBeGreaterThan(0.01); // k changes the loss
      const scale = Math.max(...b.gradient.map(Math.abs));
      const lossDiff = Math.abs(a.loss - b.loss) / b.loss;
      const gradientDiff = Math.max(...a.gradient.map((g, i) => Math.abs(g - Math.sqrt(k) * b.gradient[i]!))) / scale;
      console.log(`k = ${k}: loss relative difference ${lossDiff.toExponential(2)}, gradient ${gradientDiff.toExponential(2)}`);
      // Measured ≤ 1.0e-7 (loss) and ≤ 3.1e-7 (gradient): √k·θ rounded in JS vs in tfjs, then float32 sums.
      expect(lossDiff).toBeLessThan(1e-6);
      expect(gradientDiff).toBeLessThan(3e-6);
    }
  });

  it('an ensemble with k: SGD at rate η on L_k is SGD at rate ηk on L in φ = √k·θ (same batches, to rounding)', async () => {
    await tf.setBackend('wasm');
    const k = 2;
    const eta = 0.05;
    const steps = 30;
    const base = { layers, data, batchSize: B, weightDecay: lambda, replicas: 3, seed: SEED };
    const e1 = createMlpEnsemble({ ...base, optimizer: { name: 'sgd', learningRate: eta }, k, start });
    const e2 = createMlpEnsemble({ ...base, optimizer: { name: 'sgd', learningRate: eta * k }, start: Float32Array.from(start, (v) => Math.sqrt(k) * v) });
    for (let s = 0; s < steps; s++) {
      e1.step();
      e2.step();
    }
    const theta = e1.parameters();
    const phi = e2.parameters();
    e1.dispose();
    e2.dispose();
    let diff = 0;
    let moved = 0;
    for (let i = 0; i < phi.length; i++) {
      diff = Math.max(diff, Math.abs(Math.sqrt(k) * theta[i]! - phi[i]!));
      moved = Math.max(moved, Math.abs(phi[i]! - Math.sqrt(k) * start[i % P]!));
    }
    console.log(`k ensemble: max |√k·θ − φ| ${diff.toExponential(2)}, moved ${moved.toFixed(3)}`);
    // Measured 5.9e-7 after 30 steps (|φ| ≈ 1: a few ulps).
    expect(moved).toBeGreaterThan(0.1);
    expect(diff).toBeLessThan(5e-6);
  });
});

describe.each(['cpu', 'wasm'])('full-batch training (B = rows) on the %s backend', (backend) => {
  it('every replica follows full-batch SGLD on the float64 loss, with its own noise (one first-layer pass for all rows)', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    const before = tf.memory().numTensors;
    const sgld = { name: 'sgld', learningRate: 0.5, diffusion: 1e-4 } as const;
    const R = 4;
    const steps = 6;
    const ensemble = createMlpEnsemble({ layers, data, batchSize: data.rows, optimizer: sgld, weightDecay: lambda, replicas: R, seed: SEED, firstReplica: 3, start });
    for (let s = 0; s < steps; s++) ensemble.step();
    const rows = ensemble.parameters();
    ensemble.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const std = Math.sqrt(2 * sgld.learningRate * sgld.diffusion);
    let worst = 0;
    let spread = 0;
    for (let r = 0; r < R; r++) {
      // The same replica by hand in float64: θ ← θ − η∇L(θ) + √(2ηD)·ξ with ξ from its own stream.
      const noise = replicaStreams(SEED, [3 + r])[0]!;
      let theta = Float64Array.from(start);
      for (let s = 0; s < steps; s++) {
        const { gradient } = float64LossAndGradient(Float32Array.from(theta), lambda);
        theta = theta.map((v, j) => v - sgld.learningRate * gradient[j]! + std * noise.normal());
      }
      for (let j = 0; j < P; j++) {
        worst = Math.max(worst, Math.abs(rows[r * P + j]! - theta[j]!));
        spread = Math.max(spread, Math.abs(rows[r * P + j]! - rows[j]!));
      }
    }
    console.log(`full batch on ${backend}: max |θ − θ_float64| ${worst.toExponential(2)} after ${steps} steps; replicas differ by up to ${spread.toExponential(2)}`);
    // The replicas really differ (their noise), and each equals its float64 trajectory to float32 rounding.
    expect(spread).toBeGreaterThan(0.01);
    expect(worst).toBeLessThan(2e-6);
  });

  it('a deeper ReLU net with k: each row equals full-batch SGLD on L_k stepped by hand with mlpLossAndGradient', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    const spec: MlpSpec = { layers: [4, 8, 6, 2], activation: 'relu' };
    const n = mlpLayout(spec).parameters;
    const rng = createRng(11);
    const theta0 = Float32Array.from({ length: n }, () => 0.6 * rng.normal());
    const k = 1.7;
    const sgld = { name: 'sgld', learningRate: 0.2, diffusion: 1e-3 } as const;
    const ensemble = createMlpEnsemble({ layers: spec.layers, activation: 'relu', data, batchSize: data.rows, optimizer: sgld, k, replicas: 3, seed: SEED, start: theta0 });
    for (let s = 0; s < 4; s++) ensemble.step();
    const rows = ensemble.parameters();
    ensemble.dispose();
    const std = Math.sqrt(2 * sgld.learningRate * sgld.diffusion);
    let worst = 0;
    for (let r = 0; r < 3; r++) {
      const noise = replicaStreams(SEED, [r])[0]!;
      let theta = Float32Array.from(theta0);
      for (let s = 0; s < 4; s++) {
        const { gradient } = mlpLossAndGradient(spec, data, theta, { k });
        theta = theta.map((v, j) => v - sgld.learningRate * gradient[j]! + std * noise.normal());
      }
      for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(rows[r * n + j]! - theta[j]!));
    }
    expect(worst).toBeLessThan(2e-6);
  });
});

describe.each(['cpu', 'wasm'])('ensemble bookkeeping on the %s backend', (backend) => {
  it.each(optimizers.map((o) => [o.name, o] as const))('%s: row r of R = 12 equals an ensemble of one with firstReplica r, bit for bit', async (_name, optimizer) => {
    expect(await tf.setBackend(backend)).toBe(true);
    const before = tf.memory().numTensors;
    const all = run({ optimizer }, 40);
    for (const r of [0, 7, 11]) {
      const alone = run({ optimizer, replicas: 1, firstReplica: r }, 40);
      expect(Array.from(all.subarray(r * P, (r + 1) * P))).toEqual(Array.from(alone));
    }
    expect(all[0]).not.toBe(all[P]); // own minibatches: replicas move apart
    expect(tf.memory().numTensors).toBe(before);
  });

  it('drop keeps the others on their own trajectories; losses() are each row’s full-data loss; nothing leaks', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    const before = tf.memory().numTensors;
    const optimizer: ReplicaOptimizer = { name: 'adam', learningRate: 0.01 };
    const e = createMlpEnsemble({ layers, data, batchSize: B, optimizer, weightDecay: lambda, replicas: 5, seed: SEED, start });
    for (let s = 0; s < 10; s++) e.step();
    e.drop([1, 3]);
    expect(Array.from(e.ids())).toEqual([0, 2, 4]);
    expect(e.size()).toBe(3);
    for (let s = 0; s < 30; s++) e.step();
    expect(e.steps()).toBe(40);
    const rows = e.parameters();
    const losses = e.losses();
    expect(losses.length).toBe(3);
    [0, 2, 4].forEach((id, row) => {
      const theta = rows.slice(row * P, (row + 1) * P);
      const single = mlpLossAndGradient({ layers }, data, theta, { weightDecay: lambda }).loss;
      // The same ops on the same row: equal bit for bit (measured on cpu and wasm).
      expect(losses[row]).toBe(single);
    });
    e.drop([0, 2, 4]);
    expect(e.size()).toBe(0);
    e.step(); // nothing left: a no-op
    expect(e.losses().length).toBe(0);
    e.dispose();
    e.dispose(); // twice is harmless
    expect(() => e.step()).toThrow(/after dispose/);
    const alone = run({ optimizer, replicas: 1, firstReplica: 2 }, 40);
    expect(Array.from(rows.subarray(P, 2 * P))).toEqual(Array.from(alone));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('minibatches', () => {
  it('each epoch visits every row at most once; the partial last batch is dropped; streams depend on (seed, id) only', () => {
    const rows = 50;
    const next = replicaMinibatches(3, 4, rows, 16); // 3 batches an epoch, 2 rows dropped
    for (let epoch = 0; epoch < 3; epoch++) {
      const seen = new Set<number>();
      for (let b = 0; b < 3; b++) for (const i of next()) seen.add(i);
      expect(seen.size).toBe(48);
      expect(Math.max(...seen)).toBeLessThan(rows);
    }
    const again = replicaMinibatches(3, 4, rows, 16);
    const other = replicaMinibatches(3, 5, rows, 16);
    const a = again();
    expect(Array.from(a)).toEqual(Array.from(replicaMinibatches(3, 4, rows, 16)()));
    expect(Array.from(a)).not.toEqual(Array.from(other()));
  });
});

describe('bad input names the field', () => {
  const base: MlpEnsembleOptions = { layers, data, batchSize: B, optimizer: { name: 'sgd', learningRate: 0.1 }, replicas: 2, seed: 0, start };
  it.each([
    ['layers = [4]', { layers: [4] }],
    ['layers[1] = 0', { layers: [4, 0, 2] }],
    ['ends with 1 classes', { layers: [4, 10, 1] }],
    ['activation = sigmoid', { activation: 'sigmoid' }],
    ['batchSize = 0', { batchSize: 0 }],
    ['batchSize = 5000', { batchSize: 5000 }],
    ['replicas = 0', { replicas: 0 }],
    ['seed = 0.5', { seed: 0.5 }],
    ['firstReplica = -1', { firstReplica: -1 }],
    ['weightDecay = -1', { weightDecay: -1 }],
    ['k = 0', { k: 0 }],
    ['start has 71 entries', { start: new Float32Array(71) }],
    ['start[3] = NaN', { start: Float32Array.from(start, (v, i) => (i === 3 ? NaN : v)) }],
    ['data.x has', { data: { ...data, rows: 10 } }],
    ['data.y row 0 sums to 0', { data: { ...data, y: new Float32Array(data.rows * 2) } }],
    ['optimizer.diffusion = -1', { optimizer: { name: 'sgld', learningRate: 0.1, diffusion: -1 } }],
  ])('%s', (message, override) => {
    const options = { ...base, ...override } as MlpEnsembleOptions;
    expect(() => createMlpEnsemble(options)).toThrow(message);
  });
  it('mlpLossAndGradient', () => {
    expect(() => mlpLossAndGradient({ layers }, data, new Float32Array(3))).toThrow('theta has 3 entries');
    expect(() => mlpLossAndGradient({ layers }, data, start, { k: -2 })).toThrow('k = -2');
  });
});
