import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '@kramers/core';
import { SGLD, registerOptimizers, sgld } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small classifier and a fixed synthetic data set (4 features, 3 classes), all from seeded streams. */
function makeData(rows = 64) {
  const rng = createRng(123);
  const x = new Float32Array(rows * 4).map(() => rng.normal());
  const y = new Float32Array(rows * 3);
  for (let i = 0; i < rows; i++) y[i * 3 + ((x[i * 4]! > 0 ? 1 : 0) + (x[i * 4 + 1]! > 0.5 ? 1 : 0))] = 1;
  return { x: tf.tensor2d(x, [rows, 4]), y: tf.tensor2d(y, [rows, 3]) };
}

function makeModel(optimizer: tf.Optimizer, init?: tf.Tensor[]): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 8, activation: 'tanh' }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  if (init) model.setWeights(init);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  return model;
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('SGLD injected noise (zero gradients, so the update is the noise alone)', () => {
  it('has mean 0, per-coordinate variance 2ηD, Gaussian 1σ mass, independent steps; the reported ‖n‖² is exact', () => {
    const eta = 0.05;
    const D = 0.2;
    const variance = 2 * eta * D; // the SGLD noise term is sqrt(2ηD)·ξ, ξ ~ N(0, I) (Welling & Teh, ICML 2011)
    const sigma = Math.sqrt(variance);
    const N = 20_000;
    const steps = 5;
    const opt = sgld({ learningRate: eta, diffusion: D, seed: 1 });
    expect(opt.noiseStd).toBeCloseTo(sigma, 15);
    const v = tf.variable(tf.zeros([N]), true, 'sgld_noise_v');
    const zero = tf.zeros([N]);
    const samples: Float32Array[] = [];
    for (let s = 0; s < steps; s++) {
      v.assign(zero);
      opt.applyGradients([{ name: v.name, tensor: zero }]);
      const n = v.dataSync() as Float32Array; // 0 − η·0 + noise = noise, exactly
      samples.push(n.slice());
      let sq = 0;
      for (const e of n) sq += e * e;
      expect(opt.lastInjectedNoiseSquaredNorm).toBe(sq);
    }
    const all = samples.flatMap((a) => Array.from(a));
    const M = all.length; // 100 000
    const mean = all.reduce((a, b) => a + b, 0) / M;
    const meanSq = all.reduce((a, b) => a + b * b, 0) / M;
    const within1 = all.filter((e) => Math.abs(e) < sigma).length / M;
    // Tolerances are 5 standard errors of each statistic under the null (a 5-SE miss has probability 6e-7):
    //   mean:        SE = σ/√M
    //   mean square: SE = σ²·√(2/M)     (Var ξ² = 2 for a standard normal)
    //   P(|n| < σ):  SE = √(p(1−p)/M), p = erf(1/√2) = 0.682689
    expect(Math.abs(mean)).toBeLessThan((5 * sigma) / Math.sqrt(M));
    expect(Math.abs(meanSq / variance - 1)).toBeLessThan(5 * Math.sqrt(2 / M));
    const p = 0.6826894921370859;
    expect(Math.abs(within1 - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / M));
    // Successive steps draw independent noise: sample correlation SE = 1/√N.
    for (let s = 1; s < steps; s++) {
      let c = 0;
      for (let k = 0; k < N; k++) c += samples[s]![k]! * samples[s - 1]![k]!;
      expect(Math.abs(c / N / variance)).toBeLessThan(5 / Math.sqrt(N));
    }
    tf.dispose([v, zero]);
    opt.dispose();
  });

  it('draws independent noise for different variables in the same step', () => {
    const N = 20_000;
    const opt = sgld({ learningRate: 0.5, diffusion: 1, seed: 9 });
    const a = tf.variable(tf.zeros([N]), true, 'sgld_indep_a');
    const b = tf.variable(tf.zeros([100, 200]), true, 'sgld_indep_b');
    const ga = tf.zeros([N]);
    const gb = tf.zeros([100, 200]);
    opt.applyGradients({ [a.name]: ga, [b.name]: gb });
    const x = a.dataSync();
    const y = b.dataSync();
    let c = 0;
    let sqA = 0;
    let sqB = 0;
    for (let k = 0; k < N; k++) {
      c += x[k]! * y[k]!;
      sqA += x[k]! * x[k]!;
      sqB += y[k]! * y[k]!;
    }
    expect(Math.abs(c / N)).toBeLessThan(5 / Math.sqrt(N)); // variance is 2·0.5·1 = 1
    expect(opt.lastInjectedNoiseSquaredNorm).toBe(sqA + sqB); // summed over both variables
    tf.dispose([a, b, ga, gb]);
  });
});

