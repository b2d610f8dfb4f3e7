import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import { quadraticLandscape, type QuadraticLandscape } from './quadratic.js';
import { lanczos, lanczosTridiagonal } from './lanczos.js';
import { powerIteration } from './power-iteration.js';
import { tridiagonalEigen } from './tridiagonal-eigen.js';
import { dot, gaussianVector, norm, orthogonalizeTwice, scaleInPlace } from './vector.js';

/** Eigenvector of the true eigenvalue nearest `mu` (the landscape's eigenvalues are distinct in these tests). */
function trueVector(q: QuadraticLandscape, mu: number): Float64Array {
  let best = 0;
  q.eigenvalues.forEach((l, i) => {
    if (Math.abs(l - mu) < Math.abs(q.eigenvalues[best]! - mu)) best = i;
  });
  return q.basis[best]!;
}

function trueResidual(q: QuadraticLandscape, y: Float64Array, mu: number): number {
  const hy = q.apply(y);
  for (let i = 0; i < hy.length; i++) hy[i]! -= mu * y[i]!;
  return norm(hy);
}

/** n = 400: a cluster at the top (gaps 0.01), a bulk, and negative eigenvalues with a close pair at the bottom. */
function clusteredSpectrum(n: number): number[] {
  const rng = createRng(2024);
  const eigs = [20, 19.8, 19.79, 19.78, 15, -10, -9.95, -6];
  while (eigs.length < n) eigs.push(-2 + 10 * rng.next());
  return eigs;
}

describe('lanczos on a quadratic with a known spectrum', () => {
  const n = 400;
  const eigs = clusteredSpectrum(n);
  const q = quadraticLandscape(eigs, { seed: 17 });
  const desc = [...eigs].sort((a, b) => b - a);

  it('finds the top 5 (with a 0.01-wide cluster) to 1e-8 relative, eigenvectors |cos| ≥ 0.9999', () => {
    const r = lanczos(q, { k: 5, which: 'LA', tol: 1e-10, maxIter: 150 });
    expect(r.converged).toBe(true);
    const want = desc.slice(0, 5);
    r.eigenvalues.forEach((mu, i) => expect(Math.abs(mu - want[i]!) / Math.abs(want[i]!)).toBeLessThan(1e-8));
    r.eigenvectors.forEach((y, i) => {
      expect(norm(y)).toBeCloseTo(1, 12);
      expect(Math.abs(dot(y, trueVector(q, want[i]!)))).toBeGreaterThanOrEqual(0.9999);
    });
    // the free Ritz residual |β_m s_{m,i}| is the true ‖Hy − μy‖ (full reorthogonalisation keeps it honest)
    r.eigenvectors.forEach((y, i) => {
      const explicit = trueResidual(q, y, r.eigenvalues[i]!);
      expect(Math.abs(explicit - r.residuals[i]!)).toBeLessThan(0.05 * r.residuals[i]! + 1e-11 * 20);
      expect(r.residuals[i]!).toBeLessThanOrEqual(1e-10 * Math.abs(r.eigenvalues[i]!));
      expect(r.errorBounds[i]!).toBeLessThanOrEqual(r.residuals[i]!);
    });
    expect(r.hvpCount).toBe(r.iterations);
    expect(r.tridiagonal.alpha.length).toBe(r.iterations);
    console.log(`[lanczos] top-5 to tol 1e-10 on n=${n} (cluster gap 0.01): ${r.hvpCount} HVPs`);
  });

  it('finds the bottom 3 (negative, with a 0.05 gap) in ascending order', () => {
    const r = lanczos(q, { k: 3, which: 'SA', tol: 1e-10, maxIter: 150 });
    const want = [...eigs].sort((a, b) => a - b).slice(0, 3);
    expect(want).toEqual([-10, -9.95, -6]);
    expect(r.converged).toBe(true);
    r.eigenvalues.forEach((mu, i) => expect(Math.abs(mu - want[i]!) / Math.abs(want[i]!)).toBeLessThan(1e-8));
    r.eigenvectors.forEach((y, i) => {
      expect(Math.abs(dot(y, trueVector(q, want[i]!)))).toBeGreaterThanOrEqual(0.9999);
      const explicit = trueResidual(q, y, r.eigenvalues[i]!);
      expect(Math.abs(explicit - r.residuals[i]!)).toBeLessThan(0.05 * r.residuals[i]! + 1e-11 * 20);
    });
  });

  it("'both' returns top k then bottom k, all descending, from one Krylov space", () => {
    const r = lanczos(q, { k: 2, which: 'both', tol: 1e-9, maxIter: 150 });
    expect(r.converged).toBe(true);
    const want = [20, 19.8, -9.95, -10];
    r.eigenvalues.forEach((mu, i) => expect(Math.abs(mu - want[i]!) / Math.abs(want[i]!)).toBeLessThan(1e-8));
  });

  it("'both' with bottomK: 1 returns the top k and λ_min, in fewer HVPs than two separate runs", () => {
    const both = lanczos(q, { k: 3, which: 'both', bottomK: 1, tol: 1e-9, maxIter: 150, seed: 4 });
    expect(both.converged).toBe(true);
    const want = [20, 19.8, 19.79, -10];
    expect(both.eigenvalues.length).toBe(4);
    both.eigenvalues.forEach((mu, i) => expect(Math.abs(mu - want[i]!) / Math.abs(want[i]!)).toBeLessThan(1e-8));
    const top = lanczos(q, { k: 3, which: 'LA', tol: 1e-9, maxIter: 150, seed: 4 });
    const bottom = lanczos(q, { k: 1, which: 'SA', tol: 1e-9, maxIter: 150, seed: 4 });
    console.log(`[lanczos] top-3 + λ_min: ${both.hvpCount} HVPs in one run, ${top.hvpCount} + ${bottom.hvpCount} in two`);
    expect(both.hvpCount).toBeLessThan(top.hvpCount + bottom.hvpCount);
    expect(() => lanczos(q, { k: 3, which: 'LA', bottomK: 1 })).toThrow(/bottomK applies to which: 'both'/);
    expect(() => lanczos(q, { k: 3, which: 'both', bottomK: 0 })).toThrow(/bottomK must be an integer/);
  });

  it('default tolerance 1e-3 gives eigenvalues within the error bounds it reports', () => {
    const r = lanczos(q, { k: 5 });
    expect(r.converged).toBe(true);
    r.eigenvalues.forEach((mu, i) => {
      const err = Math.abs(mu - desc[i]!);
      expect(err).toBeLessThanOrEqual(r.residuals[i]! * (1 + 1e-9)); // Weyl: some eigenvalue within r
      expect(err / Math.abs(desc[i]!)).toBeLessThan(1e-3);
    });
  });
});

