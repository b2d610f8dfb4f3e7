import { describe, expect, it } from 'vitest';
import { createRng, permutation } from '@kramers/core';
import { createGradientWindow } from './gradient-window.js';
import { finitePopulationNorms, noiseScaleAtPoint, simpleNoiseScale, twoBatchEstimate, twoBatchGradNormSq, twoBatchTraceSigma } from './noise-scale.js';
import { gaussianGradients } from '../test/support/gaussian-gradients.js';

describe('twoBatchEstimate (docs/theory.md §7)', () => {
  it('recovers |G|² and tr Σ exactly from exact expected norms', () => {
    // |G|² = 2, tr Σ = 10: E|G_B|² = 2 + 10/B
    const r = twoBatchEstimate({ smallBatch: 4, smallNormSq: 2 + 10 / 4, bigBatch: 40, bigNormSq: 2 + 10 / 40 });
    expect(r.gradNormSq).toBeCloseTo(2, 12);
    expect(r.traceSigma).toBeCloseTo(10, 12);
    expect(r.bSimple).toBeCloseTo(5, 12);
    expect(r.criticalBatchSize).toBe(r.bSimple);
  });

  it('refuses batch sizes that are not 0 < small < big', () => {
    expect(() => twoBatchEstimate({ smallBatch: 4, smallNormSq: 1, bigBatch: 4, bigNormSq: 1 })).toThrow(/smallBatch < bigBatch/);
    expect(() => twoBatchEstimate({ smallBatch: 0, smallNormSq: 1, bigBatch: 4, bigNormSq: 1 })).toThrow(/0 < smallBatch/);
  });
});

describe('simpleNoiseScale', () => {
  it('is undefined ("not yet estimable") when |G|² ≤ 0, tr Σ < 0 or either is not finite', () => {
    expect(simpleNoiseScale(2, 8).bSimple).toBe(4);
    expect(simpleNoiseScale(1, 0).bSimple).toBe(0); // no noise: B_simple = 0 is a real answer
    for (const [g, t] of [[0, 1], [-0.1, 1], [1, -0.1], [NaN, 1], [1, Infinity]] as const) {
      const r = simpleNoiseScale(g, t);
      expect(r.bSimple).toBeUndefined();
      expect(r.criticalBatchSize).toBeUndefined();
    }
  });
});

