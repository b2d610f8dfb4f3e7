import { describe, expect, it } from 'vitest';
import { lineScanBarrier } from '../src/index.js';

describe('lineScanBarrier', () => {
  // L(t) = h((t/w)² − 1)²: minima at ±w, col at 0 of height h with L''(0) = −4h/w²; started at t = −w.
  const h = 0.7;
  const w = 1.3;
  const L = (t: number) => h * ((t / w) ** 2 - 1) ** 2;
  const lambda = (8 * h) / (w * w); // L''(±w)
  const riseCap = 2 * h;
  const tMax = 2 * Math.sqrt((2 * riseCap) / lambda); // the escape plugin's default reach for this cap

  it('finds the double well col: ΔL = h, at distance w, H_be = −4h/w², within 1e-3 relative', () => {
    const scan = lineScanBarrier((t) => L(-w + t), { tMax, riseCap });
    expect(scan.escape.kind).toBe('col');
    if (scan.escape.kind !== 'col') return;
    expect(scan.escape.sign).toBe(1);
    expect(Math.abs(scan.escape.barrier / h - 1)).toBeLessThan(1e-3);
    expect(Math.abs(scan.escape.distance / w - 1)).toBeLessThan(1e-3);
    expect(Math.abs(scan.escape.colCurvature / (-4 * h / (w * w)) - 1)).toBeLessThan(1e-3);
    // the other side climbs the outer wall: no col, and the cap stops it
    expect(scan.minus.kind).toBe('no-col');
    if (scan.minus.kind === 'no-col') expect(scan.minus.riseSeen).toBeGreaterThan(riseCap);
    expect(scan.base).toBe(0);
    // θ at the minimum: the central difference of a quartic is exact but for L'''(−w)·δ²/6 = −4hδ²/w³
    expect(scan.slope).toBeCloseTo((-4 * h * (tMax / 12) ** 2) / w ** 3, 12);
    expect(scan.evaluations).toBeLessThanOrEqual(35);
  });

  it('from a point off the minimum the barrier is measured from L(θ) and the slope is L′(θ)', () => {
    const t0 = -1.1 * w;
    const scan = lineScanBarrier((t) => L(t0 + t), { tMax: 2.5 * w });
    expect(scan.escape.kind).toBe('col');
    if (scan.escape.kind !== 'col') return;
    expect(scan.escape.barrier).toBeCloseTo(h - L(t0), 3);
    const exactSlope = ((4 * h) / (w * w)) * t0 * ((t0 / w) ** 2 - 1);
    const spacing = (2.5 * w) / 12;
    // central difference error: L'''·spacing²/6
    expect(Math.abs(scan.slope - exactSlope)).toBeLessThan(((24 * h * Math.abs(t0)) / w ** 4) * spacing ** 2 / 6 + 1e-9);
  });

  it('a convex loss has no col: both sides report the rise seen', () => {
    const scan = lineScanBarrier((t) => t * t + 0.1 * t ** 4, { tMax: 2 });
    expect(scan.plus).toEqual({ kind: 'no-col', sign: 1, distance: 2, riseSeen: 4 + 1.6 });
    expect(scan.minus.kind).toBe('no-col');
    expect(scan.escape.kind).toBe('no-col');
    expect(scan.evaluations).toBe(25);
  });

  it('of two cols the lower is the escape side', () => {
    // cols at t = +1 (height 1) and t = −1 (height 0.5): L = t² − t⁴/2 scaled per side
    const scan = lineScanBarrier((t) => (t > 0 ? 2 : 1) * (t * t - t ** 4 / 2), { tMax: 1.5 });
    expect(scan.plus.kind).toBe('col');
    expect(scan.escape.sign).toBe(-1);
    if (scan.escape.kind === 'col') expect(scan.escape.barrier).toBeCloseTo(0.5, 4);
  });

  it('refuses bad options and non-finite losses with the field and the fix', () => {
    expect(() => lineScanBarrier((t) => t, { tMax: 0 })).toThrow('lineScanBarrier: tMax must be a finite number > 0');
    expect(() => lineScanBarrier((t) => t, { tMax: 1, points: 2 })).toThrow('points must be an integer ≥ 3');
    expect(() => lineScanBarrier((t) => (t > 0.5 ? Number.NaN : t), { tMax: 1 })).toThrow('returned NaN');
  });
});
