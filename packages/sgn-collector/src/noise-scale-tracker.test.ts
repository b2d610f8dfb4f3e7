import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import { createGradientWindow } from './gradient-window.js';
import { createNoiseScaleTracker } from './noise-scale-tracker.js';
import { noiseScaleAtPoint, twoBatchTraceSigma } from './noise-scale.js';
import { gaussianGradients } from '../test/support/gaussian-gradients.js';

describe('createNoiseScaleTracker', () => {
  it('is exact from the first step on exact norms (bias correction), and reports the ratio of the averages', () => {
    const tracker = createNoiseScaleTracker();
    expect(tracker.estimate().bSimple).toBeUndefined(); // nothing yet
    tracker.observe({ smallBatch: 4, smallNormSq: 2 + 10 / 4, bigBatch: 40, bigNormSq: 2 + 10 / 40 });
    const first = tracker.estimate();
    expect(first.gradNormSq).toBeCloseTo(2, 12);
    expect(first.traceSigma).toBeCloseTo(10, 12);
    expect(first.bSimple).toBeCloseTo(5, 12);
    expect(first.steps).toBe(1);
    // a second step with |G|² = 0.1, tr Σ = 10 (per-step B_simple 100): the ratio of EMAs, not the mean of ratios
    tracker.observe({ smallBatch: 4, smallNormSq: 0.1 + 10 / 4, bigBatch: 40, bigNormSq: 0.1 + 10 / 40 });
    const beta = 0.99;
    const emaGrad = (beta * (1 - beta) * 2 + (1 - beta) * 0.1) / (1 - beta ** 2);
    expect(tracker.estimate().gradNormSq).toBeCloseTo(emaGrad, 12);
    expect(tracker.estimate().bSimple).toBeCloseTo(10 / emaGrad, 10);
  });

  it('is not yet estimable while EMA(|G|²) ≤ 0, and skips non-finite steps', () => {
    const tracker = createNoiseScaleTracker({ beta: 0.9 });
    // |G_big|² below what the noise alone implies: |G|² estimate −1
    tracker.observe({ smallBatch: 1, smallNormSq: 10, bigBatch: 10, bigNormSq: 0.1 });
    expect(tracker.estimate().gradNormSq).toBeLessThan(0);
    expect(tracker.estimate().bSimple).toBeUndefined();
    expect(tracker.observe({ smallBatch: 1, smallNormSq: NaN, bigBatch: 10, bigNormSq: 1 })).toBe(false);
    expect(tracker.observe({ smallBatch: 1, smallNormSq: 1, bigBatch: 10, bigNormSq: Infinity })).toBe(false);
    expect(tracker.estimate()).toMatchObject({ steps: 1, skipped: 2 });
    tracker.reset();
    expect(tracker.estimate()).toMatchObject({ steps: 0, skipped: 0, bSimple: undefined });
    expect(() => tracker.observe({ smallBatch: 8, smallNormSq: 1, bigBatch: 8, bigNormSq: 1 })).toThrow(/smallBatch < bigBatch/);
    expect(() => createNoiseScaleTracker({ beta: 1 })).toThrow(/beta/);
  });

  // |G|² = 1, tr Σ = 16: B_simple = 16; minibatches of B = 8, window k = 10 (B_big = 80). Σ is strongly
  // anisotropic, so one step's estimates scatter widely (±90 % for tr Σ, ±20 % for |G|²), and consecutive |G|²
  // estimates share 9 of their 10 gradients.
  const n = 32;
  const b = 8;
  const truth = 16;
  const problem = gaussianGradients(n, 1, truth, 11);
  const stream = (beta: number, steps: number) => {
    const window = createGradientWindow({ size: n, steps: 10 });
    const tracker = createNoiseScaleTracker({ beta });
    const rng = createRng(12);
    const g = new Float64Array(n);
    const readings: number[] = [];
    const perStep: number[] = [];
    for (let t = 0; t < steps; t++) {
      problem.sample(g, rng, b);
      const norms = window.push(g, b);
      if (norms) {
        tracker.observe(norms);
        perStep.push(twoBatchTraceSigma(norms));
      }
      if (t % 1000 === 999) readings.push(tracker.estimate().bSimple ?? NaN);
    }
    return { final: tracker.estimate(), readings, perStep };
  };
  const spread = (values: number[]) => {
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    return { mean, sd: Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) };
  };

  it('on a stationary stream converges to the true B_simple and to the fixed-θ estimate (within 5 %; β = 0.999)', () => {
    const { final, readings } = stream(0.999, 50_000);
    const atPoint = noiseScaleAtPoint({ kind: 'per-example', gradients: { rows: 100_000, size: n, values: problem.matrix(100_000, 13) } });
    const late = spread(readings.slice(5)); // from step 6000, several EMA memories in
    expect(final.steps).toBe(50_000 - 9);
    expect(Math.abs(final.bSimple! / truth - 1)).toBeLessThan(0.05);
    expect(Math.abs(late.mean / truth - 1)).toBeLessThan(0.02);
    expect(Math.abs(late.mean / atPoint.bSimple! - 1)).toBeLessThan(0.03);
    expect(late.sd / late.mean).toBeLessThan(0.05);
    console.log(
      `[noise-scale-tracker] β=0.999, 50000 steps: final B_simple ${final.bSimple!.toFixed(3)}, readings every 1000 steps from 6000 ${late.mean.toFixed(3)} ± ${late.sd.toFixed(3)} (relative ${(late.sd / late.mean).toFixed(3)}); true ${truth}, fixed-θ (1e5 rows) ${atPoint.bSimple!.toFixed(3)} ± ${atPoint.stdErr!.toFixed(3)}`,
    );
  });

  it('with the default β = 0.99 the readings centre on the truth and scatter by under 10 %', () => {
    const { readings, perStep } = stream(0.99, 30_000);
    const late = spread(readings.slice(2));
    const step = spread(perStep);
    expect(Math.abs(late.mean / truth - 1)).toBeLessThan(0.03);
    expect(late.sd / late.mean).toBeLessThan(0.1);
    console.log(
      `[noise-scale-tracker] β=0.99: per-step tr Σ estimate ${step.mean.toFixed(2)} ± ${step.sd.toFixed(2)}; readings every 1000 steps ${late.mean.toFixed(3)} ± ${late.sd.toFixed(3)} (relative ${(late.sd / late.mean).toFixed(3)})`,
    );
  });
});