describe('noiseScaleAtPoint', () => {
  it('is §7 with B_small = 1, B_big = K on a hand example; wholeDataset gives the population values', () => {
    // rows (1, 0), (0, 1), (2, 2): ḡ = (1, 1), mean |g_j|² = 10/3
    const gradients = { rows: 3, size: 2, values: [1, 0, 0, 1, 2, 2] };
    const sample = noiseScaleAtPoint({ kind: 'per-example', gradients });
    const twoBatch = twoBatchEstimate({ smallBatch: 1, smallNormSq: 10 / 3, bigBatch: 3, bigNormSq: 2 });
    expect(sample.gradNormSq).toBeCloseTo(twoBatch.gradNormSq, 14); // 4/3
    expect(sample.traceSigma).toBeCloseTo(twoBatch.traceSigma, 14); // 2
    expect(sample.bSimple).toBeCloseTo(1.5, 14);
    const whole = noiseScaleAtPoint({ kind: 'per-example', gradients, wholeDataset: true });
    expect(whole.gradNormSq).toBeCloseTo(2, 14); // |ḡ|²
    expect(whole.traceSigma).toBeCloseTo(4 / 3, 14); // (1/3)·(1 + 1 + 2)
    expect(whole.bSimple).toBeCloseTo(2 / 3, 14);
    expect(whole.stdErr).toBe(0);
  });

  it('the jackknife standard error equals leave-one-out recomputation', () => {
    const rng = createRng(1);
    const rows = 12;
    const size = 5;
    const values = Float64Array.from({ length: rows * size }, (_, k) => rng.normal() + (k % size === 0 ? 2 : 0));
    const full = noiseScaleAtPoint({ kind: 'minibatch', gradients: { rows, size, values }, batchSize: 8 });
    const loo = Array.from({ length: rows }, (_, i) => {
      const kept = values.filter((_, k) => Math.floor(k / size) !== i);
      return noiseScaleAtPoint({ kind: 'minibatch', gradients: { rows: rows - 1, size, values: kept }, batchSize: 8 }).bSimple!;
    });
    const mean = loo.reduce((s, v) => s + v, 0) / rows;
    const expected = Math.sqrt(((rows - 1) / rows) * loo.reduce((s, v) => s + (v - mean) ** 2, 0));
    expect(full.stdErr).toBeCloseTo(expected, 10);
  });

  // n = 40, |G|² = 1, tr Σ = 50: B_simple = 50, with a strongly anisotropic Σ
  const problem = gaussianGradients(40, 1, 50, 7);

  it('per-example Gaussian gradients: |G|², tr Σ and B_simple within 5 % of the truth and within 3 standard errors', () => {
    const rows = 20_000;
    const r = noiseScaleAtPoint({ kind: 'per-example', gradients: { rows, size: 40, values: problem.matrix(rows, 8) } });
    const errors = {
      gradNormSq: r.gradNormSq / problem.gradNormSq - 1,
      traceSigma: r.traceSigma / problem.traceSigma - 1,
      bSimple: r.bSimple! / 50 - 1,
    };
    for (const e of Object.values(errors)) expect(Math.abs(e)).toBeLessThan(0.05);
    expect(Math.abs(r.bSimple! - 50)).toBeLessThan(3 * r.stdErr!);
    console.log(
      `[noise-scale] per-example, 20000 rows: B_simple ${r.bSimple!.toFixed(2)} ± ${r.stdErr!.toFixed(2)} (true 50); errors |G|² ${(100 * errors.gradNormSq).toFixed(2)} %, tr Σ ${(100 * errors.traceSigma).toFixed(2)} %, B_simple ${(100 * errors.bSimple).toFixed(2)} %`,
    );
  });

  it('K minibatch gradients of B = 16: within 5 % of the truth', () => {
    const rows = 2000;
    const r = noiseScaleAtPoint({ kind: 'minibatch', gradients: { rows, size: 40, values: problem.matrix(rows, 9, 16) }, batchSize: 16 });
    expect(Math.abs(r.traceSigma / 50 - 1)).toBeLessThan(0.05);
    expect(Math.abs(r.gradNormSq - 1)).toBeLessThan(0.05);
    expect(Math.abs(r.bSimple! / 50 - 1)).toBeLessThan(0.05);
    console.log(`[noise-scale] 2000 minibatches of 16: B_simple ${r.bSimple!.toFixed(2)} ± ${r.stdErr!.toFixed(2)} (true 50)`);
  });

  it('the jackknife standard error matches the spread over 200 independent samples of 500 rows', () => {
    const estimates = Array.from({ length: 200 }, (_, s) =>
      noiseScaleAtPoint({ kind: 'per-example', gradients: { rows: 500, size: 40, values: problem.matrix(500, 100 + s) } }),
    );
    const b = estimates.map((r) => r.bSimple!);
    const mean = b.reduce((s, v) => s + v, 0) / b.length;
    const spread = Math.sqrt(b.reduce((s, v) => s + (v - mean) ** 2, 0) / (b.length - 1));
    const meanStdErr = estimates.reduce((s, r) => s + r.stdErr!, 0) / estimates.length;
    expect(Math.abs(meanStdErr / spread - 1)).toBeLessThan(0.2);
    console.log(`[noise-scale] 200 × 500 rows: mean B_simple ${mean.toFixed(2)}, sd ${spread.toFixed(2)}, mean jackknife stdErr ${meanStdErr.toFixed(2)}`);
  });

  it('reads Float32Array matrices (the per-example layout) and refuses malformed input', () => {
    const values = Float32Array.from([1, 0, 0, 1, 2, 2]);
    expect(noiseScaleAtPoint({ kind: 'per-example', gradients: { rows: 3, size: 2, values } }).bSimple).toBeCloseTo(1.5, 6);
    expect(() => noiseScaleAtPoint({ kind: 'per-example', gradients: { rows: 1, size: 2, values: [1, 2] } })).toThrow(/at least 2 rows/);
    expect(() => noiseScaleAtPoint({ kind: 'minibatch', gradients: { rows: 3, size: 2, values }, batchSize: 0.5 })).toThrow(/batchSize/);
    expect(() => noiseScaleAtPoint({ kind: 'per-example', gradients: { rows: 3, size: 2, values: [1, 0, 0, 1, 2, NaN] } })).toThrow(
      /row 2, value 1 is NaN/,
    );
  });
});

