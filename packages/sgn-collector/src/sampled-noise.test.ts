/**
 * The sampled path on a small model where the exact answer is at hand: each minibatch's noise is the mean of its
 * rows' per-example gradients minus their overall mean, and over many seeds the estimates of tr C and uᵀCu average
 * to the exact values (which checks the finite-population correction: without it, at m = 60 and B = 20 every
 * estimate would be 0.68 times the truth) and spread as much as the standard errors the code reports.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng, type ProbeContext } from '@kramers/core';
import { mean, sampleSd, standardNormalBands } from '../../../test/support/statistics.js';
import { useSoftmaxMlp } from '../test/support/probes.js';
import { noiseAlong, noiseCovariance } from './noise-covariance.js';
import { perExampleGradients } from './per-example-gradients.js';
import { drawWithoutReplacement, meanWithStderr, sampledNoise } from './sampled-noise.js';

const ROWS = 60;
const B = 20;

describe('drawWithoutReplacement', () => {
  it('draws B distinct rows, each row equally often over many draws', () => {
    const rng = createRng(3);
    const pool = Int32Array.from({ length: 10 }, (_, i) => i);
    const counts = new Array<number>(10).fill(0);
    const draws = 20_000;
    for (let d = 0; d < draws; d++) {
      const rows = drawWithoutReplacement(pool, 4, rng);
      expect(new Set(rows).size).toBe(4);
      for (const r of rows) counts[r]!++;
    }
    // each count is Binomial(draws, 0.4): sd ≈ 69; 5 sd
    for (const c of counts) expect(Math.abs(c - draws * 0.4)).toBeLessThan(350);
  });

  it('meanWithStderr: mean and s/√K', () => {
    const e = meanWithStderr(Float64Array.from([1, 2, 3, 6]));
    expect(e.estimate).toBe(3);
    expect(e.stderr).toBeCloseTo(Math.sqrt(14 / 3 / 4), 14);
  });
});

describe('sampledNoise against the exact covariance (wasm)', () => {
  const use = useSoftmaxMlp({ rows: ROWS, hidden: 6, activation: 'tanh', backend: 'wasm' });
  let probe: ProbeContext;
  beforeAll(() => {
    probe = use().probe;
  });

  it("each ξ_k is its minibatch's mean per-example gradient minus the full mean; the gradient is the probe's", () => {
    const pe = perExampleGradients(probe);
    const n = pe.size;
    const full = noiseCovariance(pe, B).mean;
    const before = tf.memory().numTensors;
    const s = sampledNoise(probe, { batchSize: B, samples: 5, seed: 7, keepNoise: true });
    expect(tf.memory().numTensors).toBe(before);
    const rng = createRng(7);
    const pool = Int32Array.from({ length: ROWS }, (_, i) => i);
    let worst = 0;
    for (let k = 0; k < 5; k++) {
      const rows = drawWithoutReplacement(pool, B, rng);
      for (let i = 0; i < n; i++) {
        let m = 0;
        for (const r of rows) m += pe.values[r * n + i]! / B;
        worst = Math.max(worst, Math.abs(s.noise!.values[k * n + i]! - (m - full[i]!)));
      }
    }
    expect(worst).toBeLessThan(1e-6);
    const g = probe.lossAndGradient().gradient;
    expect(Math.max(...Array.from(s.gradient, (v, i) => Math.abs(v - g[i]!)))).toBeLessThan(1e-6);
    expect([s.samples, s.rows, s.size, s.batchSize, s.seed]).toEqual([5, ROWS, n, B, 7]);
    expect(s.finitePopulationFactor).toBeCloseTo((ROWS - B) / (ROWS - 1), 15);
  });

  it('over 30 seeds (K = 100): unbiased for the exact tr C and uᵀCu; the reported stderr is the spread of the estimates', () => {
    const pe = perExampleGradients(probe);
    const exact = noiseCovariance(pe, B);
    const rng = createRng(11);
    const raw = Float64Array.from({ length: pe.size }, () => rng.normal());
    const norm = Math.hypot(...raw);
    const u = raw.map((v) => v / norm);
    const exactU = noiseAlong(exact, [u])[0]!.noiseVariance;
    const trace = { estimates: [] as number[], stderrs: [] as number[] };
    const along = { estimates: [] as number[], stderrs: [] as number[] };
    for (let seed = 1; seed <= 30; seed++) {
      const s = sampledNoise(probe, { batchSize: B, samples: 100, seed, directions: [u] });
      trace.estimates.push(s.traceC.estimate);
      trace.stderrs.push(s.traceC.stderr);
      const d = s.directions[0]!;
      along.estimates.push(d.noiseVariance.estimate);
      along.stderrs.push(d.noiseVariance.stderr);
      expect(d.minibatchNoise).toHaveLength(100);
    }
    const band = standardNormalBands(30);
    for (const [name, r, want] of [['tr C', trace, exact.traceC], ['uᵀCu', along, exactU]] as const) {
      const spread = sampleSd(r.estimates);
      // the mean of 30 estimates is within 3 of its standard errors of the exact value (an estimator without the
      // finite-population correction would be 32 % low: many standard errors away)
      const z = (mean(r.estimates) - want) / (spread / Math.sqrt(30));
      const ratio = mean(r.stderrs) / spread;
      console.log(`sampled ${name}, 30 seeds: mean ${mean(r.estimates).toExponential(4)} vs exact ${want.toExponential(4)} (z ${z.toFixed(2)}); reported stderr / spread ${ratio.toFixed(3)}`);
      expect(Math.abs(z)).toBeLessThan(3);
      expect(ratio).toBeGreaterThan(band.sdLow);
      expect(ratio).toBeLessThan(band.sdHigh);
    }
  });

  it('refuses a batch size of m or more, fewer than 2 samples, a direction that is not a unit vector', () => {
    expect(() => sampledNoise(probe, { batchSize: ROWS })).toThrow(/batchSize must be an integer in 1 … 59/);
    expect(() => sampledNoise(probe, { batchSize: B, samples: 1 })).toThrow(/samples/);
    expect(() => sampledNoise(probe, { batchSize: B, directions: [new Float64Array(probe.size)] })).toThrow(/unit vectors/);
  });
});
