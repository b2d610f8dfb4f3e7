import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@kramers/core';
import { makeFiniteDifferenceHvp, makeHvp, makeHvpOperator } from './hvp.js';
import { lanczos } from './lanczos.js';
import { Float64Mlp, jacobiEigen } from '../../../test/support/float64-mlp.js';
import { relativeError as relErr } from '../../../test/support/numeric.js';

const rng = createRng(99);
const randomVector = (n: number) => Float64Array.from({ length: n }, () => rng.normal());
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('makeHvp (double backprop) against closed forms', () => {
  // L(w) = xᵀ A x with x = reshape(w): H = A + Aᵀ; w is 2-D so the flat order is row-major
  const n = 6;
  const aValues = Float64Array.from({ length: n * n }, () => rng.normal());
  const A = tf.tensor2d(Float32Array.from(aValues), [n, n]);
  const w = tf.variable(tf.tensor2d(Float32Array.from(randomVector(n)), [2, 3]));
  const lossFn = () => {
    const x = tf.reshape(w, [n, 1]);
    return tf.sum(tf.matMul(tf.matMul(x, A, true, false), x)) as tf.Scalar;
  };
  afterAll(() => {
    A.dispose();
    w.dispose();
  });

  it('quadratic xᵀAx via matMul: H·e_j is column j of A + Aᵀ', () => {
    const op = makeHvp({ lossFn, variables: [w] });
    expect(op.size).toBe(6);
    expect(op.method).toBe('double-backprop');
    const aF32 = Float32Array.from(aValues);
    for (let j = 0; j < n; j++) {
      const e = new Float64Array(n);
      e[j] = 1;
      const col = op.apply(e);
      for (let i = 0; i < n; i++) expect(col[i]!).toBeCloseTo(aF32[i * n + j]! + aF32[j * n + i]!, 5);
    }
  });

  it('Lanczos over the tfjs HVP finds the spectrum of A + Aᵀ (Jacobi reference)', () => {
    const op = makeHvp({ lossFn, variables: [w] });
    const sym = new Float64Array(n * n);
    const aF32 = Float32Array.from(aValues);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sym[i * n + j] = aF32[i * n + j]! + aF32[j * n + i]!;
    const { values } = jacobiEigen(sym, n);
    const r = lanczos(op, { k: 1, which: 'both', tol: 1e-5 });
    expect(r.eigenvalues[0]!).toBeCloseTo(values[n - 1]!, 4);
    expect(r.eigenvalues[1]!).toBeCloseTo(values[0]!, 4);
  });

  it('two variables of different shapes: elementwise log, softplus, a quartic and a cross term', () => {
    // L = Σ log(1 + a²) + Σ a⁴/4 + Σ softplus(b) + (Σ a)(Σ b); flat θ = [a (2×3 row-major), b (4)]
    const aInit = Float32Array.from(randomVector(6));
    const bInit = Float32Array.from(randomVector(4));
    const a = tf.variable(tf.tensor2d(aInit, [2, 3]));
    const b = tf.variable(tf.tensor1d(bInit));
    const loss = () =>
      tf.tidy(() =>
        tf.addN([
          tf.sum(tf.log(tf.add(1, tf.square(a)))),
          tf.div(tf.sum(tf.square(tf.square(a))), 4),
          tf.sum(tf.softplus(b)),
          tf.mul(tf.sum(a), tf.sum(b)),
        ]),
      ) as tf.Scalar;
    // closed-form Hessian in float64
    const H = new Float64Array(100);
    aInit.forEach((x, i) => {
      H[i * 10 + i] = (2 * (1 - x * x)) / (1 + x * x) ** 2 + 3 * x * x;
      for (let j = 6; j < 10; j++) {
        H[i * 10 + j] = 1;
        H[j * 10 + i] = 1;
      }
    });
    bInit.forEach((x, i) => {
      const s = 1 / (1 + Math.exp(-x));
      H[(6 + i) * 10 + 6 + i] = s * (1 - s);
    });
    const op = makeHvp({ lossFn: loss, variables: [a, b] });
    for (let trial = 0; trial < 3; trial++) {
      const v = randomVector(10);
      const want = Float64Array.from({ length: 10 }, (_, i) => {
        let s = 0;
        for (let j = 0; j < 10; j++) s += H[i * 10 + j]! * v[j]!;
        return s;
      });
      expect(relErr(op.apply(v), want)).toBeLessThan(1e-5);
    }
    a.dispose();
    b.dispose();
  });

  it('a ReLU network with MSE loss matches the exact float64 H·v of the same network', () => {
    // 3 → 5 (relu) → 1, 8 rows; reference: the test support's forward-over-reverse HVP at the same float32 values
    const X = Float32Array.from({ length: 24 }, () => rng.normal());
    const y = Float32Array.from({ length: 8 }, () => rng.normal());
    const theta0 = Float32Array.from(randomVector(26), (x) => 0.8 * x);
    const shapes: Array<[number[], number]> = [
      [[3, 5], 15],
      [[5], 5],
      [[5, 1], 5],
      [[1], 1],
    ];
    let off = 0;
    const vars = shapes.map(([shape, size]) => {
      const t = tf.variable(tf.tensor(theta0.slice(off, off + size), shape));
      off += size;
      return t;
    });
    const [W1, b1, W2, b2] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    const Xt = tf.tensor2d(X, [8, 3]);
    const yt = tf.tensor2d(y, [8, 1]);
    const loss = () =>
      tf.losses.meanSquaredError(yt, tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(Xt, W1), b1)), W2), b2)) as tf.Scalar;
    const reference = new Float64Mlp(
      {
        layers: [
          { inputs: 3, units: 5, activation: 'relu', bias: true },
          { inputs: 5, units: 1, activation: 'linear', bias: true },
        ],
        loss: 'meanSquaredError',
      },
      { x: Float64Array.from(X), y: Float64Array.from(y), rows: 8 },
    );
    const v = randomVector(26);
    const err = relErr(makeHvp({ lossFn: loss, variables: vars }).apply(v), reference.hvp(theta0, v));
    console.log(`[hvp] relu MSE network: H·v relErr ${err.toExponential(2)}`);
    expect(err).toBeLessThan(2e-7); // float32 rounding (measured 7.4e-8)
    vars.forEach((t) => t.dispose());
    Xt.dispose();
    yt.dispose();
  });

  it('does not leak tensors over 50 products', () => {
    const op = makeHvp({ lossFn, variables: [w] });
    op.apply(randomVector(n)); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) op.apply(randomVector(n));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad input with the field name', () => {
    const op = makeHvp({ lossFn, variables: [w] });
    expect(() => op.apply(new Float64Array(5))).toThrow(/length 6/);
    expect(() => makeHvp({ lossFn, variables: [] })).toThrow(/variables/);
    const frozen = tf.variable(tf.zeros([2]), false);
    expect(() => makeHvp({ lossFn, variables: [frozen] })).toThrow(/not trainable/);
    expect(() => makeHvp({ lossFn, variables: [w, w] })).toThrow(/listed twice/);
    frozen.dispose();
  });
});

