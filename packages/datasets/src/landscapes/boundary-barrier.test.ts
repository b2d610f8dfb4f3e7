import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { boundaryBarrier } from './boundary-barrier.js';
import type { Landscape } from './landscape.js';
import { quadraticValley } from './quadratic-valley.js';
import { styblinskiTang, styblinskiTangMinimum } from './styblinski-tang.js';

/** A non-separable quadratic ½ θᵀAθ with A = R diag(λ) Rᵀ, R a rotation by angle φ (a landscape the package lacks). */
function rotatedQuadratic(lambda: [number, number], phi: number): Landscape {
  const [c, s] = [Math.cos(phi), Math.sin(phi)];
  const a = [lambda[0] * c * c + lambda[1] * s * s, (lambda[0] - lambda[1]) * c * s, lambda[0] * s * s + lambda[1] * c * c];
  const A = Float64Array.from([a[0]!, a[1]!, a[1]!, a[2]!]);
  const grad = (t: ArrayLike<number>) => Float64Array.from([A[0]! * t[0]! + A[1]! * t[1]!, A[2]! * t[0]! + A[3]! * t[1]!]);
  return {
    name: 'quadratic-valley',
    dim: 2,
    parameters: {},
    value: (t) => 0.5 * (t[0]! * grad(t)[0]! + t[1]! * grad(t)[1]!),
    gradient: grad,
    hessian: () => Float64Array.from(A),
    gradientTensor: (t: tf.Tensor2D) => t,
    valley: () => {
      throw new Error('unused');
    },
  };
}

describe('quadraticValley', () => {
  it('has one minimum at the centre with eigenvalues scale·h and no exits', () => {
    const L = quadraticValley({ curvatures: [3, 1, 2], center: [1, -1, 0.5], scale: 0.5 });
    const v = L.valley([5, 5, 5]);
    expect(Array.from(v.minimum.point)).toEqual([1, -1, 0.5]);
    expect(Array.from(v.minimum.hessianEigenvalues)).toEqual([0.5, 1, 1.5]);
    expect(v.exits).toEqual([]);
    expect(L.value([2, -1, 0.5])).toBe(0.75);
    expect(Array.from(L.gradient([2, 0, 0.5]))).toEqual([1.5, 0.5, 0]);
  });

  it('refuses empty or non-positive curvatures and a centre of the wrong length', () => {
    expect(() => quadraticValley({ curvatures: [] })).toThrow('quadraticValley: curvatures is empty');
    expect(() => quadraticValley({ curvatures: [1, 0] })).toThrow('quadraticValley: curvatures[1] = 0; pass a finite number > 0');
    expect(() => quadraticValley({ curvatures: [1, 2], center: [0] })).toThrow('center has 1 entries; pass one per curvature (2)');
  });
});

describe('boundaryBarrier', () => {
  it('quadratic valley: box and ball both give ½·scale·h_min·r² (closed form)', () => {
    const L = quadraticValley({ curvatures: [3, 0.7, 2], center: [1, 2, 3], scale: 2 });
    for (const kind of ['box', 'ball'] as const) {
      expect(boundaryBarrier(L, [1, 2, 3], { kind, radius: 0.2 })).toBeCloseTo(0.5 * 2 * 0.7 * 0.04, 14);
    }
  });

  it('ball on a rotated (non-separable) quadratic: ½·λ_min·r²; a box there is refused', () => {
    const L = rotatedQuadratic([5, 0.8], 0.6);
    expect(boundaryBarrier(L, [0, 0], { kind: 'ball', radius: 0.3 })).toBeCloseTo(0.5 * 0.8 * 0.09, 12);
    expect(() => boundaryBarrier(L, [0, 0], { kind: 'box', radius: 0.3 })).toThrow(
      "boundaryBarrier: a box barrier needs a separable landscape; 'quadratic-valley' is not, use kind 'ball'",
    );
  });

  it('Styblinski–Tang in 2-D: box and ball barriers equal dense scans of the boundary', () => {
    const L = styblinskiTang({ dim: 2, k: 1.3, scale: 0.2 });
    const a = styblinskiTangMinimum(L, ['global', 'local']);
    const base = L.value(a);
    for (const r of [0.05, 0.4, 1.2]) {
      let box = Infinity;
      let ball = Infinity;
      const n = 40000;
      for (let i = 0; i <= n; i++) {
        const t = -r + (2 * r * i) / n;
        for (const [x, y] of [[t, r], [t, -r], [r, t], [-r, t]] as const) box = Math.min(box, L.value([a[0]! + x, a[1]! + y]) - base);
        const ang = (2 * Math.PI * i) / n;
        ball = Math.min(ball, L.value([a[0]! + r * Math.cos(ang), a[1]! + r * Math.sin(ang)]) - base);
      }
      // a scan step of 2r/n misses the true minimum by ≈ ½·L''·(r/n)², far below these margins
      expect(Math.abs(boundaryBarrier(L, a, { kind: 'box', radius: r }) - box)).toBeLessThan(1e-9);
      expect(Math.abs(boundaryBarrier(L, a, { kind: 'ball', radius: r }) - ball)).toBeLessThan(1e-9);
      expect(boundaryBarrier(L, a, { kind: 'box', radius: r })).toBeLessThanOrEqual(box + 1e-12); // never above a sampled boundary point
    }
  });

  it('refuses a bad radius or kind', () => {
    const L = quadraticValley({ curvatures: [1] });
    expect(() => boundaryBarrier(L, [0], { kind: 'box', radius: 0 })).toThrow('boundaryBarrier: boundary.radius = 0; pass a finite number > 0');
    expect(() => boundaryBarrier(L, [0], { kind: 'cube' as 'box', radius: 1 })).toThrow(`boundary.kind = "cube"; pass 'box' or 'ball'`);
    expect(() => boundaryBarrier(L, [0, 0], { kind: 'box', radius: 1 })).toThrow('boundaryBarrier: theta has 2 entries');
  });
});