describe('finitePopulationNorms', () => {
  it('makes the two-batch estimates unbiased for minibatches drawn without replacement within epochs', () => {
    // A data set of N = 400 examples (its own |G|² and tr Σ are the truth); each epoch a fresh permutation cut into
    // 50 batches of 8, a window of k = 10 batches inside the epoch (B_big = 80).
    const n = 10;
    const rows = 400;
    const data = gaussianGradients(n, 0.05, 10, 31).matrix(rows, 32);
    const truth = noiseScaleAtPoint({ kind: 'per-example', gradients: { rows, size: n, values: data }, wholeDataset: true });
    const rng = createRng(33);
    const window = createGradientWindow({ size: n, steps: 10 });
    const batch = new Float64Array(n);
    const sums = { rawGrad: 0, rawTrace: 0, grad: 0, trace: 0, steps: 0 };
    for (let epoch = 0; epoch < 2000; epoch++) {
      const order = permutation(rows, rng);
      window.clear();
      for (let start = 0; start < rows; start += 8) {
        batch.fill(0);
        for (let r = start; r < start + 8; r++) for (let i = 0; i < n; i++) batch[i] += data[order[r]! * n + i]! / 8;
        const norms = window.push(batch, 8);
        if (!norms) continue;
        const corrected = finitePopulationNorms(norms, rows)!;
        sums.rawGrad += twoBatchGradNormSq(norms);
        sums.rawTrace += twoBatchTraceSigma(norms);
        sums.grad += twoBatchGradNormSq(corrected);
        sums.trace += twoBatchTraceSigma(corrected);
        sums.steps++;
      }
    }
    const mean = (v: number) => v / sums.steps;
    // with-replacement formulas: |G|² low by tr Σ/(N − 1), tr Σ high by N/(N − 1)
    expect(mean(sums.rawGrad) - truth.gradNormSq).toBeCloseTo(-truth.traceSigma / (rows - 1), 2);
    expect(mean(sums.rawTrace) / truth.traceSigma).toBeCloseTo(rows / (rows - 1), 2);
    expect(Math.abs(mean(sums.grad) / truth.gradNormSq - 1)).toBeLessThan(0.05);
    expect(Math.abs(mean(sums.trace) / truth.traceSigma - 1)).toBeLessThan(0.01);
    console.log(
      `[noise-scale] without replacement, N=400, B=8, k=10: truth |G|² ${truth.gradNormSq.toFixed(4)}, tr Σ ${truth.traceSigma.toFixed(3)}; mean estimates with-replacement ${mean(sums.rawGrad).toFixed(4)}, ${mean(sums.rawTrace).toFixed(3)}; corrected ${mean(sums.grad).toFixed(4)}, ${mean(sums.trace).toFixed(3)}`,
    );
  });

  it('is undefined once the big batch holds the whole data set, and checks N', () => {
    const norms = { smallBatch: 8, smallNormSq: 1, bigBatch: 80, bigNormSq: 0.5 };
    expect(finitePopulationNorms(norms, 80)).toBeUndefined();
    expect(finitePopulationNorms(norms, 81)!.bigBatch).toBeCloseTo(80 * 80, 10); // b(N − 1)/(N − b)
    expect(() => finitePopulationNorms(norms, 1.5)).toThrow(/datasetSize/);
  });
});
