import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import { pooledTailIndex, tailIndex, tailIndexBlocks } from './tail-index.js';
import { symmetricStableSample } from '../test/support/alpha-stable.js';

const MILLION = 1_000_000;

function gaussianSample(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

describe('tailIndexBlocks', () => {
  it('takes the largest divisor of n not above √n (Şimşekli et al.), so nothing is dropped', () => {
    expect(tailIndexBlocks(MILLION)).toEqual({ blockSize: 1000, blocks: 1000, samplesDropped: 0 });
    expect(tailIndexBlocks(1000)).toEqual({ blockSize: 25, blocks: 40, samplesDropped: 0 });
    // 100 minibatches × 386 parameters (banknote's MLP): 38600 = 2³·5²·193
    expect(tailIndexBlocks(38_600)).toEqual({ blockSize: 193, blocks: 200, samplesDropped: 0 });
    expect(tailIndexBlocks(4)).toEqual({ blockSize: 2, blocks: 2, samplesDropped: 0 });
  });

  it('uses m = ⌊√n⌋ and drops the last n mod m values when the best divisor is below ⌊√n⌋/2', () => {
    expect(tailIndexBlocks(997)).toEqual({ blockSize: 31, blocks: 32, samplesDropped: 5 }); // prime
    expect(tailIndexBlocks(998)).toEqual({ blockSize: 31, blocks: 32, samplesDropped: 6 }); // 2·499
    expect(tailIndexBlocks(5)).toEqual({ blockSize: 2, blocks: 2, samplesDropped: 1 });
    expect(() => tailIndexBlocks(3)).toThrow(/at least 4 values/);
  });
});

describe('tailIndex (Mohammadi et al. 2015, Corollary 2.4)', () => {
  it('is the formula of docs/theory.md §6 on a hand sample', () => {
    const x = [1, 2, -3, 4];
    const r = tailIndex(x, { center: false, blockSize: 2 });
    const inverse = ((Math.log(3) + Math.log(1)) / 2 - (Math.log(1) + Math.log(2) + Math.log(3) + Math.log(4)) / 4) / Math.log(2);
    expect(r.inverseAlpha).toBeCloseTo(inverse, 12);
    expect(r.rawAlpha).toBeCloseTo(1 / inverse, 12);
    expect(r.alpha).toBe(2); // 1/inverse = 5.1: clipped
    expect(r).toMatchObject({ blockSize: 2, blocks: 2, samplesUsed: 4, samplesDropped: 0, zeros: 0 });
  });

  // The samples are centred by construction (as g_j − g is when g is the exact full gradient), so the oracle
  // checks pass center: false; the default's cost is measured in the next test.
  it('Gaussian: α̂ within 0.1 of 2 (N = 10⁶, five seeds, both with and without centring)', () => {
    for (const center of [false, true]) {
      const raw = [1, 2, 3, 4, 5].map((seed) => tailIndex(gaussianSample(MILLION, seed), { center }).rawAlpha);
      for (const a of raw) expect(Math.abs(a - 2)).toBeLessThan(0.1);
      console.log(`[tail-index] Gaussian N=1e6 center=${center}: raw α̂ ${raw.map((a) => a.toFixed(4)).join(', ')}`);
    }
  });

  it('symmetric α-stable: α̂ within 0.1 of α = 1.0, 1.5, 1.8, within 3 standard errors (N = 10⁶, five seeds each)', () => {
    for (const alpha of [1.0, 1.5, 1.8]) {
      const estimates = [11, 12, 13, 14, 15].map((seed) => tailIndex(symmetricStableSample(MILLION, alpha, seed), { center: false }));
      for (const r of estimates) {
        expect(Math.abs(r.rawAlpha - alpha)).toBeLessThan(0.1);
        expect(Math.abs(r.rawAlpha - alpha)).toBeLessThan(3 * r.stdErr);
      }
      const raw = estimates.map((r) => r.rawAlpha);
      const mean = raw.reduce((s, a) => s + a, 0) / raw.length;
      console.log(
        `[tail-index] α=${alpha.toFixed(1)} N=1e6: α̂ ${raw.map((a) => a.toFixed(4)).join(', ')}; mean ${mean.toFixed(4)} (bias ${(mean - alpha).toFixed(4)}), stdErr ${estimates[0]!.stdErr.toFixed(4)}`,
      );
    }
  });

  it('stdErr matches the spread over seeds; centring by the sample mean adds rare low outliers at α = 1.5', () => {
    const spread = (values: number[]) => {
      const mean = values.reduce((s, a) => s + a, 0) / values.length;
      return Math.sqrt(values.reduce((s, a) => s + (a - mean) ** 2, 0) / (values.length - 1));
    };
    const samples = Array.from({ length: 100 }, (_, i) => symmetricStableSample(100_000, 1.5, 100 + i));
    const plain = samples.map((x) => tailIndex(x, { center: false }));
    const centred = samples.map((x) => tailIndex(x).rawAlpha);
    const meanStdErr = plain.reduce((s, r) => s + r.stdErr, 0) / plain.length;
    const plainSpread = spread(plain.map((r) => r.rawAlpha));
    // 100 seeds: the sample sd is itself uncertain by ≈ 1/√(2·99) ≈ 7 %
    expect(Math.abs(plainSpread / meanStdErr - 1)).toBeLessThan(0.25);
    expect(median(centred)).toBeCloseTo(median(plain.map((r) => r.rawAlpha)), 1);
    expect(Math.min(...plain.map((r) => r.rawAlpha))).toBeGreaterThan(1.4);
    expect(Math.min(...centred)).toBeLessThan(1.3); // a sample whose mean one huge value dominates
    console.log(
      `[tail-index] α=1.5 N=1e5, 100 seeds: sd uncentred ${plainSpread.toFixed(4)} vs mean stdErr ${meanStdErr.toFixed(4)}; centred sd ${spread(centred).toFixed(4)}, min ${Math.min(...centred).toFixed(3)}`,
    );
  });

  it('is unchanged by scale and (with centring) by a shift', () => {
    const x = symmetricStableSample(100_000, 1.5, 21);
    const base = tailIndex(x).rawAlpha;
    expect(tailIndex(x.map((v) => 1e-6 * v)).rawAlpha).toBeCloseTo(base, 6);
    expect(tailIndex(x.map((v) => v + 3)).rawAlpha).toBeCloseTo(base, 6);
    expect(tailIndex(x.map((v) => 1e-6 * v)).stdErr).toBeCloseTo(tailIndex(x).stdErr, 6);
    // without centring a shift of 3 makes every value look like 3 + noise: block sums grow like m, α̂ → 1
    expect(tailIndex(x.map((v) => v + 3), { center: false }).rawAlpha).toBeLessThan(1.3);
  });

  it('clips to 2 when block sums grow slower than Gaussian ones, and reports the raw value', () => {
    const alternating = Array.from({ length: 100 }, (_, i) => (i % 2 ? 1 : -1)); // every block of m = 10 sums to 0
    const r = tailIndex(alternating);
    expect(r.inverseAlpha).toBeLessThan(0);
    expect(r.rawAlpha).toBeLessThan(0);
    expect(r.alpha).toBe(2);
  });

  it('counts exact zeros, which pull α̂ down', () => {
    const x = gaussianSample(10_000, 31);
    const withZeros = Float64Array.from(x, (v, i) => (i % 10 === 0 ? 0 : v));
    const r = tailIndex(withZeros, { center: false });
    expect(r.zeros).toBe(1000);
    expect(r.rawAlpha).toBeLessThan(tailIndex(x, { center: false }).rawAlpha - 0.3);
  });

  it('rejects non-finite values, malformed matrices and impossible block sizes', () => {
    expect(() => tailIndex([1, 2, NaN, 4, 5])).toThrow(/value 2 .* NaN/);
    expect(() => tailIndex([1, 2, 3, 4, Infinity], { center: false })).toThrow(/value 4 .* Infinity/);
    expect(() => pooledTailIndex({ rows: 2, size: 2, values: [1, 2, 3] })).toThrow(/need 4 numbers, got 3/);
    expect(() => pooledTailIndex({ rows: 2, size: 2, values: [1, 2, 3, NaN] })).toThrow(/row 1, value 1 is NaN/);
    expect(() => tailIndex([1, 2, 3, 4, 5], { blockSize: 3 })).toThrow(/at least 2 blocks/);
  });
});

describe('the Figure-1 contrast: Gaussian per direction, heavy-tailed when pooled', () => {
  // 1000 minibatches × 1000 parameters; parameter p's noise is N(0, σ_p²) with σ_p = 10^U(−2, 2): every
  // coordinate is Gaussian, only the scales differ (as they do between a network's parameters).
  const batches = 1000;
  const parameters = 1000;
  const rng = createRng(41);
  const scales = Float64Array.from({ length: parameters }, () => 10 ** (4 * rng.next() - 2));
  const noise = new Float64Array(batches * parameters); // row-major: minibatch b's noise at [b·1000, (b + 1)·1000)
  for (let k = 0; k < noise.length; k++) noise[k] = scales[k % parameters]! * rng.normal();
  const column = (p: number) => Float64Array.from({ length: batches }, (_, b) => noise[b * parameters + p]!);

  it('pooled α̂ is far below 2 and matches the mixture-of-scales prediction', () => {
    const pooled = pooledTailIndex({ rows: batches, size: parameters, values: noise });
    expect(pooled.blockSize).toBe(1000); // each block is one minibatch's whole noise vector
    // A block sums all parameters: log|Y| ≈ ½·log Σσ_p² + E log|z|, log|X| ≈ mean log σ_p + E log|z|, so
    // 1/α̂ ≈ (½·log Σσ_p² − mean log σ_p)/log m (derived): a scale mixture, not a heavy tail.
    const meanLogScale = scales.reduce((s, v) => s + Math.log(v), 0) / parameters;
    const predicted = 1 / ((0.5 * Math.log(scales.reduce((s, v) => s + v * v, 0)) - meanLogScale) / Math.log(1000));
    expect(pooled.alpha).toBeLessThan(1.3);
    expect(Math.abs(pooled.rawAlpha - predicted)).toBeLessThan(0.05);
    console.log(`[tail-index] pooled over 1e3 params × 1e3 batches, σ in [1e-2, 1e2]: α̂ ${pooled.alpha.toFixed(3)} (predicted ${predicted.toFixed(3)})`);
  });

  it('per coordinate (series of 1000 minibatches) the median α̂ is ≈ 2', () => {
    const estimates = Array.from({ length: parameters }, (_, p) => tailIndex(column(p)));
    const perCoordinate = estimates.map((r) => r.rawAlpha);
    const med = median(perCoordinate);
    const sorted = [...perCoordinate].sort((a, b) => a - b);
    expect(Math.abs(med - 2)).toBeLessThan(0.1);
    console.log(
      `[tail-index] per coordinate, N=1000 (m=25, K=40): median raw α̂ ${med.toFixed(3)}, 10–90 % ${sorted[100]!.toFixed(2)}–${sorted[900]!.toFixed(2)}, median stdErr ${median(estimates.map((r) => r.stdErr)).toFixed(3)}`,
    );
  });

  it('along a random unit direction the projected noise is Gaussian: α̂ ≈ 2', () => {
    const u = Float64Array.from({ length: parameters }, () => rng.normal());
    const norm = Math.hypot(...u);
    const projections = Array.from({ length: batches }, (_, b) => u.reduce((s, up, p) => s + (up * noise[b * parameters + p]!) / norm, 0));
    const r = tailIndex(projections);
    expect(Math.abs(r.rawAlpha - 2)).toBeLessThan(3 * r.stdErr); // N = 1000: one series, stdErr ≈ 0.2
    expect(r.stdErr).toBeLessThan(0.4);
  });
});
