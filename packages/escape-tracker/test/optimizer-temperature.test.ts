import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { flatLayout } from '@kramers/core';
import { sgld } from '@kramers/optimizers';
import { directionTemperature, effectiveStep, preconditionerAlong, readOptimizer } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const C = 0.3; // a noise variance uᵀCu along some direction

describe('readOptimizer and the unified temperature T = η_eff·p·C/2', () => {
  it('SGD: η_eff = η, p = 1', () => {
    const r = readOptimizer(tf.train.sgd(0.1));
    expect(r.kind).toBe('sgd');
    if (r.kind === 'unknown') return;
    expect(effectiveStep(r)).toBe(0.1);
    expect(directionTemperature(r, C, preconditionerAlong([0.6, 0.8], undefined))).toBeCloseTo((0.1 * C) / 2, 15);
  });

  it('tfjs momentum m ← βm + g: η_eff = η/(1 − β)', () => {
    const r = readOptimizer(tf.train.momentum(0.1, 0.9));
    expect(r.kind).toBe('momentum');
    if (r.kind === 'unknown') return;
    expect(effectiveStep(r)).toBeCloseTo(1, 12);
    expect(directionTemperature(r, C, 1)).toBeCloseTo(C / 2, 12);
  });

  it('SGLD: T = D + ηC/2, recognised before SGD (it extends SGDOptimizer)', () => {
    const r = readOptimizer(sgld({ learningRate: 0.05, diffusion: 1e-3, seed: 1 }));
    expect(r).toMatchObject({ kind: 'sgld', className: 'SGLD', learningRate: 0.05, diffusion: 1e-3 });
    if (r.kind === 'unknown') return;
    expect(directionTemperature(r, C, 1)).toBeCloseTo(1e-3 + (0.05 * C) / 2, 15);
  });

  it('Adam: p_e = Σu²/(√v̂ + ε) from its second moments after a few steps, v̂ = v/(1 − β₂ᵗ)', async () => {
    const w = tf.variable(tf.tensor1d([0.5, -1.2, 2.0]), true, 'adamTestW');
    const b = tf.variable(tf.scalar(0.3), true, 'adamTestB');
    const opt = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    const loss = () => tf.tidy(() => tf.sum(tf.square(w).mul(tf.tensor1d([1, 2, 3]))).add(tf.square(b).mul(5)) as tf.Scalar);
    const t = 4;
    for (let i = 0; i < t; i++) opt.minimize(loss, false, [w, b]);
    // v from the public getWeights (named "<variable>/v"), bias-corrected with the step count this test made
    const weights = await opt.getWeights();
    const v = (name: string) => Array.from(weights.find((x) => x.name === `${name}/v`)!.tensor.dataSync());
    const vHat = [...v('adamTestW'), ...v('adamTestB')].map((x) => x / (1 - 0.999 ** t));
    const u = [0.5, 0.5, 0.5, 0.5];
    const byHand = vHat.reduce((s, vi, i) => s + u[i]! ** 2 / (Math.sqrt(vi) + 1e-7), 0);
    const r = readOptimizer(opt);
    expect(r.kind).toBe('adam');
    if (r.kind !== 'adam') return;
    const p = r.preconditioner(flatLayout([w, b]));
    // tfjs keeps β₂ᵗ in float32: 1 − β₂ᵗ ≈ 4e-3 carries a relative rounding of ≈ 1.5e-5, half of it through the √
    expect(Math.abs(preconditionerAlong(u, p) / byHand - 1)).toBeLessThan(3e-5);
    expect(Math.abs(directionTemperature(r, C, preconditionerAlong(u, p)) / ((0.01 * byHand * C) / 2) - 1)).toBeLessThan(3e-5);
    tf.dispose([w, b]);
    opt.dispose();
  });

  it('RMSProp: p_i = 1/√(ms_i + ε) and η_eff = η/(1 − momentum)', async () => {
    const w = tf.variable(tf.tensor1d([1, -2]), true, 'rmsTestW');
    const opt = tf.train.rmsprop(0.01, 0.9, 0.5, 1e-6);
    const loss = () => tf.tidy(() => tf.sum(tf.square(w)) as tf.Scalar);
    for (let i = 0; i < 3; i++) opt.minimize(loss, false, [w]);
    const weights = await opt.getWeights();
    const ms = Array.from(weights.find((x) => x.name === 'rmsTestW/rms')!.tensor.dataSync());
    const r = readOptimizer(opt);
    expect(r.kind).toBe('rmsprop');
    if (r.kind !== 'rmsprop') return;
    const p = r.preconditioner(flatLayout([w]));
    expect(p[0]).toBeCloseTo(1 / Math.sqrt(ms[0]! + 1e-6), 4);
    expect(p[1]).toBeCloseTo(1 / Math.sqrt(ms[1]! + 1e-6), 4);
    expect(effectiveStep(r)).toBeCloseTo(0.02, 12);
    w.dispose();
  });

  it('an optimizer it cannot read is "unknown" with the reason, never an exception', () => {
    expect(readOptimizer(tf.train.adagrad(0.1))).toMatchObject({ kind: 'unknown', className: 'Adagrad', why: expect.stringContaining('SGD, momentum, SGLD, Adam and RMSProp only') });
  });
});
