import { describe, expect, it } from 'vitest';
import { deflatedOperator } from './operator.js';
import { quadraticLandscape } from './quadratic.js';
import { dot, norm } from './vector.js';

describe('deflatedOperator', () => {
  const eigs = [9, 5, 2, -1, 0.5, 0.25, 3, -4];
  const q = quadraticLandscape(eigs, { seed: 3 });

  it('removes exactly the given eigen-directions: (I − P)H(I − P) has their eigenvalues replaced by 0', () => {
    const d = deflatedOperator(q, [q.basis[0]!, q.basis[7]!]);
    // eigenvectors of H stay eigenvectors; deflated ones map to 0, the others keep their eigenvalue
    q.basis.forEach((u, i) => {
      const du = d.apply(u);
      const want = i === 0 || i === 7 ? 0 : eigs[i]!;
      for (let j = 0; j < u.length; j++) expect(du[j]!).toBeCloseTo(want * u[j]!, 12);
    });
    // tr(H) = Σ deflated eigenvalues + tr((I − P)H(I − P)), from the unit vectors e_j
    let rest = 0;
    for (let j = 0; j < eigs.length; j++) {
      const e = new Float64Array(eigs.length);
      e[j] = 1;
      rest += d.apply(e)[j]!;
    }
    expect(9 + -4 + rest).toBeCloseTo(eigs.reduce((s, x) => s + x, 0), 12);
  });

  it('rejects vectors that are not orthonormal or have the wrong length', () => {
    const u = Float64Array.from(q.basis[0]!);
    const twice = u.map((x) => 2 * x);
    expect(norm(twice)).toBeCloseTo(2, 12);
    expect(() => deflatedOperator(q, [twice])).toThrow(/orthonormal.*vectors\[0\]·vectors\[0\]/);
    const w = Float64Array.from(q.basis[1]!);
    w[0]! += 0.1;
    expect(Math.abs(dot(u, w))).toBeGreaterThan(1e-8);
    expect(() => deflatedOperator(q, [u, w])).toThrow(/orthonormal/);
    expect(() => deflatedOperator(q, [new Float64Array(3)])).toThrow(/length 3, operator size is 8/);
  });
});
