import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import {
  STYBLINSKI_TANG_POINTS,
  styblinskiTang,
  styblinskiTangMinimum,
  styblinskiTangPoints,
  styblinskiTangProfile,
} from './styblinski-tang.js';

/** Roots of the depressed cubic t³ + pt + q (three real roots) by Viète's trigonometric formula, ascending. */
function vieteRoots(p: number, q: number): number[] {
  const m = 2 * Math.sqrt(-p / 3);
  const phi = Math.acos(((3 * q) / (2 * p)) * Math.sqrt(-3 / p)) / 3;
  return [0, 1, 2].map((j) => m * Math.cos(phi - (2 * Math.PI * j) / 3)).sort((a, b) => a - b);
}

describe('Styblinski–Tang critical points', () => {
  it('match the published per-coordinate numbers (x, f, f″ = 6x² − 16 of the ½-scaled profile) to 6 decimals', () => {
    const { globalMinimum: g, maximum: m, localMinimum: l } = STYBLINSKI_TANG_POINTS;
    const table = [
      [g, -2.903534, -39.166166, 34.583059],
      [m, 0.156731, 0.195612, -15.852612],
      [l, 2.746803, -25.029447, 29.269553],
    ] as const;
    for (const [point, x, f, f2] of table) {
      expect(Math.abs(point.x - x)).toBeLessThan(5e-7);
      expect(Math.abs(point.value - f)).toBeLessThan(5e-7);
      expect(Math.abs(point.curvature - f2)).toBeLessThan(5e-7);
      expect(point.curvature).toBeCloseTo(6 * point.x * point.x - 16, 12);
    }
  });

  it('are the roots of 4x³ − 32x + 5 to float64 accuracy (against Viète’s closed form)', () => {
    const viete = vieteRoots(-8, 1.25); // 4x³ − 32x + 5 = 0 ⇔ x³ − 8x + 1.25 = 0
    const { globalMinimum: g, maximum: m, localMinimum: l } = STYBLINSKI_TANG_POINTS;
    [g.x, m.x, l.x].forEach((x, i) => expect(Math.abs(x - viete[i]!)).toBeLessThan(4e-15 * Math.max(1, Math.abs(x))));
  });

  it('give the barriers 25.225059 (local min) and 39.361778 (global min), and the SGLD prefactors 0.29169, 0.26835', () => {
    const L = styblinskiTang({ dim: 10 });
    const fromLocal = L.valley(styblinskiTangMinimum(L, 'local'));
    const fromGlobal = L.valley(styblinskiTangMinimum(L, 'global'));
    expect(fromLocal.exits).toHaveLength(10);
    expect(fromGlobal.exits).toHaveLength(10);
    for (const e of fromLocal.exits) {
      expect(Math.abs(e.barrier - 25.225059)).toBeLessThan(5e-7);
      // 1-D Kramers prefactor 2π/√(H_a·|H_b|) (Theorem 3.1 with one escape coordinate)
      expect(Math.abs((2 * Math.PI) / Math.sqrt(e.minimumCurvature * -e.colCurvature) - 0.29169)).toBeLessThan(5e-6);
    }
    for (const e of fromGlobal.exits) {
      expect(Math.abs(e.barrier - 39.361778)).toBeLessThan(5e-7);
      expect(Math.abs((2 * Math.PI) / Math.sqrt(e.minimumCurvature * -e.colCurvature) - 0.26835)).toBeLessThan(5e-6);
    }
  });

  it('scale as the √k rescaling says: positions /√k, barriers × scale, curvatures × scale·k', () => {
    const base = STYBLINSKI_TANG_POINTS;
    for (const [k, scale] of [[0.5, 1], [2, 0.01], [1.7, 3]] as const) {
      const L = styblinskiTang({ dim: 2, k, scale });
      const pts = styblinskiTangPoints(L);
      for (const key of ['globalMinimum', 'maximum', 'localMinimum'] as const) {
        expect(pts[key].x * Math.sqrt(k)).toBeCloseTo(base[key].x, 13);
        expect(pts[key].value / scale).toBeCloseTo(base[key].value, 11);
        expect(pts[key].curvature / (scale * k)).toBeCloseTo(base[key].curvature, 11);
      }
      const v = L.valley(styblinskiTangMinimum(L, ['local', 'global']));
      expect(v.exits.map((e) => e.barrier / scale)).toEqual([
        expect.closeTo(25.2250590143393, 11),
        expect.closeTo(39.36177806282677, 11),
      ]);
    }
  });
});

