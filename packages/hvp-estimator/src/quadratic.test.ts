import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import { quadraticLandscape, randomOrthogonal } from './quadratic.js';
import { symmetricEigen } from './symmetric-eigen.js';
import { denseOperator } from './operator.js';
import { dot } from './vector.js';

describe('quadraticLandscape', () => {
  it('has an orthonormal basis and exactly the prescribed spectrum (checked by Jacobi)', () => {
    const eigs = [5, -3, 2, 2.5, 0, -0.5, 1e-3, 7, -7, 0.25];
    const q = quadraticLandscape(eigs, { seed: 3 });
    for (let i = 0; i < eigs.length; i++) {
      for (let j = 0; j < eigs.length; j++) {
        expect(Math.abs(dot(q.basis[i]!, q.basis[j]!) - (i === j ? 1 : 0))).toBeLessThan(1e-14);
      }
    }
    const { values } = symmetricEigen(q.dense(), eigs.length);
    const sorted = [...eigs].sort((a, b) => a - b);
    values.forEach((v, i) => expect(Math.abs(v - sorted[i]!)).toBeLessThan(1e-13));
  });

  it('apply equals the dense matrix product, and loss is ½θᵀHθ', () => {
    const rng = createRng(1);
    const eigs = Array.from({ length: 40 }, () => rng.normal());
    const q = quadraticLandscape(eigs, { seed: 2 });
    const dense = denseOperator(q.dense(), 40);
    const v = Float64Array.from({ length: 40 }, () => rng.normal());
    const a = q.apply(v);
    const b = dense.apply(v);
    a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThan(1e-13));
    expect(q.loss(v)).toBeCloseTo(0.5 * dot(v, b), 12);
  });

  it('the same seed gives the same basis; a different seed a different one', () => {
    const a = randomOrthogonal(5, createRng(7));
    const b = randomOrthogonal(5, createRng(7));
    const c = randomOrthogonal(5, createRng(8));
    expect(Array.from(a[2]!)).toEqual(Array.from(b[2]!));
    expect(Array.from(a[2]!)).not.toEqual(Array.from(c[2]!));
  });
});
