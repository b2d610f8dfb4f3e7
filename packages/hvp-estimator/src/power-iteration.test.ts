import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import type { SymmetricOperator } from './operator.js';
import { powerIteration } from './power-iteration.js';
import { quadraticLandscape } from './quadratic.js';
import { dot, norm } from './vector.js';

const diagonal = (d: number[]): SymmetricOperator => ({
  size: d.length,
  apply: (v) => v.map((x, i) => d[i]! * x),
});

describe('powerIteration (PyHessian hessian.eigenvalues)', () => {
  it('returns the largest-|λ| eigenvalue even when it is negative', () => {
    const rng = createRng(3);
    const eigs = [-10, 8, 5, 3];
    while (eigs.length < 200) eigs.push(-1 + 2 * rng.next());
    const q = quadraticLandscape(eigs, { seed: 8 });
    const r = powerIteration(q);
    expect(Math.abs(r.eigenvalues[0]! + 10) / 10).toBeLessThan(1e-2);
    expect(r.converged).toEqual([true]);
    expect(Math.abs(dot(r.eigenvectors[0]!, q.basis[0]!))).toBeGreaterThan(0.99);
  });

  it('stops by the relative-change rule and returns the previous Rayleigh quotient (closed form)', () => {
    // H = diag(d), start c: the t-th Rayleigh quotient is Σ c²d^{2t+1} / Σ c²d^{2t}
    const d = [4, -3.5, 2, 1, 0.5, 0.25, -0.1, 3.9];
    const c = d.map((_, i) => 1 + 0.1 * i);
    const rayleigh = (t: number) => {
      let num = 0;
      let den = 0;
      d.forEach((x, i) => {
        num += c[i]! ** 2 * x ** (2 * t + 1);
        den += c[i]! ** 2 * x ** (2 * t);
      });
      return num / den;
    };
    for (const tol of [1e-2, 1e-3, 1e-4]) {
      let t = 1;
      while (Math.abs(rayleigh(t - 1) - rayleigh(t)) / (Math.abs(rayleigh(t - 1)) + 1e-6) >= tol) t++;
      const r = powerIteration(diagonal(d), { tol, start: [Float64Array.from(c)] });
      expect(r.hvpCount).toBe(t + 1);
      // the returned value is λ_{t−1}, not the newer λ_t (the 1e-6 added in each of the two normalisations per
      // step shrinks ‖v‖ by ~2e-6/s and so λ by a few 1e-6 relative)
      expect(Math.abs(r.eigenvalues[0]! - rayleigh(t - 1)) / 4).toBeLessThan(1e-5);
      expect(Math.abs(r.eigenvalues[0]! - rayleigh(t - 1))).toBeLessThan(0.2 * Math.abs(r.eigenvalues[0]! - rayleigh(t)));
      // the returned vector is H^{t+1}c normalised (norm s/(s + 1e-6))
      const v = Float64Array.from(c, (x, i) => x * d[i]! ** (t + 1));
      expect(Math.abs(dot(r.eigenvectors[0]!, v)) / norm(v)).toBeCloseTo(1, 6);
    }
  });

  it('deflates by orthogonalisation to find the next |λ|', () => {
    const rng = createRng(5);
    const eigs = [10, -7, 3];
    while (eigs.length < 100) eigs.push(-1 + 2 * rng.next());
    const r = powerIteration(quadraticLandscape(eigs, { seed: 2 }), { topN: 2, tol: 1e-4 });
    expect(Math.abs(r.eigenvalues[0]! - 10) / 10).toBeLessThan(1e-3);
    expect(Math.abs(r.eigenvalues[1]! + 7) / 7).toBeLessThan(1e-2);
    expect(r.iterations.reduce((s, x) => s + x, 0)).toBe(r.hvpCount);
  });

  it('warm-started from an exact eigenvector it stops after two HVPs', () => {
    const q = quadraticLandscape([6, 2, 1, -1], { seed: 1 });
    const r = powerIteration(q, { start: [q.basis[0]!] });
    expect(r.hvpCount).toBe(2);
    expect(Math.abs(r.eigenvalues[0]! - 6) / 6).toBeLessThan(1e-5); // 6·(1 − ~2e-6): PyHessian's +1e-6
  });

  it('reports "converged" on a meaningless value when ±λ share the top |λ| (the relative-change rule)', () => {
    // H² has one top eigenvalue 4 on span(e1, e2): the Rayleigh quotient freezes at 2(c1² − c2²)/(c1² + c2²)
    const r = powerIteration(diagonal([2, -2, 1, 0.5]), { start: [Float64Array.from([1, 0.5, 1, 1])] });
    expect(r.converged).toEqual([true]);
    expect(r.eigenvalues[0]!).toBeCloseTo((2 * (1 - 0.25)) / 1.25, 2);
  });

  it('gives up at maxIter when the gap is tiny and says so', () => {
    const r = powerIteration(diagonal([1, 0.999, 0.5, 0.1]), { maxIter: 30, tol: 1e-9 });
    expect(r.converged).toEqual([false]);
    expect(r.hvpCount).toBe(30);
  });

  it('rejects bad options with the field name', () => {
    const op = diagonal([1, 2]);
    expect(() => powerIteration(op, { topN: 3 })).toThrow(/topN/);
    expect(() => powerIteration(op, { maxIter: 0 })).toThrow(/maxIter/);
    expect(() => powerIteration(op, { tol: -1 })).toThrow(/tol/);
    expect(() => powerIteration(op, { start: [new Float64Array(3)] })).toThrow(/start\[0\]/);
  });
});
