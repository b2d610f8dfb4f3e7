import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import { createGradientWindow } from './gradient-window.js';
import { twoBatchGradNormSq, twoBatchTraceSigma } from './noise-scale.js';
import { gaussianGradients } from '../test/support/gaussian-gradients.js';

describe('createGradientWindow', () => {
  it('gives |g_t|² and the batch-weighted mean of the last k gradients, across many wrap-arounds', () => {
    const rng = createRng(1);
    const n = 7;
    const k = 5;
    const window = createGradientWindow({ size: n, steps: k });
    const history: { g: Float32Array; b: number }[] = [];
    for (let t = 0; t < 37; t++) {
      const g = Float32Array.from({ length: n }, () => rng.normal());
      const b = t % 4 === 3 ? 5 : 16; // a short last batch now and then
      history.push({ g, b });
      const norms = window.push(g, b);
      if (t < k - 1) {
        expect(norms).toBeUndefined();
        continue;
      }
      const last = history.slice(-k);
      const total = last.reduce((s, h) => s + h.b, 0);
      const big = Array.from({ length: n }, (_, i) => last.reduce((s, h) => s + h.b * h.g[i]!, 0) / total);
      expect(norms!.smallBatch).toBe(b);
      expect(norms!.smallNormSq).toBeCloseTo(g.reduce((s, v) => s + v * v, 0), 12);
      expect(norms!.bigBatch).toBe(total);
      expect(norms!.bigNormSq).toBeCloseTo(big.reduce((s, v) => s + v * v, 0), 12);
    }
    expect(window.length).toBe(k);
  });

  it('refuses a non-finite gradient without storing it, and clear() empties the window', () => {
    const window = createGradientWindow({ size: 2, steps: 2 });
    expect(window.push([1, 0], 1)).toBeUndefined();
    expect(window.push([NaN, 0], 1)).toBeUndefined();
    expect(window.skipped).toBe(1);
    expect(window.length).toBe(1);
    const norms = window.push([0, 1], 1);
    expect(norms).toEqual({ smallBatch: 1, smallNormSq: 1, bigBatch: 2, bigNormSq: 0.5 });
    window.clear();
    expect(window.length).toBe(0);
    expect(window.push([0, 1], 1)).toBeUndefined();
  });

  it('refuses gradients of the wrong length, bad batch sizes and bad options', () => {
    const window = createGradientWindow({ size: 3 });
    expect(() => window.push([1, 2], 1)).toThrow(/expected 3 values, got 2/);
    expect(() => window.push([1, 2, 3], 0)).toThrow(/batchSize/);
    expect(() => createGradientWindow({ size: 3, steps: 1 })).toThrow(/steps/);
  });

  it('while θ moves, the per-step estimates are biased as documented: (|G_t|² − |Ḡ_w|²)/(1/B − 1/B_big) on tr Σ', () => {
    // The true gradient shrinks along a fixed direction over the window: G_i = (1 − 0.05 i)·G_0, i = 0..k−1.
    const n = 20;
    const k = 10;
    const b = 8;
    const problem = gaussianGradients(n, 4, 20, 3);
    const rng = createRng(4);
    const scales = Array.from({ length: k }, (_, i) => 1 - 0.05 * i);
    const g = new Float64Array(n);
    const replicates = 20_000;
    let traceSum = 0;
    let gradSum = 0;
    for (let r = 0; r < replicates; r++) {
      const window = createGradientWindow({ size: n, steps: k });
      let norms;
      for (const s of scales) {
        problem.sample(g, rng, b);
        for (let i = 0; i < n; i++) g[i] = g[i]! + (s - 1) * problem.mean[i]!; // shift the mean to s·G_0
        norms = window.push(g, b);
      }
      traceSum += twoBatchTraceSigma(norms!);
      gradSum += twoBatchGradNormSq(norms!);
    }
    const gT = scales[k - 1]! ** 2 * 4; // |G_t|²
    const gW = (scales.reduce((s, v) => s + v, 0) / k) ** 2 * 4; // |Ḡ_w|²
    const bBig = k * b;
    const predictedTrace = 20 + (gT - gW) / (1 / b - 1 / bBig);
    const predictedGrad = gT + (bBig * (gW - gT)) / (bBig - b);
    // Monte Carlo error of the mean: sd of one tr Σ estimate ≈ 8 here, /√20000 ≈ 0.06
    expect(Math.abs(traceSum / replicates - predictedTrace)).toBeLessThan(0.25);
    expect(Math.abs(gradSum / replicates - predictedGrad)).toBeLessThan(0.03);
    expect(predictedTrace).toBeLessThan(20 - 3); // shrinking |G|: tr Σ underestimated by 15 %+
    console.log(
      `[gradient-window] |G| shrinking 5 %/step, k=10, B=8: mean tr Σ̂ ${(traceSum / replicates).toFixed(3)} (predicted ${predictedTrace.toFixed(3)}, true 20); mean |Ĝ|² ${(gradSum / replicates).toFixed(4)} (predicted ${predictedGrad.toFixed(4)}, |G_t|² ${gT.toFixed(4)})`,
    );
  });
});
