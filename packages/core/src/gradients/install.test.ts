/**
 * Install/uninstall semantics of the registry, the startup probe, and tensor hygiene of repeated HVPs.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { hvpByDoubleBackprop } from './hvp-reference.js';
import { installSecondOrderGradients, secondOrderGradientsInstalled, secondOrderKernelNames } from './install.js';
import { probeSecondOrderSupport } from './probe-second-order.js';
import { softmaxCrossEntropy } from './log-softmax.js';

const registry = (): Array<tf.GradConfig | undefined> => secondOrderKernelNames.map((k) => tf.getGradient(k) ?? undefined);

describe('installSecondOrderGradients', () => {
  it('is not applied on import: the stock registry is in place', () => {
    expect(secondOrderGradientsInstalled()).toBe(false);
    // Stock Tanh saves its output only; comparison kernels have no gradient in tfjs 4.22.
    expect(tf.getGradient('Tanh')?.outputsToSave).toEqual([true]);
    expect(tf.getGradient('Tanh')?.inputsToSave).toBeUndefined();
    expect(tf.getGradient('Equal')).toBeFalsy();
    expect(tf.getGradient('LogicalAnd')).toBeFalsy();
  });

  it('covers the recomputed-output, mask-kernel and backward-kernel groups and BatchMatMul', () => {
    expect([...secondOrderKernelNames].sort()).toEqual(
      [
        'Tanh', 'Sigmoid', 'Exp', 'Softmax', 'Elu', 'Pow',
        'Equal', 'NotEqual', 'Greater', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr', 'LogicalNot',
        'MaxPoolGrad', 'AvgPoolGrad', 'Conv2DBackpropFilter',
        'BatchMatMul',
      ].sort(),
    );
  });

  it('uninstall restores the identical previous configs and unregisters added ones', () => {
    const before = registry();
    const uninstall = installSecondOrderGradients();
    const during = registry();
    during.forEach((cfg, i) => {
      expect(cfg, secondOrderKernelNames[i]).toBeDefined();
      expect(cfg, secondOrderKernelNames[i]).not.toBe(before[i]);
    });
    uninstall();
    const after = registry();
    after.forEach((cfg, i) => expect(cfg, secondOrderKernelNames[i]).toBe(before[i]));
    expect(secondOrderGradientsInstalled()).toBe(false);
  });

  it('is idempotent and reference-counted; each uninstall works once', () => {
    const before = registry();
    const u1 = installSecondOrderGradients();
    const first = registry();
    const u2 = installSecondOrderGradients();
    registry().forEach((cfg, i) => expect(cfg).toBe(first[i]));
    u1();
    u1();
    registry().forEach((cfg, i) => expect(cfg).toBe(first[i]));
    expect(secondOrderGradientsInstalled()).toBe(true);
    u2();
    registry().forEach((cfg, i) => expect(cfg).toBe(before[i]));
    u2();
    registry().forEach((cfg, i) => expect(cfg).toBe(before[i]));
  });

  it('leaves a gradient registered by someone else after install in place', () => {
    const stockTanh = tf.getGradient('Tanh');
    const uninstall = installSecondOrderGradients();
    const theirs: tf.GradConfig = { ...stockTanh };
    tf.registerGradient(theirs);
    uninstall();
    expect(tf.getGradient('Tanh')).toBe(theirs);
    tf.registerGradient(stockTanh);
    expect(tf.getGradient('Tanh')).toBe(stockTanh);
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`probeSecondOrderSupport on ${backend}`, () => {
    it('fails on the stock registry and passes with the registry installed, without leaking', async () => {
      await tf.setBackend(backend);
      await tf.ready();
      const n0 = tf.memory().numTensors;
      const stock = probeSecondOrderSupport();
      const uninstall = installSecondOrderGradients();
      let fixed: ReturnType<typeof probeSecondOrderSupport>;
      try {
        fixed = probeSecondOrderSupport();
      } finally {
        uninstall();
      }
      console.log(`[${backend}] probe stock failures:\n  ${stock.failures.map((f) => f.slice(0, 100)).join('\n  ')}`);
      console.log(`[${backend}] probe installed relErrs: ${JSON.stringify(fixed.relErrors)}`);
      expect(stock.ok).toBe(false);
      for (const name of ['tanh', 'sigmoid', 'exp', 'softmax', 'elu', 'pow', 'mlp (tanh, relu, softmax cross-entropy)']) {
        expect(stock.failures.some((f) => f.startsWith(`${name}:`)), name).toBe(true);
      }
      expect(fixed.failures).toEqual([]);
      expect(fixed.ok).toBe(true);
      for (const err of Object.values(fixed.relErrors)) expect(err).toBeLessThan(1e-4);
      expect(tf.memory().numTensors).toBe(n0);
    });
  });

  describe(`repeated HVPs on ${backend}`, () => {
    it('keep numTensors flat over 50 HVPs', async () => {
      await tf.setBackend(backend);
      await tf.ready();
      const uninstall = installSecondOrderGradients();
      const rng = createRng(7);
      const make = (shape: number[]): tf.Tensor =>
        tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
      const x = make([16, 5]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, () => rng.int(3)), 'int32'), 3));
      const vars = [make([5, 8]), make([8]), make([8, 3]), make([3])].map((t) => {
        const v = tf.variable(t);
        t.dispose();
        return v;
      });
      const v = vars.map((p) => make(p.shape));
      const f = (): tf.Scalar => {
        const h = tf.tanh(tf.add(tf.matMul(x, vars[0]!), vars[1]!));
        return softmaxCrossEntropy(y, tf.add(tf.matMul(tf.elu(h), vars[2]!), vars[3]!));
      };
      try {
        tf.dispose(hvpByDoubleBackprop(f, vars, v)); // warm-up: lazily created backend state
        const n0 = tf.memory().numTensors;
        for (let i = 0; i < 50; i++) tf.dispose(hvpByDoubleBackprop(f, vars, v));
        expect(tf.memory().numTensors).toBe(n0);
      } finally {
        uninstall();
        tf.dispose([x, y, ...vars, ...v]);
      }
    });
  });
}
