// What `kramers reproduce banknote`'s SGLD panels rest on: the box's faces with their exact barriers (checked in
// float64 by test/support/float64-mlp), and the quasi-equilibrium starts (checked against the discrete-time
// Lyapunov covariance, and by running the update on them: a stationary law does not move).
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '@kramers/core';
import { boundary, parseBoundary } from '@kramers/valley-detector';
import { firstPassageTime } from '@kramers/escape-tracker';
import { boxWalls, equilibriumStarts, modelStart, runAnyEscapeJob, startHessian, type ModelEscapeJob } from '@kramers/experiments';
import { banknoteTanhMlp } from '../../../test/support/float64-mlp.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

const job: ModelEscapeJob = {
  kind: 'model',
  dataset: 'banknote',
  hidden: [10],
  activation: 'tanh',
  weightDecay: 0.01,
  pretrain: { seed: 1, adamSteps: 3000, gdSteps: 3000 },
  k: 1,
  boundary: 'box:0.05',
  replicas: 1,
  maxSteps: 1,
  seed: 0,
  batchSize: 1372,
  optimizer: { name: 'sgld', learningRate: 1, diffusion: 2e-6 },
};

describe('boxWalls on banknote’s pretrained minimum (the figure’s start)', () => {
  test('each face’s lowest point is on the face, inside the others, a constrained minimum, and its barrier is right in float64', () => {
    const { spec, data, start } = modelStart(job);
    const hessian = startHessian(spec, data, start.theta, job.weightDecay);
    const before = tf.memory().numTensors;
    const walls = boxWalls({ spec, data, minimum: start.theta, hessian, weightDecay: job.weightDecay, radius: 0.05, within: 1.2 });
    expect(tf.memory().numTensors).toBe(before);
    // The float64 reference: cross-entropy of the same net, plus λ·Σθ² over kernels and biases.
    const reference = banknoteTanhMlp(data);
    const objective = (theta: ArrayLike<number>) => {
      const { loss, gradient } = reference.lossAndGradient(theta);
      let penalty = 0;
      for (let i = 0; i < theta.length; i++) {
        penalty += job.weightDecay * theta[i]! ** 2;
        gradient[i]! += 2 * job.weightDecay * theta[i]!;
      }
      return { loss: loss + penalty, gradient };
    };
    const base = objective(start.theta).loss;
    // The softmax output weights' faces are lowest: 20 parameters, both ways.
    expect(walls.length).toBe(40);
    const lowest = walls[0]!.barrier;
    for (const w of walls) {
      const delta = Array.from(w.point, (v, j) => v - start.theta[j]!);
      // On its face, and not beyond another: a real exit point of the box.
      expect(Math.abs(delta[w.coordinate]! - w.sign * 0.05)).toBeLessThan(1e-7);
      expect(Math.max(...delta.map(Math.abs))).toBeLessThanOrEqual(0.05 + 1e-7);
      const { loss, gradient } = objective(w.point);
      // The barrier in float64 (kramers' is float32 arithmetic: its loss has a spacing of 1.5e-8 at 0.159).
      expect(Math.abs(w.barrier - (loss - base))).toBeLessThan(5e-8);
      // A minimum on the face: only the face's own coordinate has a gradient (the force pushing back, ≈ κ·r).
      const push = Math.abs(gradient[w.coordinate]!);
      const free = Math.max(...Array.from(gradient, (g, j) => (j === w.coordinate ? 0 : Math.abs(g))));
      expect(push).toBeGreaterThan(0.5 * w.stiffness * 0.05);
      expect(free).toBeLessThan(1e-3 * push);
      // The quadratic model is within a few % of the exact face.
      expect(Math.abs(w.barrier / w.quadraticBarrier - 1)).toBeLessThan(0.06);
    }
    // Measured: 9.93e-6 for the lowest 20 faces, 1.075e-5 for their mirror images (the tanh's odd cubic term).
    console.log(`lowest face ΔL = ${lowest.toExponential(4)}, highest of the 40 = ${walls.at(-1)!.barrier.toExponential(4)}`);
    expect(lowest).toBeGreaterThan(9.8e-6);
    expect(lowest).toBeLessThan(1.0e-5);
  }, 60_000);
});