describe('Styblinski–Tang value, gradient and Hessian', () => {
  it('agree with central finite differences in float64 at random points', () => {
    const rng = createRng(20240611);
    const L = styblinskiTang({ dim: 5, k: 0.7, scale: 0.3 });
    const h = 1e-5;
    let worstG = 0;
    let worstH = 0;
    for (let trial = 0; trial < 20; trial++) {
      const theta = Float64Array.from({ length: 5 }, () => 8 * rng.next() - 4);
      const g = L.gradient(theta);
      const H = L.hessian(theta);
      for (let i = 0; i < 5; i++) {
        const plus = Float64Array.from(theta);
        const minus = Float64Array.from(theta);
        plus[i] += h;
        minus[i] -= h;
        const fd = (L.value(plus) - L.value(minus)) / (2 * h);
        worstG = Math.max(worstG, Math.abs(fd - g[i]!) / (1 + Math.abs(g[i]!)));
        const gp = L.gradient(plus);
        const gm = L.gradient(minus);
        for (let j = 0; j < 5; j++) {
          const fdH = (gp[j]! - gm[j]!) / (2 * h);
          worstH = Math.max(worstH, Math.abs(fdH - H[i * 5 + j]!) / (1 + Math.abs(H[i * 5 + j]!)));
        }
      }
    }
    expect(worstG).toBeLessThan(1e-8);
    expect(worstH).toBeLessThan(1e-8);
  });

  it('sums the profile over coordinates (d = 10 global minimum value = 10 × −39.166166)', () => {
    const L = styblinskiTang({ dim: 10 });
    expect(L.value(styblinskiTangMinimum(L, 'global'))).toBeCloseTo(10 * -39.16616570377141, 10);
  });
});

describe('Styblinski–Tang valleys', () => {
  it('polish a start to the minimum of its basin per coordinate and list one exit per coordinate toward the other well', () => {
    const L = styblinskiTang({ dim: 4, k: 0.8 });
    const [g, l] = L.profile.minima as [number, number];
    const [c] = L.profile.maxima as [number];
    const v = L.valley([-0.9, 0.2, 3.9, c - 1e-9]); // 0.2 > col 0.175, so the second coordinate is in the local well
    expect(Array.from(v.minimum.point)).toEqual([g, l, l, g]);
    expect(v.minimum.kind).toBe('minimum');
    expect(v.exits.map((e) => Array.from(e.direction))).toEqual([
      [1, 0, 0, 0],
      [0, -1, 0, 0],
      [0, 0, -1, 0],
      [0, 0, 0, 1],
    ]);
    for (const [i, e] of v.exits.entries()) {
      expect(e.col.kind).toBe('saddle');
      expect(e.col.point[i]).toBe(c);
      expect(e.col.hessianEigenvalues.filter((x) => x < 0)).toHaveLength(1);
      expect(e.next!.point[i]).toBe(v.minimum.point[i] === g ? l : g);
      expect(e.colCurvature).toBeCloseTo(-15.85261187888833 * 0.8, 12);
      // √(−det H_b/det H_a) reduces to √(|H_be|/H_ae) when only coordinate i changes (derived)
      expect(e.determinantRatio).toBeCloseTo(Math.sqrt(-e.colCurvature / e.minimumCurvature), 15);
      // the general determinant ratio from the full diagonal Hessians agrees
      const detA = v.minimum.hessianEigenvalues.reduce((a, b) => a * b, 1);
      const detB = e.col.hessianEigenvalues.reduce((a, b) => a * b, 1);
      expect(e.determinantRatio).toBeCloseTo(Math.sqrt(-detB / detA), 12);
      expect(e.barrier).toBeCloseTo(e.col.value - v.minimum.value, 11);
    }
  });

  it('sends a start exactly on the col to the deeper (global) well', () => {
    const L = styblinskiTang({ dim: 1 });
    expect(L.valley([L.profile.maxima[0]!]).minimum.point[0]).toBe(L.profile.minima[0]);
  });

  it('refuses bad options and inputs, naming the field', () => {
    expect(() => styblinskiTang({ dim: 0 })).toThrow('styblinski-tang: dim = 0; pass an integer ≥ 1');
    expect(() => styblinskiTang({ dim: 2, k: -1 })).toThrow('styblinskiTang: k = -1; pass a finite number > 0');
    expect(() => styblinskiTangProfile(1, Number.NaN)).toThrow('scale = NaN');
    const L = styblinskiTang({ dim: 3 });
    expect(() => L.gradient([1, 2])).toThrow('styblinski-tang.gradient: theta has 2 entries; this landscape has dim 3');
    expect(() => styblinskiTangMinimum(L, ['global', 'local'])).toThrow('which has 2 entries; pass one per coordinate (3)');
    expect(() => styblinskiTangMinimum(L, 'best' as 'global')).toThrow(`which = "best"; pass 'global' or 'local'`);
  });
});
