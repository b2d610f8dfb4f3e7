import { describe, expect, it } from 'vitest';
import { STYBLINSKI_TANG_POINTS, doubleWell, quadraticValley, styblinskiTang, styblinskiTangMinimum } from '@kramers/datasets';
import type { Valley } from '@kramers/datasets';
import { boundary } from './index.js';
import type { Boundary, ExitDirection } from './index.js';

/** The first step t at which trajectory(t) is outside, with its exit. */
function firstCrossing(b: Boundary, trajectory: (t: number) => number[], steps: number): { step: number; exit: ExitDirection } | null {
  for (let t = 0; t < steps; t++) {
    const exit = b.exitOf(Float64Array.from(trajectory(t)), 0, b.dim);
    if (exit !== null) return { step: t, exit };
  }
  return null;
}

const { globalMinimum: G, maximum: M, localMinimum: Lm } = STYBLINSKI_TANG_POINTS;

describe('box', () => {
  it('fires at the first step a coordinate leaves r/√k, naming that coordinate, its sign and the matching exit', () => {
    const L = styblinskiTang({ dim: 3 });
    const start = styblinskiTangMinimum(L, 'global');
    const valley = L.valley(start);
    const b = boundary({ kind: 'box', radius: 0.05 }, { start, valley });
    // coordinate 2 moves +0.007 per step: 0.049 at t = 7, 0.056 at t = 8
    const up = firstCrossing(b, (t) => [start[0]! + 0.004, start[1]! - 0.04, start[2]! + 0.007 * t], 100);
    expect(up).toEqual({ step: 8, exit: { kind: 'box', coordinate: 2, sign: 1, exit: 2 } });
    // Leaving through the outer face (away from every col) matches no valley exit.
    const down = firstCrossing(b, (t) => [start[0]! - 0.011 * t, start[1]!, start[2]!], 100);
    expect(down).toEqual({ step: 5, exit: { kind: 'box', coordinate: 0, sign: -1, exit: null } });
    // Two coordinates out in the same step: the one further out.
    expect(b.exitOf(Float64Array.from([start[0]! + 0.06, start[1]! - 0.07, start[2]!]), 0, 3)).toEqual({ kind: 'box', coordinate: 1, sign: -1, exit: null });
  });

  it('shrinks to r/√k: at k = 4 a radius of 0.05 is 0.025', () => {
    const start = [0, 0];
    const b4 = boundary({ kind: 'box', radius: 0.05 }, { start, k: 4 });
    const b1 = boundary({ kind: 'box', radius: 0.05 }, { start });
    const at = (x: number) => Float64Array.from([0, x]);
    expect(b4.exitOf(at(0.0249), 0, 2)).toBeNull();
    expect(b4.exitOf(at(-0.0251), 0, 2)).toEqual({ kind: 'box', coordinate: 1, sign: -1, exit: null });
    expect(b1.exitOf(at(-0.0251), 0, 2)).toBeNull();
    expect(b1.exitOf(at(-0.0501), 0, 2)).not.toBeNull();
  });

  it('reads the row it is given from a float32 batch', () => {
    const b = boundary({ kind: 'box', radius: 0.1 }, { start: [1, 1] });
    const rows = Float32Array.from([1, 1, 1.05, 0.95, 1, 1.2]);
    expect([0, 1, 2].map((r) => b.exitOf(rows, r, 2)?.coordinate ?? null)).toEqual([null, null, 1]);
  });
});

describe('ball', () => {
  it('fires when ‖θ − θ_start‖ passes r/√k, with the unit displacement and its dominant coordinate', () => {
    const start = [0.5, -1, 2];
    const b = boundary({ kind: 'ball', radius: 0.3 }, { start, k: 0.25 }); // radius 0.6
    // displacement 0.047·t·(0, −0.6, 0.8): norm 0.564 at t = 12 (inside), 0.611 at t = 13
    const hit = firstCrossing(b, (t) => [0.5, -1 - 0.0282 * t, 2 + 0.0376 * t], 100)!;
    expect(hit.step).toBe(13);
    expect(hit.exit.kind).toBe('ball');
    if (hit.exit.kind !== 'ball') throw new Error('unreachable');
    expect(hit.exit.coordinate).toBe(2);
    expect(hit.exit.sign).toBe(1);
    expect(Array.from(hit.exit.unit).map((u) => Number(u.toFixed(12)))).toEqual([0, -0.6, 0.8]);
    expect(hit.exit.exit).toBeNull();
  });

  it('names the valley exit with the largest projection on the displacement', () => {
    const L = styblinskiTang({ dim: 2 });
    const start = styblinskiTangMinimum(L, ['global', 'local']); // exits: +e_0 (index 0), −e_1 (index 1)
    const b = boundary({ kind: 'ball', radius: 0.1 }, { start, valley: L.valley(start) });
    const at = (dx: number, dy: number) => Float64Array.from([start[0]! + dx, start[1]! + dy]);
    expect(b.exitOf(at(0.08, -0.09), 0, 2)).toMatchObject({ coordinate: 1, sign: -1, exit: 1 });
    expect(b.exitOf(at(0.09, 0.08), 0, 2)).toMatchObject({ coordinate: 0, sign: 1, exit: 0 });
    expect(b.exitOf(at(-0.09, 0.08), 0, 2)).toMatchObject({ coordinate: 0, sign: -1, exit: null });
  });
});

