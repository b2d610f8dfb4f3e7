import { describe, expect, it } from 'vitest';
import { STYBLINSKI_TANG_POINTS, styblinskiTang, styblinskiTangMinimum } from '@kramers/datasets';
import { boundary, escapeDetector } from './index.js';

describe('escapeDetector', () => {
  it('maps rows to ids after escaped rows are dropped, and reports each replica once at its first step outside', () => {
    const b = boundary({ kind: 'box', radius: 0.5 }, { start: [0, 0] });
    const d = escapeDetector(b, 4);
    // step 0: all four inside
    expect(d.observe(0, Float32Array.from([0, 0, 0.1, 0, 0, -0.2, 0.3, 0.3]), [0, 1, 2, 3])).toEqual([]);
    // step 1: replica 1 leaves through +θ_0, replica 3 through −θ_1
    const s1 = d.observe(1, Float32Array.from([0, 0, 0.6, 0, 0, -0.2, 0.3, -0.7]), [0, 1, 2, 3]);
    expect(s1).toEqual([
      { replica: 1, step: 1, exit: { kind: 'box', coordinate: 0, sign: 1, exit: null } },
      { replica: 3, step: 1, exit: { kind: 'box', coordinate: 1, sign: -1, exit: null } },
    ]);
    expect(d.remaining()).toBe(2);
    // step 2: the ensemble dropped rows 1 and 3; row 1 now belongs to replica 2, which leaves
    const s2 = d.observe(2, Float32Array.from([0.1, 0.1, -0.9, 0]), [0, 2]);
    expect(s2).toEqual([{ replica: 2, step: 2, exit: { kind: 'box', coordinate: 0, sign: -1, exit: null } }]);
    // step 3: a replica still sent after escaping is not reported again; replica 0 stays
    expect(d.observe(3, Float32Array.from([0.2, 0.2, 5, 5]), [0, 2])).toEqual([]);
    expect(d.firstExit(2)).toEqual(s2[0]);
    expect(d.firstExit(0)).toBeUndefined();
    expect(d.escapes().map((e) => [e.replica, e.step])).toEqual([[1, 1], [3, 1], [2, 2]]);
    expect(d.remaining()).toBe(1);
  });

  it('on a 10-D Styblinski–Tang ensemble, midway events carry the exit of the coordinate that crossed', () => {
    const L = styblinskiTang({ dim: 10, k: 2 });
    const a = styblinskiTangMinimum(L, 'global');
    const valley = L.valley(a);
    const d = escapeDetector(boundary({ kind: 'midway' }, { valley }), 10);
    const midway = (STYBLINSKI_TANG_POINTS.maximum.x + STYBLINSKI_TANG_POINTS.localMinimum.x) / 2 / Math.sqrt(2);
    // replica r moves only coordinate r, by 0.999·(midway − a)/(r + 1) per step: 99.9 % of the way at step r + 1,
    // past the threshold at step r + 2
    const ids = Array.from({ length: 10 }, (_, r) => r);
    const seen: Array<[number, number, number]> = [];
    for (let step = 1; step <= 12; step++) {
      const live = ids.filter((r) => d.firstExit(r) === undefined);
      const pos = new Float32Array(live.length * 10);
      live.forEach((r, row) => {
        for (let i = 0; i < 10; i++) pos[row * 10 + i] = a[i]!;
        pos[row * 10 + r] = a[r]! + (((midway - a[r]!) * 0.999) / (r + 1)) * step;
      });
      for (const e of d.observe(step, pos, live)) seen.push([e.replica, e.step, e.exit.kind === 'midway' ? e.exit.exit : -1]);
    }
    expect(seen).toEqual(ids.map((r) => [r, r + 2, r]));
    expect(d.remaining()).toBe(0);
  });

  it('returns the same empty array on quiet steps, and 100 replicas × 10 dims cost microseconds per step', () => {
    const L = styblinskiTang({ dim: 10 });
    const a = styblinskiTangMinimum(L, 'global');
    const d = escapeDetector(boundary({ kind: 'midway' }, { valley: L.valley(a) }), 100);
    const pos = new Float32Array(1000);
    for (let i = 0; i < 1000; i++) pos[i] = a[i % 10]!;
    const ids = Int32Array.from({ length: 100 }, (_, i) => i);
    const none = d.observe(0, pos, ids);
    let fresh = 0;
    const t0 = performance.now();
    for (let step = 1; step <= 20000; step++) if (d.observe(step, pos, ids) !== none) fresh++;
    const perStep = (performance.now() - t0) / 20000;
    expect(fresh).toBe(0);
    expect(d.remaining()).toBe(100);
    expect(perStep).toBeLessThan(0.5); // ms; a 10⁵-step run then costs under a minute even on a slow shared core
  });

  it('refuses a positions/ids mismatch, an unknown id and a bad ensemble size', () => {
    const d = escapeDetector(boundary({ kind: 'box', radius: 1 }, { start: [0, 0] }), 3);
    expect(() => d.observe(0, new Float32Array(5), [0, 1])).toThrow(
      'observe: positions has 5 numbers for 2 ids; pass ids.length × 2 (one row of 2 per id)',
    );
    expect(() => d.observe(0, new Float32Array(2), [3])).toThrow('observe: ids[0] = 3; replica ids are integers 0 … 2');
    expect(() => escapeDetector(boundary({ kind: 'box', radius: 1 }, { start: [0] }), 0)).toThrow(
      'escapeDetector: replicas = 0; pass the ensemble size, an integer ≥ 1',
    );
  });
});