describe('lanczos vs PyHessian power iteration: HVPs for the top 5 to 1e-3', () => {
  const n = 300;
  const rng = createRng(1);
  // network-like: a few outliers, two negative eigenvalues, a bulk near zero
  const outliers = [50, 30, 20, 15, 10, -3, -1.5];
  while (outliers.length < n) outliers.push(-0.5 + 2.5 * rng.next());
  // slowly decaying: λ_i = 10·0.9^i
  const decaying = Array.from({ length: n }, (_, i) => 10 * 0.9 ** i);
  // a tight cluster at the top (relative gaps 1e-3) and a negative outlier
  const clustered = [10, 9.99, 9.98, 9.97, 9.96, -5];
  while (clustered.length < n) clustered.push(-1 + 6 * rng.next());

  for (const [name, eigs] of [
    ['outliers', outliers],
    ['decaying', decaying],
    ['clustered', clustered],
  ] as const) {
    it(`${name}: Lanczos needs ≤ 40 HVPs and fewer than power iteration`, () => {
      const q = quadraticLandscape(eigs, { seed: 5 });
      const top5 = [...eigs].sort((a, b) => b - a).slice(0, 5);
      const relErr = (xs: ArrayLike<number>) =>
        Math.max(...Array.from(xs, (x, i) => Math.abs(x - top5[i]!) / Math.abs(top5[i]!)));
      const lz = lanczos(q, { k: 5, tol: 1e-3 });
      expect(lz.converged).toBe(true);
      expect(relErr(lz.eigenvalues)).toBeLessThan(1e-3);
      expect(lz.hvpCount).toBeLessThanOrEqual(40);

      // the fewest Lanczos steps (one start vector) at which all five are within 1e-3: an oracle count
      const t = lanczosTridiagonal(q, gaussianVector(n, () => createRng(0).normal()), 60);
      let oracle = -1;
      for (let m = 5; m <= 60 && oracle < 0; m++) {
        const { values } = tridiagonalEigen(t.alpha.subarray(0, m), t.beta.subarray(0, m - 1));
        if (relErr(Array.from(values).reverse().slice(0, 5)) < 1e-3) oracle = m;
      }

      const pyhessian = powerIteration(q, { topN: 5 }); // PyHessian defaults: maxIter 100, tol 1e-3
      // the loosest power-iteration tol at which all five really are within 1e-3
      let tight = pyhessian;
      let tightTol = NaN;
      for (const tol of [1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6]) {
        tight = powerIteration(q, { topN: 5, tol, maxIter: 2000 });
        tightTol = tol;
        if (relErr(tight.eigenvalues) < 1e-3) break;
      }
      expect(relErr(tight.eigenvalues)).toBeLessThan(1e-3);
      expect(lz.hvpCount * 2).toBeLessThan(tight.hvpCount);
      console.log(
        `[benchmark ${name}] top-5 to 1e-3, n=${n}: Lanczos ${lz.hvpCount} HVPs (rel err ` +
          `${relErr(lz.eigenvalues).toExponential(1)}; oracle ${oracle}) | power iteration, PyHessian defaults: ` +
          `${pyhessian.hvpCount} HVPs (${pyhessian.iterations.join('/')}), rel err ` +
          `${relErr(pyhessian.eigenvalues).toExponential(1)} | power iteration at tol ${tightTol}, the first to ` +
          `reach 1e-3: ${tight.hvpCount} HVPs (rel err ${relErr(tight.eigenvalues).toExponential(1)})`,
      );
    });
  }
});