describe('equilibriumStarts', () => {
  // A 3-parameter quadratic well with a rotated Hessian, where everything is in closed form.
  const values = Float64Array.from([0.05, 0.8, 1.6]);
  const c = Math.cos(0.7);
  const s = Math.sin(0.7);
  const vectors = [Float64Array.from([c, s, 0]), Float64Array.from([-s, c, 0]), Float64Array.from([0, 0, 1])];
  const hessian = { values, vectors };
  const H = (i: number, j: number) => vectors.reduce((acc, v, k) => acc + values[k]! * v[i]! * v[j]!, 0);
  const minimum = Float32Array.from([0.2, -0.1, 0.5]);
  const sample = (k: number, ids: Int32Array, radius = 10, learningRate = 1, diffusion = 1e-3) =>
    equilibriumStarts({
      minimum,
      hessian,
      learningRate,
      diffusion,
      k,
      edge: boundary(parseBoundary(`box:${radius}`) as { kind: 'box'; radius: number }, { start: Array.from(minimum, (m) => m / Math.sqrt(k)), k }),
      seed: 3,
      ids,
    });
  const ids = (n: number, first = 0) => Int32Array.from({ length: n }, (_, i) => first + i);
  /** Variance of each row's projection on the Hessian's eigenvectors, about `centre`. */
  const variances = (rows: Float32Array | Float64Array, centre: ArrayLike<number>): number[] => {
    const n = rows.length / 3;
    return vectors.map((v) => {
      let acc = 0;
      for (let r = 0; r < n; r++) {
        let p = 0;
        for (let j = 0; j < 3; j++) p += v[j]! * (rows[r * 3 + j]! - centre[j]!);
        acc += p * p;
      }
      return acc / n;
    });
  };

  test('the discrete update’s stationary Gaussian D·H⁻¹(I − ηkH/2)⁻¹, about θ*/√k; running the update keeps it, the continuous-time law would not', () => {
    const n = 4000;
    const D = 1e-3;
    for (const k of [1, 1.2]) {
      const rows = sample(k, ids(n));
      const centre = Array.from(minimum, (m) => m / Math.sqrt(k));
      // In θ the covariance is that of φ = √k·θ divided by k.
      const expected = Array.from(values, (l) => D / (l * (1 - (k * l) / 2)) / k);
      const got = variances(rows, centre);
      // A variance from 4000 draws has a relative standard error of √(2/4000) = 2.2 %.
      for (let i = 0; i < 3; i++) expect(Math.abs(got[i]! / expected[i]! - 1)).toBeLessThan(0.08);
      // The stiff direction's variance is 1/(1 − ηkλ/2) = 5× (k = 1) the continuous-time D/λ: the difference is the point.
      expect(got[2]! / (D / values[2]! / k)).toBeGreaterThan(4);
    }
    // Stationarity, by a second method: 300 SGLD steps on the quadratic L(φ) from these starts leave the law alone.
    const rows = Float64Array.from(sample(1, ids(n)));
    const rng = createRng(9);
    const std = Math.sqrt(2 * 1 * D);
    for (let step = 0; step < 300; step++) {
      for (let r = 0; r < n; r++) {
        const d = [0, 1, 2].map((j) => rows[r * 3 + j]! - minimum[j]!);
        for (let i = 0; i < 3; i++) rows[r * 3 + i]! -= [0, 1, 2].reduce((acc, j) => acc + H(i, j) * d[j]!, 0) - std * rng.normal();
      }
    }
    const after = variances(rows, minimum);
    const expected = Array.from(values, (l) => D / (l * (1 - l / 2)));
    for (let i = 0; i < 3; i++) expect(Math.abs(after[i]! / expected[i]! - 1)).toBeLessThan(0.08);
  });

  test('near a box face the starts thin out as the quasi-stationary density does: p_eq·(1 − e^(−κr·d/D)) per face (1-D, by quadrature)', () => {
    const [lambda, eta, D, r] = [0.5, 1, 0.02, 0.5];
    const one = { values: Float64Array.from([lambda]), vectors: [Float64Array.from([1])] };
    const n = 20000;
    const rows = equilibriumStarts({
      minimum: Float32Array.from([0]),
      hessian: one,
      learningRate: eta,
      diffusion: D,
      k: 1,
      edge: boundary(parseBoundary(`box:${r}`) as { kind: 'box'; radius: number }, { start: [0] }),
      seed: 5,
      ids: ids(n),
    });
    const variance = D / (lambda * (1 - (eta * lambda) / 2));
    const force = (D / variance) * r;
    const density = (x: number) => Math.exp(-(x * x) / (2 * variance)) * (1 - Math.exp((-force * (r - x)) / D)) * (1 - Math.exp((-force * (r + x)) / D));
    const plain = (x: number) => Math.exp(-(x * x) / (2 * variance));
    const integrate = (f: (x: number) => number, a: number, b: number) => {
      let acc = 0;
      const m = 4000;
      for (let i = 0; i < m; i++) acc += f(a + ((i + 0.5) * (b - a)) / m);
      return (acc * (b - a)) / m;
    };
    // The share of starts within one boundary-layer width D/(κr) of a face.
    const layer = D / force;
    const share = (f: (x: number) => number) => (2 * integrate(f, r - layer, r)) / integrate(f, -r, r);
    const observed = Array.from(rows).filter((x) => Math.abs(x) > r - layer).length / n;
    console.log(`starts within the boundary layer: ${observed.toFixed(4)}; quasi-stationary ${share(density).toFixed(4)}, truncated Gaussian ${share(plain).toFixed(4)}`);
    expect(Math.abs(observed - share(density))).toBeLessThan(4 * Math.sqrt(share(density) / n));
    expect(share(plain)).toBeGreaterThan(1.8 * share(density));
  });

  test('every start is inside the boundary, a replica’s start depends only on (seed, id), and a hopeless setting is refused', () => {
    // r = 0.25 is ≈ 1.6 standard deviations of the flattest direction at D = 1e-3: a real truncation.
    const rows = sample(1, ids(2000), 0.25);
    for (let i = 0; i < rows.length; i++) expect(Math.abs(rows[i]! - minimum[i % 3]!)).toBeLessThanOrEqual(0.25);
    const all = sample(1, ids(10));
    const part = sample(1, ids(3, 7));
    expect(Array.from(part)).toEqual(Array.from(all.subarray(21, 30)));
    // λ = 1.6 at η·k = 1.4 has 1 − ηkλ/2 < 0: no equilibrium.
    expect(() => sample(1.4, ids(2))).toThrow(/λ2 = 1\.60 at η·k = 1\.4 has no equilibrium/);
    expect(() => sample(1, ids(2), 1e-3)).toThrow(/1000 draws for replica 0 all fell outside the boundary/);
  });
});

