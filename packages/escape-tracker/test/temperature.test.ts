import { describe, expect, it } from 'vitest';
import { effectiveLearningRate, stationaryVariance, temperature } from '../src/index.js';
import type { TemperatureInput } from '../src/index.js';
import { createTestRng } from './rng.js';

describe('temperature', () => {
  it('gives the tabulated temperature for each optimizer', () => {
    expect(temperature({ optimizer: 'sgd', learningRate: 0.1, batchSize: 4, curvature: 2 })).toBeCloseTo(0.025, 15);
    // At a col the negative curvature enters as |H| ([H]⁺).
    expect(temperature({ optimizer: 'sgd', learningRate: 0.1, batchSize: 4, curvature: -2 })).toBeCloseTo(0.025, 15);
    expect(temperature({ optimizer: 'sgld', diffusion: 3e-4 })).toBe(3e-4);
    expect(temperature({ optimizer: 'momentum', learningRate: 0.1, batchSize: 4, curvature: 2, momentum: 0.9 })).toBeCloseTo(0.25, 14);
    // √(H/B) = 0.5, so T = 0.1 · 0.5/2.
    expect(temperature({ optimizer: 'adam', learningRate: 0.1, batchSize: 8, curvature: 2 })).toBeCloseTo(0.025, 15);
    expect(temperature({ optimizer: 'adam', learningRate: 0.1, batchSize: 8, curvature: 2, epsilon: 0.5 })).toBeCloseTo((0.1 * 0.25) / 2, 15);
  });

  it('EMA momentum (dampening = β, m ← βm + (1 − β)g) has SGD\'s temperature for any β', () => {
    for (const beta of [0, 0.5, 0.9, 0.99]) {
      const input: TemperatureInput = { optimizer: 'momentum', learningRate: 0.2, batchSize: 3, curvature: 5, momentum: beta, dampening: beta };
      expect(temperature(input)).toBeCloseTo(temperature({ optimizer: 'sgd', learningRate: 0.2, batchSize: 3, curvature: 5 }), 14);
      expect(effectiveLearningRate(input)).toBeCloseTo(0.2, 14);
    }
  });

  it('heavy-ball temperature matches a seeded simulation of tfjs momentum on a quadratic (small η)', () => {
    // θ ← θ − ηm, m ← βm + g, g = λθ + ξ, Var ξ = λ/B: stationary Var θ ≈ T/λ with T = η_eff λ/(2B).
    const rng = createTestRng(3);
    const eta = 0.002;
    const beta = 0.9;
    const lambda = 1;
    const b = 1;
    let theta = 0;
    let m = 0;
    let sum2 = 0;
    let n = 0;
    for (let t = 0; t < 2_000_000; t++) {
      m = beta * m + lambda * theta + Math.sqrt(lambda / b) * rng.normal();
      theta -= eta * m;
      if (t >= 50_000) {
        sum2 += theta * theta;
        n++;
      }
    }
    const predicted = temperature({ optimizer: 'momentum', learningRate: eta, batchSize: b, curvature: lambda, momentum: beta }) / lambda;
    // Correlation time ≈ 1/(η_eff λ) = 50 steps, so ~40 000 independent samples: SE ≈ 0.7 %; the discrete-time
    // correction is O(η_eff λ) = 2 %.
    expect(Math.abs(sum2 / n / predicted - 1)).toBeLessThan(0.05);
  });

  it('rejects bad input naming the field', () => {
    expect(() => temperature({ optimizer: 'sgd', learningRate: 0.1, batchSize: 0, curvature: 1 })).toThrow(/batchSize/);
    expect(() => temperature({ optimizer: 'momentum', learningRate: 0.1, batchSize: 1, curvature: 1, momentum: 1 })).toThrow(/momentum/);
    expect(() => temperature({ optimizer: 'sgld', diffusion: -1 })).toThrow(/diffusion/);
    // @ts-expect-error — SGD without a batch size must not compile.
    expect(() => temperature({ optimizer: 'sgd', learningRate: 0.1, curvature: 1 })).toThrow(/batchSize/);
    // @ts-expect-error — Adam without a curvature must not compile.
    expect(() => temperature({ optimizer: 'adam', learningRate: 0.1, batchSize: 1 })).toThrow(/curvature/);
  });
});

describe('stationaryVariance', () => {
  it('equals the fixed point of the exact variance recursion v ← (1 − ηλ)²v + q', () => {
    const cases = [
      { eta: 0.1, lambda: 3, b: 4, d: 0.01 },
      { eta: 0.5, lambda: 3.5, b: 1, d: 0.2 },
      { eta: 1e-3, lambda: 0.7, b: 32, d: 1e-4 },
    ];
    for (const { eta, lambda, b, d } of cases) {
      const a = (1 - eta * lambda) ** 2;
      // Geometric series of the recursion, q/(1 − a).
      expect(stationaryVariance({ optimizer: 'sgd', learningRate: eta, batchSize: b, curvature: lambda })).toBeCloseTo(((eta * eta * lambda) / b) / (1 - a), 12);
      expect(stationaryVariance({ optimizer: 'sgld', learningRate: eta, diffusion: d, curvature: lambda })).toBeCloseTo((2 * eta * d) / (1 - a), 12);
    }
  });

  it('matches a seeded SGD simulation at large ηλ, where the continuous-time η/(2B) is 8× off', () => {
    const rng = createTestRng(4);
    const eta = 0.5;
    const lambda = 3.5; // ηλ = 1.75
    const b = 2;
    let x = 0;
    let s2 = 0;
    const n = 400_000;
    for (let t = 0; t < n + 100; t++) {
      x -= eta * (lambda * x + Math.sqrt(lambda / b) * rng.normal());
      if (t >= 100) s2 += x * x;
    }
    const predicted = stationaryVariance({ optimizer: 'sgd', learningRate: eta, batchSize: b, curvature: lambda });
    expect(predicted / (eta / (2 * b))).toBeCloseTo(8, 12);
    // AR(1) with coefficient −0.75: effective sample size n(1 − a²)/(1 + a²)… ≈ n/3.6, SE of the variance ≈ 0.4 %.
    expect(Math.abs(s2 / n / predicted - 1)).toBeLessThan(0.015);
    expect(() => stationaryVariance({ optimizer: 'sgd', learningRate: 1, batchSize: 1, curvature: 2 })).toThrow(/< 2/);
  });
});
