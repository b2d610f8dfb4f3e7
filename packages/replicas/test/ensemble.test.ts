import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { quadraticValley, styblinskiTang, styblinskiTangMinimum } from '@kramers/datasets';
import { createEnsemble, replicaStreams, type GradientNoise, type ReplicaOptimizer } from '@kramers/replicas';

afterAll(async () => {
  await tf.setBackend('cpu');
});

const st = styblinskiTang({ dim: 10, k: 1, scale: 0.01 });
const minimum = styblinskiTangMinimum(st, 'global');
// A start off the minimum so the deterministic part of the update is not ~0 (every op is exercised with real values).
const start = minimum.map((x, i) => x + 0.3 * Math.sin(i + 1));

const optimizers: ReplicaOptimizer[] = [
  { name: 'sgd', learningRate: 0.5 },
  { name: 'sgld', learningRate: 0.5, diffusion: 0.06 },
  { name: 'momentum', learningRate: 0.05, momentum: 0.9 },
  { name: 'adam', learningRate: 0.2 },
];
const noises: GradientNoise[] = [{ kind: 'frozen', batchSize: 1, at: minimum }, { kind: 'state', batchSize: 2 }];

function run(optimizer: ReplicaOptimizer, noise: GradientNoise, replicas: number, firstReplica: number, steps: number): Float32Array {
  const e = createEnsemble({ landscape: st, optimizer, noise, replicas, seed: 7, start, firstReplica });
  try {
    for (let s = 0; s < steps; s++) e.step();
    return e.positions();
  } finally {
    e.dispose();
  }
}