describe('SGLD leaving a box, where everything is exact', () => {
  test('a 1-D quadratic well with banknote’s face stiffness: the mean escape step is the exact first-passage time, monitored once a step', async () => {
    // κ, r and η as the banknote SGLD panel's lowest faces; D hotter (ΔL/D = 3.5) to keep the test short.
    const [kappa, r, eta] = [0.0083, 0.05, 1];
    const D = (kappa * r * r) / 2 / 3.5;
    const result = await runAnyEscapeJob({
      landscape: { name: 'quadratic-valley', curvatures: [kappa] },
      start: [0],
      noise: 'none',
      optimizer: { name: 'sgld', learningRate: eta, diffusion: D },
      batchSize: 1,
      boundary: `box:${r}`,
      replicas: 400,
      maxSteps: 100_000,
      seed: 1,
    });
    expect(result.censored).toBe(0);
    const observed = result.escapes.reduce((acc, e) => acc + e.step, 0) / result.escapes.length;
    // From θ = 0 to ±r (reflecting at 0 by symmetry), in steps of η; checking only after each step moves an absorbing
    // level out by 0.5826·√(2ηD) (Siegmund's correction for a discretely monitored Brownian path).
    const exact = (level: number) => firstPassageTime({ potential: (q) => (kappa * q * q) / 2, diffusion: D, start: 0, target: level, reflectAt: 0 }).tau / eta;
    const corrected = exact(r + 0.5826 * Math.sqrt(2 * eta * D));
    console.log(`1-D box escape: observed ${observed.toFixed(0)} steps, exact ${exact(r).toFixed(0)}, with the monitoring correction ${corrected.toFixed(0)}`);
    // 400 exponential escapes: ±10 % at 2σ.
    expect(Math.abs(observed / corrected - 1)).toBeLessThan(0.1);
    expect(observed / exact(r)).toBeGreaterThan(1.1);
  });
});