describe('lanczos warm start', () => {
  it('starting from the previous Ritz vectors saves HVPs on a slightly perturbed operator', () => {
    const n = 300;
    const eigs = Array.from({ length: n }, (_, i) => 10 * 0.9 ** i);
    const q = quadraticLandscape(eigs, { seed: 5 });
    // perturbed operator: eigenvalues ±1%, eigenvectors rotated by ~1%
    const rng = createRng(77);
    const basis: Float64Array[] = [];
    for (const b of q.basis) {
      const v = Float64Array.from(b, (x) => x + (0.01 * rng.normal()) / Math.sqrt(n));
      orthogonalizeTwice(v, basis);
      scaleInPlace(1 / norm(v), v);
      basis.push(v);
    }
    const eigs2 = eigs.map((x) => x * (1 + 0.01 * rng.normal()));
    const q2 = quadraticLandscape(eigs2, { basis });
    const top5 = [...eigs2].sort((a, b) => b - a).slice(0, 5);

    const previous = lanczos(q, { k: 5 });
    const cold = lanczos(q2, { k: 5, seed: 3 });
    const warm = lanczos(q2, { k: 5, seed: 3, warmStart: previous.eigenvectors });
    for (const r of [cold, warm]) {
      expect(r.converged).toBe(true);
      r.eigenvalues.forEach((mu, i) => expect(Math.abs(mu - top5[i]!) / top5[i]!).toBeLessThan(1e-4));
    }
    expect(warm.hvpCount).toBeLessThan(cold.hvpCount);
    console.log(`[warm start] top-5, n=${n}, 1% perturbation: cold ${cold.hvpCount} HVPs, warm ${warm.hvpCount} HVPs`);
  });

  it('accepts an explicit start vector: an exact eigenvector gives that eigenvalue after one HVP', () => {
    const q = quadraticLandscape([5, 3, 1, -2, 0.5, 0.25], { seed: 1 });
    const r = lanczos(q, { k: 1, start: q.basis[0]!, maxIter: 6 });
    expect(r.hvpCount).toBe(2); // invariant after step 1, one random restart step to check for more
    expect(r.eigenvalues[0]).toBeCloseTo(5, 12);
    expect(r.restarts).toBe(1);
  });
});

describe('lanczos breakdown and small spaces', () => {
  it('restarts at an invariant subspace and still returns exact eigenvalues', () => {
    // 3 distinct eigenvalues: the Krylov space of any start vector is invariant after 3 steps
    const eigs = [...Array(10).fill(3), ...Array(20).fill(1), ...Array(30).fill(-2)];
    const q = quadraticLandscape(eigs, { seed: 4 });
    const r = lanczos(q, { k: 1, which: 'both' });
    expect(r.restarts).toBeGreaterThanOrEqual(1);
    expect(r.converged).toBe(true);
    expect(r.eigenvalues[0]).toBeCloseTo(3, 12);
    expect(r.eigenvalues[1]).toBeCloseTo(-2, 12);
    const top3 = lanczos(q, { k: 3, maxIter: 20 });
    // copies of the repeated top eigenvalue are found through restarts
    expect(Array.from(top3.eigenvalues).map((x) => Math.round(x * 1e10) / 1e10)).toEqual([3, 3, 3]);
  });

  it('spans the whole space when n is small: every eigenvalue exact, converged', () => {
    const eigs = [4, -1, 2.5, 0, 7, -3];
    const q = quadraticLandscape(eigs, { seed: 9 });
    const r = lanczos(q, { k: 6, which: 'LA' });
    expect(r.iterations).toBe(6);
    expect(r.converged).toBe(true);
    const want = [...eigs].sort((a, b) => b - a);
    r.eigenvalues.forEach((mu, i) => expect(mu).toBeCloseTo(want[i]!, 12));
  });

  it('rejects bad options with the field name', () => {
    const q = quadraticLandscape([1, 2, 3], { seed: 0 });
    expect(() => lanczos(q, { k: 4 })).toThrow(/k must be/);
    expect(() => lanczos(q, { k: 1, maxIter: 9 })).toThrow(/maxIter/);
    expect(() => lanczos(q, { tol: 0 })).toThrow(/tol/);
    expect(() => lanczos(q, { start: new Float64Array(2) })).toThrow(/start has length 2/);
    expect(() => lanczos(q, { start: new Float64Array(3) })).toThrow(/non-zero/);
    expect(() => lanczos(q, { which: 'LM' as never })).toThrow(/which/);
  });
});
