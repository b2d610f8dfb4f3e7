import { describe, expect, it } from 'vitest';
import { doubleWell, doubleWellTiltLimit } from './double-well.js';

describe('doubleWell', () => {
  it('without tilt: minima ±width, col 0, H_a = 8·barrier/width², H_b = −4·barrier/width², ΔL = barrier', () => {
    for (const [barrier, width] of [[1, 1], [2.5, 0.3], [0.01, 4]] as const) {
      const L = doubleWell({ barrier, width });
      expect(L.profile.minima[0]).toBeCloseTo(-width, 14);
      expect(L.profile.minima[1]).toBeCloseTo(width, 14);
      expect(L.profile.maxima[0]).toBe(0);
      for (const start of [-0.5 * width, 1.7 * width]) {
        const v = L.valley([start]);
        expect(v.minimum.point[0]).toBeCloseTo(Math.sign(start) * width, 14);
        expect(v.exits).toHaveLength(1);
        const [e] = v.exits as [(typeof v.exits)[0]];
        expect(e.barrier).toBeCloseTo(barrier, 13);
        expect(e.minimumCurvature / ((8 * barrier) / width ** 2)).toBeCloseTo(1, 13);
        expect(e.colCurvature / ((-4 * barrier) / width ** 2)).toBeCloseTo(1, 13);
        expect(e.determinantRatio).toBeCloseTo(Math.SQRT1_2, 14); // √(4/8)
        expect(e.col.kind).toBe('maximum');
        expect(e.direction[0]).toBe(-Math.sign(start));
        expect(e.next!.point[0]).toBeCloseTo(-Math.sign(start) * width, 14);
      }
    }
  });

  it('with tilt: critical points are the roots of u³ − u + tilt·w/(4b) (Viète), barriers L(col) − L(min)', () => {
    const barrier = 2;
    const width = 1.5;
    for (const tilt of [0.3, -0.9, 1.5]) {
      const L = doubleWell({ barrier, width, tilt });
      const tau = (tilt * width) / (4 * barrier);
      // u³ − u + τ = 0 by Viète: u = (2/√3)·cos(φ/3 − 2πj/3), cos φ = −τ·(3√3/2)
      const phi = Math.acos(-tau * ((3 * Math.sqrt(3)) / 2));
      const roots = [0, 1, 2].map((j) => width * (2 / Math.sqrt(3)) * Math.cos(phi / 3 - (2 * Math.PI * j) / 3)).sort((a, b) => a - b);
      const found = [L.profile.minima[0]!, L.profile.maxima[0]!, L.profile.minima[1]!];
      found.forEach((x, i) => expect(Math.abs(x - roots[i]!)).toBeLessThan(1e-14 * width));
      const left = L.valley([found[0]!]).exits[0]!;
      const right = L.valley([found[2]!]).exits[0]!;
      expect(left.barrier).toBeCloseTo(L.value([found[1]!]) - L.value([found[0]!]), 13);
      expect(right.barrier).toBeCloseTo(L.value([found[1]!]) - L.value([found[2]!]), 13);
      // Positive tilt raises the right well, so leaving it is easier.
      expect(Math.sign(left.barrier - right.barrier)).toBe(Math.sign(tilt));
      // Tilt enters the barrier difference as tilt·(x₊ − x₋) to first order (derived): check its sign and size.
      expect((left.barrier - right.barrier) / (tilt * (found[2]! - found[0]!))).toBeCloseTo(1, 0);
    }
  });

  it('refuses a tilt that removes a well, and non-positive barrier or width, naming the field', () => {
    const limit = doubleWellTiltLimit(1, 1);
    expect(limit).toBeCloseTo(8 / (3 * Math.sqrt(3)), 15);
    expect(() => doubleWell({ tilt: limit })).toThrow(
      'doubleWell: tilt = 1.539600717839002 removes the right well (|tilt| must be below 8·barrier/(3√3·width) = 1.53960 for barrier 1, width 1); reduce |tilt| or raise barrier',
    );
    expect(() => doubleWell({ tilt: -2 })).toThrow('removes the left well');
    expect(() => doubleWell({ tilt: 0.999 * limit })).not.toThrow();
    expect(() => doubleWell({ barrier: 0 })).toThrow('doubleWell: barrier = 0; pass a finite number > 0');
    expect(() => doubleWell({ width: -1 })).toThrow('doubleWell: width = -1');
    expect(() => doubleWell({ tilt: Number.NaN })).toThrow('doubleWell: tilt = NaN; pass a finite number');
  });
});
