import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import { tridiagonalEigen, tridiagonalEigenComponents } from './tridiagonal-eigen.js';
import { symmetricEigen } from './symmetric-eigen.js';

function tridiagToDense(alpha: Float64Array, beta: Float64Array): Float64Array {
  const m = alpha.length;
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    a[i * m + i] = alpha[i]!;
    if (i < m - 1) {
      a[i * m + i + 1] = beta[i]!;
      a[(i + 1) * m + i] = beta[i]!;
    }
  }
  return a;
}

function maxResidual(a: Float64Array, m: number, values: Float64Array, vectors: Float64Array[]): number {
  let worst = 0;
  for (let k = 0; k < m; k++) {
    const v = vectors[k]!;
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += a[i * m + j]! * v[j]!;
      worst = Math.max(worst, Math.abs(s - values[k]! * v[i]!));
    }
  }
  return worst;
}

describe('tridiagonalEigen', () => {
  it('reproduces the closed-form spectrum of the 1-D Laplacian tridiag(−1, 2, −1)', () => {
    for (const m of [1, 2, 7, 50, 200]) {
      const alpha = new Float64Array(m).fill(2);
      const beta = new Float64Array(m - 1).fill(-1);
      const { values, vectors } = tridiagonalEigen(alpha, beta);
      // eigenvalues 2 − 2cos(kπ/(m+1)), k = 1..m (ascending); eigenvectors sin(jkπ/(m+1))
      for (let k = 1; k <= m; k++) {
        const exact = 2 - 2 * Math.cos((k * Math.PI) / (m + 1));
        expect(Math.abs(values[k - 1]! - exact)).toBeLessThan(1e-13 * 4);
        const v = vectors[k - 1]!;
        let dotp = 0;
        let nn = 0;
        for (let j = 1; j <= m; j++) {
          const s = Math.sin((j * k * Math.PI) / (m + 1));
          dotp += s * v[j - 1]!;
          nn += s * s;
        }
        expect(Math.abs(dotp) / Math.sqrt(nn)).toBeGreaterThan(1 - 1e-10);
      }
    }
  });

  it('agrees with the dense Jacobi solver on random tridiagonals with a wide dynamic range', () => {
    const rng = createRng(7);
    for (const m of [3, 20, 80]) {
      const alpha = Float64Array.from({ length: m }, () => rng.normal() * 10 ** (3 * rng.next() - 1));
      const beta = Float64Array.from({ length: m - 1 }, () => rng.normal());
      const dense = tridiagToDense(alpha, beta);
      const ql = tridiagonalEigen(alpha, beta);
      const jac = symmetricEigen(dense, m);
      const scale = Math.max(...ql.values.map(Math.abs));
      for (let i = 0; i < m; i++) expect(Math.abs(ql.values[i]! - jac.values[i]!)).toBeLessThan(1e-13 * scale);
      expect(maxResidual(dense, m, ql.values, ql.vectors)).toBeLessThan(1e-12 * scale);
      expect(maxResidual(dense, m, jac.values, jac.vectors)).toBeLessThan(1e-12 * scale);
    }
  });

  it('handles zero off-diagonals (a split matrix) and repeated eigenvalues', () => {
    const alpha = Float64Array.from([3, 1, 3, 1, 5]);
    const beta = Float64Array.from([0, 0, 0, 0]);
    const { values, vectors } = tridiagonalEigen(alpha, beta);
    expect(Array.from(values)).toEqual([1, 1, 3, 3, 5]);
    for (const v of vectors) expect(Math.hypot(...v)).toBeCloseTo(1, 14);
  });

  it('returns just the requested eigenvector rows, equal to the full solve', () => {
    const rng = createRng(11);
    const m = 40;
    const alpha = Float64Array.from({ length: m }, () => rng.normal());
    const beta = Float64Array.from({ length: m - 1 }, () => rng.normal());
    const full = tridiagonalEigen(alpha, beta);
    const part = tridiagonalEigenComponents(alpha, beta, [0, m - 1]);
    for (let i = 0; i < m; i++) {
      expect(part.values[i]).toBe(full.values[i]);
      expect(part.components[0]![i]).toBe(full.vectors[i]![0]);
      expect(part.components[1]![i]).toBe(full.vectors[i]![m - 1]);
    }
  });

  it('rejects malformed input with the field name', () => {
    expect(() => tridiagonalEigen([], [])).toThrow(/alpha/);
    expect(() => tridiagonalEigen([1, 2, 3], [1])).toThrow(/beta has 1 entries/);
    expect(() => tridiagonalEigen([1, NaN], [1])).toThrow(/alpha\[1\]/);
    expect(() => tridiagonalEigenComponents([1, 2], [1], [2])).toThrow(/row 2/);
  });
});

describe('symmetricEigen', () => {
  it('diagonalises a random symmetric matrix: A v = λ v, orthonormal vectors, trace preserved', () => {
    const rng = createRng(3);
    const n = 30;
    const a = new Float64Array(n * n);
    let trace = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const x = rng.normal();
        a[i * n + j] = x;
        a[j * n + i] = x;
      }
      trace += a[i * n + i]!;
    }
    const { values, vectors } = symmetricEigen(a, n);
    expect(maxResidual(a, n, values, vectors)).toBeLessThan(1e-12);
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 11);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let d = 0;
        for (let k = 0; k < n; k++) d += vectors[i]![k]! * vectors[j]![k]!;
        expect(Math.abs(d - (i === j ? 1 : 0))).toBeLessThan(1e-13);
      }
    }
    for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
  });

  it('rejects a non-symmetric matrix', () => {
    expect(() => symmetricEigen([1, 2, 0, 1], 2)).toThrow(/not symmetric/);
  });
});