describe('makeFiniteDifferenceHvp', () => {
  it('agrees with the closed form on a smooth loss and restores the variables bit for bit', () => {
    const init = Float32Array.from(randomVector(5));
    const p = tf.variable(tf.tensor1d(init));
    const loss = () => tf.sum(tf.add(tf.log(tf.add(1, tf.square(p))), tf.softplus(p))) as tf.Scalar;
    const op = makeFiniteDifferenceHvp({ lossFn: loss, variables: [p] }, { epsilon: 1e-2 });
    expect(op.method).toBe('finite-difference');
    const v = randomVector(5);
    const want = Float64Array.from(init, (x, i) => {
      const s = 1 / (1 + Math.exp(-x));
      return ((2 * (1 - x * x)) / (1 + x * x) ** 2 + s * (1 - s)) * v[i]!;
    });
    expect(relErr(op.apply(v), want)).toBeLessThan(2e-3);
    const after = p.dataSync();
    init.forEach((x, i) => expect(Object.is(after[i], x)).toBe(true));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) op.apply(randomVector(5));
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });

  it('restores the variables even when the loss throws mid-way', () => {
    const init = Float32Array.from([0.5, -1.25, 2]);
    const p = tf.variable(tf.tensor1d(init));
    let calls = 0;
    const loss = () => {
      if (++calls === 2) throw new Error('boom');
      return tf.sum(tf.square(p)) as tf.Scalar;
    };
    const op = makeFiniteDifferenceHvp({ lossFn: loss, variables: [p] });
    const before = tf.memory().numTensors;
    expect(() => op.apply(Float64Array.from([1, 2, 3]))).toThrow(/boom/);
    expect(Array.from(p.dataSync())).toEqual(Array.from(init));
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });

  it('rejects a bad epsilon', () => {
    const p = tf.variable(tf.zeros([2]));
    const loss = () => tf.sum(tf.square(p)) as tf.Scalar;
    expect(() => makeFiniteDifferenceHvp({ lossFn: loss, variables: [p] }, { epsilon: 0 })).toThrow(/epsilon/);
    p.dispose();
  });
});