describe('col and midway on Styblinski–Tang', () => {
  const k = 0.5;
  const L = styblinskiTang({ dim: 2, k });
  const start = styblinskiTangMinimum(L, 'global');
  const valley = L.valley(start);
  const col = boundary({ kind: 'col' }, { valley });
  const midway = boundary({ kind: 'midway' }, { valley });
  const s = Math.sqrt(k);
  const colX = M.x / s;
  const midX = (M.x + Lm.x) / 2 / s; // midway between the col and the local minimum, at x/√k

  it('a trajectory that crosses the col and returns is counted by col, not by midway', () => {
    // coordinate 1 climbs from the global minimum past the col by 0.1 at t = 50, then falls back
    const path = (t: number) => {
      const peak = colX + 0.1;
      const x = t <= 50 ? G.x / s + ((peak - G.x / s) * t) / 50 : peak - ((peak - G.x / s) * (t - 50)) / 50;
      return [start[0]!, x];
    };
    const c = firstCrossing(col, path, 101)!;
    const expected = Array.from({ length: 101 }, (_, t) => t).find((t) => path(t)[1]! > colX);
    expect(c).toEqual({ step: expected, exit: { kind: 'col', exit: 1, coordinate: 1, sign: 1 } });
    expect(c.step).toBeGreaterThan(45);
    expect(firstCrossing(midway, path, 101)).toBeNull();
  });

  it('midway fires at the first step past (col + local minimum)/2, computed independently', () => {
    const path = (t: number) => [G.x / s + 0.05 * t, start[1]!];
    const expected = Array.from({ length: 400 }, (_, t) => t).find((t) => path(t)[0]! > midX)!;
    expect(firstCrossing(midway, path, 400)).toEqual({ step: expected, exit: { kind: 'midway', exit: 0, coordinate: 0, sign: 1 } });
    expect(firstCrossing(col, path, 400)!.step).toBeLessThan(expected);
    // the thresholds themselves, to float rounding: just below and above each
    const at = (x: number) => Float64Array.from([x, start[1]!]);
    expect(col.exitOf(at(colX - 1e-12), 0, 2)).toBeNull();
    expect(col.exitOf(at(colX + 1e-12), 0, 2)).not.toBeNull();
    expect(midway.exitOf(at(midX - 1e-12), 0, 2)).toBeNull();
    expect(midway.exitOf(at(midX + 1e-12), 0, 2)).not.toBeNull();
  });

  it('on a tilted double well, crossing leftward names the one exit with sign −1', () => {
    const D = doubleWell({ barrier: 1, width: 1, tilt: 0.4 });
    const [left, right] = D.profile.minima as [number, number];
    const [c] = D.profile.maxima as [number];
    const b = boundary({ kind: 'midway' }, { valley: D.valley([right]) });
    expect(b.exitOf(Float64Array.from([(c + left) / 2 + 1e-9]), 0, 1)).toBeNull();
    expect(b.exitOf(Float64Array.from([(c + left) / 2 - 1e-9]), 0, 1)).toEqual({ kind: 'midway', exit: 0, coordinate: 0, sign: -1 });
  });
});

describe('bad use', () => {
  it('refuses missing context, bad k and radius, exits without col or next minimum, wrong rows and NaN', () => {
    const Q = quadraticValley({ curvatures: [1, 2] });
    expect(() => boundary({ kind: 'col' }, { valley: Q.valley([0, 0]) })).toThrow(
      "boundary 'col': the valley has no exits (a quadratic valley has no col); use 'box:<radius>' or 'ball:<radius>'",
    );
    expect(() => boundary({ kind: 'midway' }, {} as { valley: Valley })).toThrow("boundary 'midway': pass { valley }");
    expect(() => boundary({ kind: 'box', radius: 0.05 }, {} as { start: number[] })).toThrow("boundary 'box:0.05': pass { start }");
    expect(() => boundary({ kind: 'box', radius: 0.05 }, { start: [0], k: 0 })).toThrow("boundary 'box:0.05': k = 0; pass the landscape's k (> 0)");
    expect(() => boundary({ kind: 'ball', radius: -1 }, { start: [0] })).toThrow('boundary: ball radius = -1; pass a finite number > 0');
    expect(() => boundary({ kind: 'box', radius: 1 }, { start: [0], valley: Q.valley([0, 0]) })).toThrow('start has 1 entries but the valley has dim 2');

    const L = styblinskiTang({ dim: 1 });
    const v = L.valley([G.x]);
    const noNext: Valley = { ...v, exits: [{ ...v.exits[0]!, next: null }] };
    expect(() => boundary({ kind: 'midway' }, { valley: noNext })).toThrow(
      "boundary 'midway': valley exit 0 has no next minimum beyond its col; use 'col' for this valley",
    );

    const box = boundary({ kind: 'box', radius: 0.1 }, { start: [0, 0] });
    expect(() => box.exitOf(new Float32Array(4), 2, 2)).toThrow('exitOf: row = 2 is not a row of positions (2 rows of 2)');
    expect(() => box.exitOf(new Float32Array(4), 0, 3)).toThrow('exitOf: dim = 3; this boundary has dim 2');
    for (const b of [box, boundary({ kind: 'ball', radius: 0.1 }, { start: [0, 0] }), boundary({ kind: 'col' }, { valley: styblinskiTang({ dim: 2 }).valley([G.x, G.x]) })]) {
      expect(() => b.exitOf(Float32Array.from([0, 0, G.x, Number.NaN]), 1, 2)).toThrow('exitOf: row 1 has θ[1] = NaN; the replica diverged');
    }
  });
});