describe.each(['cpu', 'wasm'])('a replica ensemble on the %s backend', (backend) => {
  it.each(optimizers.flatMap((o) => noises.map((n) => [o.name, n.kind, o, n] as const)))(
    '%s with %s noise: every row of R = 12 equals that replica run alone, bit for bit',
    async (_o, _n, optimizer, noise) => {
      expect(await tf.setBackend(backend)).toBe(true);
      const before = tf.memory().numTensors;
      const all = run(optimizer, noise, 12, 0, 40);
      for (const r of [0, 5, 11]) {
        const alone = run(optimizer, noise, 1, r, 40);
        expect(Array.from(all.subarray(r * 10, r * 10 + 10))).toEqual(Array.from(alone));
      }
      // Replicas move apart (independent streams) and stay finite.
      expect(all.every(Number.isFinite)).toBe(true);
      expect(all[0]).not.toBe(all[10]);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('dropping replicas leaves the others on exactly their own trajectories, and no tensor leaks', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    const before = tf.memory().numTensors;
    const optimizer: ReplicaOptimizer = { name: 'adam', learningRate: 0.2 };
    const noise = noises[0]!;
    const e = createEnsemble({ landscape: st, optimizer, noise, replicas: 6, seed: 7, start });
    for (let s = 0; s < 10; s++) e.step();
    e.drop([1, 4]);
    expect(Array.from(e.ids())).toEqual([0, 2, 3, 5]);
    for (let s = 0; s < 500; s++) e.step();
    const rows = e.positions();
    e.drop([0, 2, 3, 5]);
    expect(e.size()).toBe(0);
    e.step(); // nothing left: a no-op
    e.dispose();
    const alone = run(optimizer, noise, 1, 3, 510);
    expect(Array.from(rows.subarray(2 * 10, 3 * 10))).toEqual(Array.from(alone));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('update rules equal tfjs’s own optimizers step for step', () => {
  // The same noisy gradients fed to tf.train.momentum / tf.train.adam on one [R, n] variable.
  it.each([
    ['momentum', () => tf.train.momentum(0.05, 0.9), { name: 'momentum', learningRate: 0.05, momentum: 0.9 }],
    ['adam', () => tf.train.adam(0.2), { name: 'adam', learningRate: 0.2 }],
    ['sgd', () => tf.train.sgd(0.5), { name: 'sgd', learningRate: 0.5 }],
  ] as const)('%s', async (_name, make, optimizer) => {
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const R = 8;
      const n = st.dim;
      const batchSize = 1;
      const e = createEnsemble({ landscape: st, optimizer: optimizer as ReplicaOptimizer, noise: { kind: 'frozen', batchSize, at: minimum }, replicas: R, seed: 3, start });
      // The ensemble's frozen noise, drawn the same way: σ_j = √(H_jj/B) in float32 times each replica's normals.
      const h = st.hessian(minimum);
      const sigma = Float32Array.from({ length: n }, (_, j) => Math.sqrt(h[j * n + j]! / batchSize));
      const rngs = replicaStreams(3, Array.from({ length: R }, (_, r) => r));
      const theta = tf.variable(tf.tile(tf.tensor2d(Float32Array.from(start), [1, n]), [R, 1]));
      const tfOptimizer = make();
      for (let step = 0; step < 60; step++) {
        const noise = new Float32Array(R * n);
        for (let r = 0; r < R; r++) for (let j = 0; j < n; j++) noise[r * n + j] = sigma[j]! * rngs[r]!.normal();
        tf.tidy(() => {
          const g = tf.add(st.gradientTensor(theta as unknown as tf.Tensor2D), tf.tensor2d(noise, [R, n]));
          tfOptimizer.applyGradients([{ name: theta.name, tensor: g }]);
        });
        e.step();
        expect(Array.from(e.positions())).toEqual(Array.from(theta.dataSync()));
      }
      e.dispose();
      tfOptimizer.dispose();
      theta.dispose();
    }
  });
});

describe('the noise models against closed forms', () => {
  it('frozen noise: SGD’s stationary variance on a quadratic valley is η/(B(2 − ηλ)) per direction (Lyapunov, discrete time)', async () => {
    await tf.setBackend('wasm');
    const curvatures = [1, 0.25];
    const L = quadraticValley({ curvatures });
    const eta = 0.4;
    const B = 2;
    const R = 400;
    const e = createEnsemble({ landscape: L, optimizer: { name: 'sgd', learningRate: eta }, noise: { kind: 'frozen', batchSize: B, at: [0, 0] }, replicas: R, seed: 11, start: [0, 0] });
    const sums = [0, 0];
    let samples = 0;
    for (let s = 0; s < 3000; s++) {
      e.step();
      // Burn in ≫ 1/(ηλ_min) = 10 steps; samples every 20 steps are nearly independent.
      if (s >= 200 && s % 20 === 0) {
        const p = e.positions();
        for (let r = 0; r < R; r++) for (let j = 0; j < 2; j++) sums[j]! += p[r * 2 + j]! ** 2;
        samples += R;
      }
    }
    e.dispose();
    curvatures.forEach((lambda, j) => {
      const expected = eta / (B * (2 - eta * lambda));
      // ≈ 56 000 samples with correlation time ≤ 1/(1 − (1 − ηλ)²)·… : a relative standard error near 1 %.
      expect(sums[j]! / samples / expected).toBeGreaterThan(0.95);
      expect(sums[j]! / samples / expected).toBeLessThan(1.05);
    });
  });

  it('SGLD: stationary variance 2D/(λ(2 − ηλ)) with exact gradients', async () => {
    await tf.setBackend('wasm');
    const curvatures = [2, 0.5];
    const L = quadraticValley({ curvatures });
    const eta = 0.3;
    const D = 0.05;
    const R = 400;
    const e = createEnsemble({ landscape: L, optimizer: { name: 'sgld', learningRate: eta, diffusion: D }, noise: { kind: 'none' }, replicas: R, seed: 5, start: [0, 0] });
    const sums = [0, 0];
    let samples = 0;
    for (let s = 0; s < 3000; s++) {
      e.step();
      if (s >= 200 && s % 20 === 0) {
        const p = e.positions();
        for (let r = 0; r < R; r++) for (let j = 0; j < 2; j++) sums[j]! += p[r * 2 + j]! ** 2;
        samples += R;
      }
    }
    e.dispose();
    curvatures.forEach((lambda, j) => {
      const expected = (2 * D) / (lambda * (2 - eta * lambda));
      expect(sums[j]! / samples / expected).toBeGreaterThan(0.95);
      expect(sums[j]! / samples / expected).toBeLessThan(1.05);
    });
  });

  it('state-dependent noise has variance |H_ii(θ)|/B per coordinate at the current point (one step from a fixed θ)', async () => {
    await tf.setBackend('cpu');
    const eta = 0.5;
    const B = 4;
    const theta0 = Float64Array.from({ length: 10 }, (_, i) => -3 + 0.5 * i); // crosses f'' = 0 and the col
    const R = 4000;
    const e = createEnsemble({ landscape: st, optimizer: { name: 'sgd', learningRate: eta }, noise: { kind: 'state', batchSize: B }, replicas: R, seed: 9, start: theta0 });
    e.step();
    const p = e.positions();
    e.dispose();
    const g = st.gradient(Float32Array.from(theta0));
    const h = st.hessian(Float32Array.from(theta0));
    for (let j = 0; j < 10; j++) {
      let ss = 0;
      for (let r = 0; r < R; r++) {
        const xi = (Math.fround(theta0[j]!) - eta * g[j]! - p[r * 10 + j]!) / eta;
        ss += xi * xi;
      }
      const expected = Math.abs(h[j * 10 + j]!) / B;
      // χ²_4000: relative sd √(2/4000) ≈ 2.2 %; 4 sd.
      expect(Math.abs(ss / R / expected - 1)).toBeLessThan(0.09);
    }
  });
});

describe('bad input names the field', () => {
  it.each([
    [{ replicas: 0 }, 'replicas = 0'],
    [{ seed: 1.5 }, 'seed = 1.5'],
    [{ optimizer: { name: 'sgd', learningRate: -1 } }, 'optimizer.learningRate = -1'],
    [{ optimizer: { name: 'sgld', learningRate: 0.1, diffusion: 0 } }, 'optimizer.diffusion = 0'],
    [{ optimizer: { name: 'momentum', learningRate: 0.1, momentum: 1 } }, 'optimizer.momentum = 1'],
    [{ noise: { kind: 'frozen', batchSize: 0, at: minimum } }, 'noise.batchSize = 0'],
    [{ noise: { kind: 'frozen', batchSize: 1, at: [0] } }, 'noise.at has 1 coordinates'],
    [{ start: [1, 2] }, 'start has 2 coordinates'],
  ])('%j', (override, message) => {
    const options = { landscape: st, optimizer: { name: 'sgd', learningRate: 0.5 }, noise: { kind: 'none' }, replicas: 2, seed: 0, start, ...override };
    expect(() => createEnsemble(options as never)).toThrow(message);
  });
});
