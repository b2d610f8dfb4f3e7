// The targets, asserted on the full `kramers reproduce styblinski-tang` grid (≈ 3 minutes on 2 cores):
// every SGD and SGLD panel linear with |r| ≥ 0.99, SGD's exponential law beating the power law by χ²/dof, SGLD within
// 2× of Theorem 3.1 and 20 % of the exact first-passage time, memoryless escapes (CV 0.7–1.3), and the
// state-dependent noise model blocking escape. Seeded: the same numbers every run on a given backend.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { runFigure, styblinskiTangFigure, workerThreadRunner, type FigureDocument, type FigurePanel } from '@kramers/experiments';

let doc: FigureDocument;

beforeAll(async () => {
  await tf.setBackend('wasm');
  doc = await runFigure(styblinskiTangFigure(), workerThreadRunner({ workers: 2, backend: 'wasm' }));
}, 1_200_000);

const panel = (id: string): FigurePanel => {
  const p = doc.panels.find((q) => q.id === id);
  if (p === undefined) throw new Error(`no panel ${id}`);
  return p;
};

describe('kramers reproduce styblinski-tang, full grid, 100 replicas a point', () => {
  it.each(['sgd-k', 'sgd-batch', 'sgd-lr', 'sgld-diffusion', 'sgld-k'])('%s: |Pearson r| ≥ 0.99 with a positive slope', (id) => {
    const p = panel(id);
    expect(p.points.length).toBeGreaterThanOrEqual(5);
    expect(Math.abs(p.fit!.pearson!)).toBeGreaterThanOrEqual(0.99);
    expect(p.fit!.slope).toBeGreaterThan(0);
  });

  it.each(['sgd-k', 'sgd-batch', 'sgd-lr'])('%s: the exponential law fits better than the power law (χ²/dof)', (id) => {
    const p = panel(id);
    expect(p.chi2dof.exponential!).toBeLessThan(p.chi2dof.powerLaw!);
    expect(p.preferred).toBe('exponential');
  });

  it('SGLD: observed mean escape time within 2× of Theorem 3.1 and within 20 % of the exact first passage (ΔL/D ≥ 5)', () => {
    for (const p of [...panel('sgld-diffusion').points, ...panel('sgld-k').points]) {
      const observed = 1 / p.gamma;
      expect(observed * p.predictedGamma!).toBeGreaterThan(0.5);
      expect(observed * p.predictedGamma!).toBeLessThan(2);
      expect(Math.abs(observed * p.exactGamma! - 1)).toBeLessThan(0.2);
    }
  });

  it('SGLD: −log γ against 1/D has the barrier ΔL as its slope (Theorem 3.1), within 10 %', () => {
    expect(panel('sgld-diffusion').fit!.slope / (0.01 * 39.361778)).toBeGreaterThan(0.9);
    expect(panel('sgld-diffusion').fit!.slope / (0.01 * 39.361778)).toBeLessThan(1.1);
  });

  it('escape times are memoryless: CV in [0.7, 1.3] wherever ≥ 90 % of the replicas escaped', () => {
    let checked = 0;
    for (const p of doc.panels) {
      for (const q of p.points) {
        if (q.escaped < 0.9 * q.replicas) continue;
        expect(q.cv!).toBeGreaterThanOrEqual(0.7);
        expect(q.cv!).toBeLessThanOrEqual(1.3);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(30);
  });

  it('SGD with frozen noise: observed within a factor 1.5 of the prediction at every point', () => {
    for (const id of ['sgd-k', 'sgd-batch', 'sgd-lr']) {
      for (const q of panel(id).points) {
        expect(q.predictedGamma! / q.gamma).toBeGreaterThan(1 / 1.5);
        expect(q.predictedGamma! / q.gamma).toBeLessThan(1.5);
      }
    }
  });

  it('Adam: both laws reported (1/√k and 1/k fit alike over this range), and the state-dependent noise blocks escape', () => {
    expect(Math.abs(panel('adam-sqrt-k').fit!.pearson!)).toBeGreaterThan(0.98);
    expect(Math.abs(panel('adam-k').fit!.pearson!)).toBeGreaterThan(0.98);
    const state = panel('sgd-state-noise');
    expect(state.points.every((q) => q.escaped === 0)).toBe(true);
    expect(state.withoutEscapes).toBe(state.points.length);
    // Meanwhile the frozen-noise model at the same settings escapes in ≈ 600 iterations.
    expect(panel('sgd-k').points.find((q) => q.x === 1)!.escaped).toBe(100);
  });
});