describe('makeHvpOperator', () => {
  it('uses double backprop when the probe succeeds', () => {
    const p = tf.variable(tf.tensor1d([0.3, -0.7]));
    const op = makeHvpOperator({ lossFn: () => tf.sum(tf.square(tf.square(p))) as tf.Scalar, variables: [p] });
    expect(op.method).toBe('double-backprop');
    expect(op.fallbackReason).toBeUndefined();
    const hv = op.apply(Float64Array.from([1, 0]));
    expect(hv[0]!).toBeCloseTo(12 * 0.3 * 0.3, 5); // d²/dx² x⁴ = 12x²
    p.dispose();
  });

  it('is exact where stock double backprop is wrong or throws (the registry is scoped in), and falls back where even it throws', () => {
    const exactCases: Array<[string, (p: tf.Variable) => tf.Scalar, (x: number) => number]> = [
      // tanh saves its output: stock double backprop disconnects the inner gradient from p
      ['tanh', (p) => tf.sum(tf.tanh(p)) as tf.Scalar, (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2)],
      // max's gradient uses an Equal mask, which has no stock gradient: throws inside the backward pass
      ['max', (p) => tf.add(tf.sum(tf.square(p)), tf.max(p)) as tf.Scalar, () => 2],
    ];
    const init = [0.4, -0.2, 0.1];
    for (const [name, f, second] of exactCases) {
      const p = tf.variable(tf.tensor1d(init));
      const op = makeHvpOperator({ lossFn: () => f(p), variables: [p] });
      expect(op.method, name).toBe('double-backprop');
      expect(op.apply(Float64Array.from([1, 0, 0]))[0]!, name).toBeCloseTo(second(init[0]!), 5);
      p.dispose();
    }
    // prod's gradient needs Cumprod's, which tfjs does not have even under the registry
    const p = tf.variable(tf.tensor1d(init));
    const before = tf.memory().numTensors;
    const op = makeHvpOperator({ lossFn: () => tf.add(tf.sum(tf.square(p)), tf.prod(p)) as tf.Scalar, variables: [p] }, { epsilon: 1e-2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(op.method).toBe('finite-difference');
    expect(op.fallbackReason).toMatch(/\S/);
    // ∂²/∂p0² (Σp² + Πp) = 2
    expect(op.apply(Float64Array.from([1, 0, 0]))[0]!).toBeCloseTo(2, 2);
    console.log(`[makeHvpOperator] prod: fell back, reason "${op.fallbackReason}"`);
    p.dispose();
  });
});