describe('SGLD update rule', () => {
  it('with D = 0 equals tfjs SGD bit for bit (model.fit, minimize with a varList, applyGradients with a map)', async () => {
    const { x, y } = makeData();
    const init = makeModel(tf.train.sgd(0.1)).getWeights();
    const sgd = makeModel(tf.train.sgd(0.1), init);
    const langevin = makeModel(sgld({ learningRate: 0.1, diffusion: 0, seed: 5 }), init);
    await sgd.fit(x, y, { batchSize: 16, epochs: 2, shuffle: false, verbose: 0 });
    await langevin.fit(x, y, { batchSize: 16, epochs: 2, shuffle: false, verbose: 0 });
    expect(weightsOf(langevin)).toEqual(weightsOf(sgd));
    expect(langevin.optimizer.iterations).toBe(8);
    expect((langevin.optimizer as SGLD).lastInjectedNoiseSquaredNorm).toBe(0);

    // Hand-written loops: NamedTensor[] (minimize with varList) and NamedTensorMap (applyGradients) paths.
    const w1 = tf.variable(tf.tensor1d([0.3, -1.2, 2.5]), true, 'd0_w1');
    const w2 = tf.variable(tf.tensor1d([0.3, -1.2, 2.5]), true, 'd0_w2');
    const f = (w: tf.Variable) => () => tf.sum(tf.mul(tf.sin(w), tf.square(w))) as tf.Scalar;
    const o1 = tf.train.sgd(0.07);
    const o2 = sgld({ learningRate: 0.07, diffusion: 0, seed: 1 });
    for (let s = 0; s < 5; s++) {
      o1.minimize(f(w1), false, [w1]);
      const { grads } = tf.variableGrads(f(w2), [w2]);
      o2.applyGradients(grads);
      tf.dispose(grads);
    }
    expect(w2.dataSync()).toEqual(w1.dataSync());
    // setLearningRate changes the cached −η scalar in both.
    o1.setLearningRate(0.2);
    o2.setLearningRate(0.2);
    o1.minimize(f(w1), false, [w1]);
    o2.minimize(f(w2), false, [w2]);
    expect(w2.dataSync()).toEqual(w1.dataSync());
    expect(o2.getConfig()).toEqual({ learningRate: 0.2, diffusion: 0, seed: 1 });
    tf.dispose([x, y, w1, w2, ...init]);
  });

  it('with D > 0: SGLD − SGD after one step from the same point is the injected noise', () => {
    const eta = 0.1;
    const D = 1e-3;
    const a = tf.variable(tf.tensor1d([1, 2, 3, 4, 5, 6]), true, 'diff_a');
    const b = tf.variable(tf.tensor1d([1, 2, 3, 4, 5, 6]), true, 'diff_b');
    const f = (w: tf.Variable) => () => tf.sum(tf.square(w)) as tf.Scalar;
    tf.train.sgd(eta).minimize(f(a), false, [a]);
    const opt = sgld({ learningRate: eta, diffusion: D, seed: 3 });
    opt.minimize(f(b), false, [b]);
    const sgdValues = Array.from(a.dataSync());
    expect(sgdValues).toEqual([0.8, 1.6, 2.4, 3.2, 4, 4.8].map(Math.fround)); // θ − η·2θ
    const diff = Array.from(b.dataSync()).map((v, k) => v - sgdValues[k]!);
    const sq = diff.reduce((s, d) => s + d * d, 0);
    // Equal up to float32 rounding of θ + n (|θ| ≤ 4.8, so ≤ 2.4e-7 per entry against noise of size ~0.014).
    expect(Math.abs(sq / opt.lastInjectedNoiseSquaredNorm - 1)).toBeLessThan(1e-4);
    expect(opt.lastInjectedNoiseSquaredNorm).toBeGreaterThan(0);
    tf.dispose([a, b]);
  });

  it('seeded runs are bit-identical; a different seed gives a different run', async () => {
    const { x, y } = makeData();
    const init = makeModel(tf.train.sgd(0.1)).getWeights();
    const run = async (seed: number) => {
      const m = makeModel(sgld({ learningRate: 0.1, diffusion: 1e-3, seed }), init);
      await m.fit(x, y, { batchSize: 16, epochs: 2, shuffle: false, verbose: 0 });
      return weightsOf(m);
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(b).toEqual(a);
    expect(c[0]).not.toEqual(a[0]);
    tf.dispose([x, y, ...init]);
  });

  it('skips null gradients (and still advances the noise positions of the others consistently)', () => {
    const a = tf.variable(tf.tensor1d([1, 1]), true, 'null_a');
    const b = tf.variable(tf.tensor1d([2, 2]), true, 'null_b');
    const g = tf.tensor1d([1, 1]);
    const opt = sgld({ learningRate: 0.5, diffusion: 0, seed: 0 });
    opt.applyGradients({ [a.name]: null, [b.name]: g } as unknown as tf.NamedTensorMap);
    opt.applyGradients([
      { name: a.name, tensor: null as unknown as tf.Tensor },
      { name: b.name, tensor: g },
    ]);
    expect(Array.from(a.dataSync())).toEqual([1, 1]);
    expect(Array.from(b.dataSync())).toEqual([1, 1]);
    expect(opt.iterations).toBe(2);
    tf.dispose([a, b, g]);
  });

  it('names an unknown variable', () => {
    const g = tf.tensor1d([1]);
    expect(() => sgld({ learningRate: 0.1, diffusion: 0, seed: 0 }).applyGradients({ no_such_var: g })).toThrow(
      "SGLD.applyGradients: no variable named 'no_such_var' is registered; pass gradients keyed by tf.Variable names",
    );
    g.dispose();
  });

  it('does not leak tensors over 200 steps (minimize and model.fit)', async () => {
    const w = tf.variable(tf.randomNormal([50, 20], 0, 1, 'float32', 1), true, 'leak_w');
    const opt = sgld({ learningRate: 0.01, diffusion: 1e-3, seed: 2 });
    const f = () => tf.mean(tf.square(tf.matMul(w, w, true, false))) as tf.Scalar;
    opt.minimize(f, false, [w]);
    const after1 = tf.memory().numTensors;
    for (let s = 1; s < 200; s++) opt.minimize(f, false, [w]);
    expect(tf.memory().numTensors).toBe(after1);
    expect(opt.iterations).toBe(200);

    const { x, y } = makeData(40);
    const model = makeModel(sgld({ learningRate: 0.05, diffusion: 1e-4, seed: 4 }));
    await model.fit(x, y, { batchSize: 8, epochs: 1, verbose: 0 });
    const afterFirstEpoch = tf.memory().numTensors;
    await model.fit(x, y, { batchSize: 8, epochs: 39, verbose: 0 }); // 5 batches × 39 = 195 more steps
    expect(tf.memory().numTensors).toBe(afterFirstEpoch);
    expect(model.optimizer.iterations).toBe(200);
    tf.dispose([w, x, y]);
  });
});

describe('serialization', () => {
  it('is not registered by importing the package, only by registerOptimizers() (idempotent)', () => {
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    expect(map['SGLD']).toBeUndefined();
    expect(registerOptimizers()).toEqual(['SGLD']);
    expect(registerOptimizers()).toEqual(['SGLD']);
    expect(map['SGLD']![0]).toBe(SGLD);
  });

  it('round trip through model.save(includeOptimizer) + tf.loadLayersModel restores SGLD and its noise stream', async () => {
    registerOptimizers();
    const { x, y } = makeData(48);
    const model = makeModel(sgld({ learningRate: 0.05, diffusion: 2e-4, seed: 11 }));
    await model.fit(x, y, { batchSize: 16, epochs: 1, shuffle: false, verbose: 0 });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    expect((saved!.trainingConfig!.optimizer_config as { class_name: string }).class_name).toBe('SGLD');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const opt = loaded.optimizer as SGLD;
    // `instanceof` is duck-typed for tfjs optimizers (tfjs-core's Optimizer defines Symbol.hasInstance), so compare the constructor.
    expect(opt.constructor).toBe(SGLD);
    expect(opt.getClassName()).toBe('SGLD');
    expect(opt.getConfig()).toEqual({ learningRate: 0.05, diffusion: 2e-4, seed: 11 });
    expect(opt.diffusion).toBe(2e-4);
    expect(opt.iterations).toBe(3);
    // Same weights, same iteration counter → the next step (gradient and noise) is the same, bit for bit.
    await model.trainOnBatch(x, y);
    await loaded.trainOnBatch(x, y);
    expect(weightsOf(loaded)).toEqual(weightsOf(model));
    tf.dispose([x, y]);
  });
});

describe('backends', () => {
  it('cpu and wasm give the same SGLD trajectory for the same gradients, bit for bit', async () => {
    const trajectory = async (backend: string) => {
      await tf.setBackend(backend);
      await tf.ready();
      const before = tf.memory().numTensors;
      const init = tf.tensor2d([[0.5, -0.25, 1], [2, -3, 0.125]]);
      const w = tf.variable(init, true, `bk_${backend}`);
      init.dispose();
      const opt = sgld({ learningRate: 0.03, diffusion: 0.01, seed: 6 });
      const f = () => tf.sum(tf.mul(w, w)) as tf.Scalar; // gradient 2w: exact in float32
      for (let s = 0; s < 10; s++) opt.minimize(f, false, [w]);
      const out = Array.from(w.dataSync());
      w.dispose();
      opt.dispose();
      expect(tf.memory().numTensors).toBe(before);
      return out;
    };
    const cpu = await trajectory('cpu');
    const wasm = await trajectory('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(wasm).toEqual(cpu);
    await tf.setBackend('cpu');
  });

  it('trains a layers model on wasm', async () => {
    await tf.setBackend('wasm');
    const { x, y } = makeData();
    const model = makeModel(sgld({ learningRate: 0.1, diffusion: 1e-4, seed: 1 }));
    const h = await model.fit(x, y, { batchSize: 16, epochs: 3, verbose: 0 });
    expect(h.history['loss']!.every((l) => Number.isFinite(l as number))).toBe(true);
    expect(model.optimizer.iterations).toBe(12);
    tf.dispose([x, y]);
    await tf.setBackend('cpu');
  });
});

describe('options', () => {
  it('bad options name the field, the value and the fix', () => {
    expect(() => sgld({ learningRate: 0, diffusion: 1, seed: 1 })).toThrow(
      'sgld: learningRate = 0; use a finite number > 0, e.g. 0.1',
    );
    expect(() => sgld({ learningRate: Number.NaN, diffusion: 1, seed: 1 })).toThrow('sgld: learningRate = NaN;');
    expect(() => sgld({ learningRate: 0.1, diffusion: -1, seed: 1 })).toThrow(
      'sgld: diffusion = -1; use a finite number ≥ 0 (the temperature D; 0 gives plain SGD), e.g. 1e-4',
    );
    expect(() => sgld({ learningRate: 0.1, diffusion: '0.1' as unknown as number, seed: 1 })).toThrow(
      "sgld: diffusion = '0.1'; use a finite number ≥ 0",
    );
    expect(() => sgld({ learningRate: 0.1, diffusion: 0, seed: 1.5 })).toThrow(
      'sgld: seed = 1.5; use a non-negative integer, e.g. 1',
    );
    expect(() => sgld({ learningRate: 0.1, diffusion: 0 } as unknown as { learningRate: number; diffusion: number; seed: number })).toThrow(
      'sgld: seed = undefined; use a non-negative integer, e.g. 1',
    );
    expect(() => sgld(undefined as never)).toThrow('sgld: pass an options object {learningRate, diffusion, seed}');
    expect(() => new SGLD(0.1, Infinity, 1)).toThrow('new SGLD: diffusion = Infinity;');
    expect(() => SGLD.fromConfig(SGLD, { learningRate: 0.1, diffusion: 0.01 })).toThrow(
      'SGLD.fromConfig (saved optimizer config): seed = undefined; use a non-negative integer, e.g. 1',
    );
  });

  it('reports D, the seed and the noise scale; the noise follows setLearningRate at fixed D', () => {
    const opt = sgld({ learningRate: 0.1, diffusion: 0.5, seed: 3 });
    expect([opt.diffusion, opt.seed]).toEqual([0.5, 3]);
    expect(opt.noiseStd).toBe(Math.sqrt(0.1));
    opt.setLearningRate(0.4);
    expect(opt.noiseStd).toBe(Math.sqrt(0.4));
    expect(opt.getConfig()).toEqual({ learningRate: 0.4, diffusion: 0.5, seed: 3 });
    expect(opt.lastInjectedNoiseSquaredNorm).toBe(0);
    opt.dispose();
  });
});
