import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import { minibatchNoiseAlong, minibatchNoiseVectors } from './minibatch-noise.js';

describe('minibatch noise drawn from per-example values', () => {
  it('along a direction: mean 0 and variance σ²/B·(m − B)/(m − 1), the without-replacement variance', () => {
    const rng = createRng(3);
    const m = 400;
    const raw = Float64Array.from({ length: m }, () => rng.normal() * 2 + 0.3 * rng.next());
    const mean = raw.reduce((s, v) => s + v, 0) / m;
    const centred = raw.map((v) => v - mean);
    const sigma2 = centred.reduce((s, v) => s + v * v, 0) / m;
    const B = 16;
    const K = 200_000;
    const draws = minibatchNoiseAlong(centred, B, K, createRng(9));
    const mu = draws.reduce((s, v) => s + v, 0) / K;
    const variance = draws.reduce((s, v) => s + (v - mu) ** 2, 0) / (K - 1);
    const expected = (sigma2 / B) * ((m - B) / (m - 1));
    // the sample variance of K draws has relative sd ≈ √(2/K) ≈ 0.32 %
    expect(Math.abs(variance / expected - 1)).toBeLessThan(0.012);
    expect(Math.abs(mu)).toBeLessThan((4 * Math.sqrt(expected)) / Math.sqrt(K));
  });

  it('vectors: every coordinate is a minibatch mean minus the full mean; B = m gives zero noise', () => {
    const rows = 5;
    const size = 3;
    const values = Float32Array.from({ length: rows * size }, (_, i) => (i * 7) % 11);
    const mean = Array.from({ length: size }, (_, p) => Array.from({ length: rows }, (_, j) => values[j * size + p]!).reduce((s, v) => s + v, 0) / rows);
    const all = minibatchNoiseVectors({ rows, size, values }, mean, rows, 4, createRng(1));
    for (const v of all.values) expect(Math.abs(v)).toBeLessThan(1e-6);
    const one = minibatchNoiseVectors({ rows, size, values }, mean, 1, 50, createRng(2));
    // with B = 1 each sample is one row minus the mean: it must be one of the rows
    for (let k = 0; k < one.rows; k++) {
      const sample = Array.from(one.values.subarray(k * size, (k + 1) * size), (v, p) => v + mean[p]!);
      const match = Array.from({ length: rows }, (_, j) => sample.every((v, p) => Math.abs(v - values[j * size + p]!) < 1e-5));
      expect(match.some(Boolean)).toBe(true);
    }
    expect(() => minibatchNoiseAlong([1, 2], 3, 10, createRng(0))).toThrow(/batchSize must be an integer in \[1, 2\]/);
  });
});
