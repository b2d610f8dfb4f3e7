import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import { stochasticLanczosQuadrature } from './slq.js';
import { spectralDensity } from './density.js';
import { quadraticLandscape } from './quadratic.js';
import { dot, rademacherVector } from './vector.js';
import { describeVerdict, judgeDensity, verdictScores } from '../../../test/support/density-checks.js';
import { matrixMoments, rademacherVariance } from '../../../test/support/float64-mlp.js';

describe('stochasticLanczosQuadrature', () => {
  it('m steps give the Gauss rule: Σ τ μ^p = v̂ᵀH^p v̂ exactly for p ≤ 2m − 1 (Golub–Welsch)', () => {
    const rng = createRng(4);
    const eigs = Array.from({ length: 120 }, () => -1 + 2 * rng.next());
    const q = quadraticLandscape(eigs, { seed: 6 });
    const z = rademacherVector(120, () => rng.sign());
    const m = 8;
    const { runs } = stochasticLanczosQuadrature(q, { probes: [z], steps: m });
    const { nodes, weights } = runs[0]!;
    expect(weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 13);
    let hp: Float64Array = Float64Array.from(z);
    for (let p = 1; p <= 2 * m - 1; p++) {
      hp = q.apply(hp);
      const exact = dot(z, hp) / dot(z, z);
      let quad = 0;
      nodes.forEach((mu, k) => (quad += weights[k]! * mu ** p));
      expect(Math.abs(quad - exact)).toBeLessThan(1e-12);
    }
    // ... but not beyond: degree 2m is generally not integrated exactly
    hp = q.apply(hp);
    let quad = 0;
    nodes.forEach((mu, k) => (quad += weights[k]! * mu ** (2 * m)));
    expect(Math.abs(quad - dot(z, hp) / dot(z, z))).toBeGreaterThan(1e-10);
  });

  it('tr(H) as a by-product agrees with the exact trace within its expected error', () => {
    const rng = createRng(9);
    const n = 300;
    const eigs = Array.from({ length: n }, () => -0.5 + 3 * rng.next() ** 2);
    const q = quadraticLandscape(eigs, { seed: 10 });
    const { trace } = matrixMoments(q.dense(), n);
    const runs = 20;
    const r = stochasticLanczosQuadrature(q, { runs, steps: 30, seed: 1 });
    expect(r.hvpCount).toBe(runs * 30);
    const expectedSd = Math.sqrt(rademacherVariance(q.dense(), n) / runs); // Rademacher Hutchinson with `runs` probes
    expect(Math.abs(r.trace.estimate - trace)).toBeLessThan(3 * expectedSd);
    console.log(`[slq] n=300, 20 probes: trace z ${((r.trace.estimate - trace) / expectedSd).toFixed(2)}, stderr/sd ${(r.trace.stdErr / expectedSd).toFixed(3)}`);
    expect(r.trace.stdErr / expectedSd).toBeGreaterThan(0.5);
    expect(r.trace.stdErr / expectedSd).toBeLessThan(1.5);
    for (const rule of r.runs) {
      expect(Math.min(...rule.nodes)).toBeGreaterThanOrEqual(Math.min(...eigs) - 1e-9);
      expect(Math.max(...rule.nodes)).toBeLessThanOrEqual(Math.max(...eigs) + 1e-9);
    }
  });

  it('stops a probe early at an invariant subspace (few distinct eigenvalues): exact rule', () => {
    const q = quadraticLandscape([...Array(30).fill(2), ...Array(10).fill(-1)], { seed: 2 });
    const r = stochasticLanczosQuadrature(q, { steps: 20, seed: 3 });
    expect(r.hvpCount).toBe(2);
    const nodes = Array.from(r.runs[0]!.nodes);
    expect(nodes[0]).toBeCloseTo(-1, 12);
    expect(nodes[1]).toBeCloseTo(2, 12);
    // for a ±1 probe the weights are ‖P z‖²/n, P the eigenprojection: mean 10/40 and 30/40
    expect(r.runs[0]!.weights[0]!).toBeGreaterThan(0.1);
    expect(r.runs[0]!.weights[0]!).toBeLessThan(0.4);
  });
});

describe('spectralDensity', () => {
  // bimodal: 30% of the eigenvalues near −1, 70% near 3
  const rng = createRng(15);
  const n = 400;
  const eigs = Array.from({ length: n }, (_, i) => (i < 120 ? -1 + 0.1 * (rng.next() - 0.5) : 3 + 0.4 * (rng.next() - 0.5)));
  const q = quadraticLandscape(eigs, { seed: 16 });
  const slq = stochasticLanczosQuadrature(q, { runs: 10, steps: 40, seed: 2 });
  const density = spectralDensity(slq.runs);
  const step = density.grid[1]! - density.grid[0]!;

  it('its mean equals the SLQ tr(H)/n, and its moments and the mass of each mode match the exact spectrum', () => {
    expect(density.grid.length).toBe(200);
    // one computation, two outputs: the density's mean is the quadrature's Σ τμ, i.e. the SLQ trace over n, up to
    // the kernels' tails cut off by the 3σ padding (measured 8.3e-6 on a spread of 4.2)
    const mean = density.grid.reduce((s, x, j) => s + x * density.values[j]! * step, 0);
    expect(Math.abs(mean - slq.trace.estimate / n)).toBeLessThan(3e-5);
    expect(density.weights.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    const verdict = judgeDensity(density, q.dense(), n, 10, [{ below: 1 }, { above: 1 }]);
    console.log(`[slq] bimodal density: ${describeVerdict(verdict)}`);
    expect(verdict.groups.map((g) => g.fraction)).toEqual([0.3, 0.7]);
    for (const z of verdictScores(verdict)) expect(Math.abs(z)).toBeLessThan(3);
    // the grid spans the mean extreme nodes plus padding
    expect(density.grid[0]!).toBeLessThan(-1.05);
    expect(density.grid[199]!).toBeGreaterThan(3.2);
  });

  it('uses PyHessian’s kernel variance when the grid resolves it, and the grid spacing otherwise', () => {
    const rules = [{ nodes: Float64Array.from([0, 1]), weights: Float64Array.from([0.5, 0.5]) }];
    const fine = spectralDensity(rules, { bins: 10000 });
    expect(fine.variance).toBeCloseTo(1e-5 * 1.02, 15);
    expect(fine.padding).toBe(0.01);
    expect(fine.grid[0]).toBeCloseTo(-0.01, 15);
    const coarse = spectralDensity(rules, { bins: 50 });
    expect(coarse.variance).toBeCloseTo((1.02 / 49) ** 2, 15);
    // a Gaussian of variance σ² peaks at 1/√(2πσ²) times its weight
    const peak = Math.max(...fine.values);
    expect(peak).toBeCloseTo(0.5 / Math.sqrt(2 * Math.PI * fine.variance), 0);
  });

  it('rejects bad input with the field name', () => {
    expect(() => spectralDensity([])).toThrow(/runs/);
    expect(() => spectralDensity([{ nodes: new Float64Array(2), weights: new Float64Array(1) }])).toThrow(/runs\[0\]/);
    expect(() => spectralDensity(slq.runs, { bins: 1 })).toThrow(/bins/);
    expect(() => spectralDensity(slq.runs, { variance: 0 })).toThrow(/variance/);
  });
});
