/**
 * The gradient-noise statistics on the float64 reference models (test/fixtures/shared/reference, "Gradient-noise
 * covariance"), through the path a user takes: loadModel, the CSV, a probe with tfjs's categorical cross-entropy
 * (clipped at 1e-7; the reference's is not, which moves these numbers by ~1e-7). Exact mode at B = 32: tr C, the
 * top-5 u_kᵀCu_k and the fit over every direction with λ > 1e-4 against the reference; per-example gradients (dense
 * vs loop, their mean vs the full gradient); sampled mode against exact mode within its own standard errors.
 *
 * Every eigenpair comes from `fullHessianEigen` on wasm (n HVPs: 3 s for banknote there, 23 s on cpu), so on cpu
 * the same eigenpairs are passed in as given directions: the eigenvectors are inputs here, the per-example
 * gradients and statistics are what each backend is tested on.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { ProbeContext } from '@kramers/core';
import {
  fullHessianEigen,
  noiseAtPoint,
  perExampleGradients,
  type ExactNoiseReport,
  type HessianEigenpairs,
  type PerExampleGradients,
} from '@kramers/sgn-collector';
import { relErr, relativeError } from '../../../test/support/numeric.js';
import { REFERENCE_CASES, type ReferenceCase } from '../../../test/support/reference-fixtures.js';
import { readNoiseReference, useReferenceProbe, type Backend, type NoiseReference } from './support/probes.js';

const B = 32;

/**
 * Relative errors measured (banknote, wine; wasm / cpu), asserted with a small margin: tr C 4.6e-8, 1.5e-7 / 6.5e-8,
 * 6.8e-8; top-5 u_kᵀCu_k 3.0e-7, 4.1e-7 / 1.1e-7, 1.3e-7; slope 4.9e-8, 1.1e-7 / 4.4e-8, 1.3e-7; Pearson 1.6e-9,
 * 2.3e-10 / 3.5e-9, 7.7e-10; intercept ≤ 3.8e-7 and Pearson of log10 ≤ 1.0e-6 (small directions weigh more there);
 * the per-example gradients' mean vs the probe's float32 full gradient 1.1e-6, 2.7e-7 / 1.3e-7, 1.0e-7 and vs the
 * float64 reference gradient ≤ 3.7e-7 (relative to ‖∇L‖, about 30× smaller than one row's gradient on banknote).
 * The dense path equals the loop bit for bit on these models.
 */
const BOUND = { traceC: 1e-6, top5: 2e-6, fit: 1e-6, meanVsFull: 3e-6 } as const;

const eigenpairs = new Map<ReferenceCase, HessianEigenpairs>();

/** Every eigenpair of a case's probe Hessian, computed once (on whichever backend asks first: wasm, in file order). */
function allEigenpairs(name: ReferenceCase, probe: ProbeContext): HessianEigenpairs {
  let e = eigenpairs.get(name);
  if (!e) {
    e = fullHessianEigen(probe);
    eigenpairs.set(name, e);
  }
  return e;
}

function rowErrors(a: PerExampleGradients, b: PerExampleGradients): number {
  let worst = 0;
  for (let j = 0; j < b.rows; j++) {
    const rows = (v: Float32Array) => v.subarray(j * b.size, (j + 1) * b.size);
    worst = Math.max(worst, relativeError(rows(a.values), rows(b.values)));
  }
  return worst;
}

for (const backend of ['wasm', 'cpu'] as const satisfies readonly Backend[]) {
  describe(`reference gradient noise on ${backend}`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
      await tf.ready();
    });

    for (const name of REFERENCE_CASES) {
      describe(name, () => {
        const use = useReferenceProbe(name);
        let ref: NoiseReference;
        let probe: ProbeContext;
        let exact: ExactNoiseReport;
        beforeAll(() => {
          ref = readNoiseReference(name);
          probe = use().probe;
          const e = allEigenpairs(name, probe);
          const before = tf.memory().numTensors;
          exact = noiseAtPoint(probe, { batchSize: B, directions: e });
          expect(tf.memory().numTensors).toBe(before);
        });

        it('exact, B = 32: tr C, the finite-population factor and corrected trace, top-5 u_kᵀCu_k', () => {
          const gn = ref.gradient_noise;
          expect(gn.B).toBe(B);
          expect(exact).toMatchObject({ mode: 'exact', batchSize: B, m: gn.m, n: ref.n, perExampleMethod: 'dense', loopReason: null });
          const traceErr = relErr(exact.traceC, gn.trace_C);
          const top5 = Math.max(...exact.directions.slice(0, 5).map((d, k) => relErr(d.noiseVariance, gn.diag_UtCU[k]!)));
          console.log(`[${backend}] ${name}: tr C ${exact.traceC.toExponential(6)} (relErr ${traceErr.toExponential(2)}), top-5 u_kᵀCu_k max relErr ${top5.toExponential(2)}`);
          expect(traceErr).toBeLessThan(BOUND.traceC);
          expect(relErr(exact.traceCFinitePopulationCorrected, gn.trace_C_finite_population_corrected)).toBeLessThan(BOUND.traceC);
          expect(exact.finitePopulationFactor).toBeCloseTo(gn.finite_population_factor, 14);
          expect(exact.traceSigma).toBeCloseTo(B * exact.traceC, 14);
          expect(top5).toBeLessThan(BOUND.top5);
          expect(exact.directions).toHaveLength(ref.n);
          expect(exact.directions[0]!.perExampleNoise).toHaveLength(exact.m);
          expect(JSON.parse(JSON.stringify(exact))).toEqual(exact);
        });

        it('exact, B = 32: the fit over every direction with λ > 1e-4 (slope, intercept, through the origin, Pearson raw and log10)', () => {
          const gn = ref.gradient_noise;
          const f = exact.fit!;
          expect(f.directionsUsed).toBe(gn.num_eigenvalues_used);
          const errs = {
            slope: relErr(f.slope!, gn.slope),
            intercept: relErr(f.intercept!, gn.intercept),
            slopeThroughOrigin: relErr(f.slopeThroughOrigin!, gn.slope_through_origin),
            pearson: relErr(f.pearson!, gn.pearson),
            pearsonLog10: relErr(f.pearsonLog10!, gn.pearson_log10),
          };
          console.log(`[${backend}] ${name}: fit over ${f.directionsUsed} directions, relErr ${Object.entries(errs).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
          expect(errs.slope).toBeLessThan(BOUND.fit);
          expect(errs.slopeThroughOrigin).toBeLessThan(BOUND.fit);
          expect(errs.pearson).toBeLessThan(BOUND.fit);
          expect(errs.intercept).toBeLessThan(1e-5);
          expect(errs.pearsonLog10).toBeLessThan(1e-5);
        });

        it('per-example gradients: dense equals the loop (≤ 1e-5, worst row); their mean is the full gradient', () => {
          const before = tf.memory().numTensors;
          const dense = perExampleGradients(probe);
          const loop = perExampleGradients(probe, { method: 'loop' });
          expect(tf.memory().numTensors).toBe(before);
          expect(dense.method).toBe('dense');
          const worst = rowErrors(dense, loop);
          const mean = new Float64Array(dense.size);
          for (let j = 0; j < dense.rows; j++) for (let i = 0; i < dense.size; i++) mean[i]! += dense.values[j * dense.size + i]! / dense.rows;
          const vsFull = relativeError(mean, probe.lossAndGradient().gradient);
          const vsRef = relativeError(mean, ref.gradient);
          console.log(`[${backend}] ${name}: dense vs loop worst row ${worst.toExponential(2)}; mean vs probe gradient ${vsFull.toExponential(2)}, vs float64 reference ${vsRef.toExponential(2)}`);
          expect(worst).toBeLessThan(1e-5);
          expect(vsFull).toBeLessThan(BOUND.meanVsFull);
          expect(vsRef).toBeLessThan(BOUND.meanVsFull);
        });

        if (backend === 'wasm') {
          it('sampled (K = 400, seed 1) agrees with exact within its standard errors: tr C and the top 5', () => {
            const before = tf.memory().numTensors;
            const top = { eigenvalues: exact.directions.slice(0, 5).map((d) => d.eigenvalue!), eigenvectors: allEigenpairs(name, probe).eigenvectors.slice(0, 5) };
            const s = noiseAtPoint(probe, { batchSize: B, mode: 'sampled', samples: 400, seed: 1, directions: top });
            expect(tf.memory().numTensors).toBe(before);
            const z = [
              (s.traceC - exact.traceC) / s.traceCStderr,
              ...s.directions.map((d, k) => (d.noiseVariance - exact.directions[k]!.noiseVariance) / d.noiseVarianceStderr),
            ];
            console.log(`[wasm] ${name}: sampled tr C ${s.traceC.toExponential(4)} ± ${s.traceCStderr.toExponential(2)}; z (trace, top 5) ${z.map((v) => v.toFixed(2)).join(' ')}`);
            for (const v of z) expect(Math.abs(v)).toBeLessThan(3);
            expect(s.directions[0]!.minibatchNoise).toHaveLength(400);
            expect(JSON.parse(JSON.stringify(s))).toEqual(s);
          });

          it('top-5 directions by Lanczos (topK: 5) give the same top-5 u_kᵀCu_k to 1e-3', () => {
            const r = noiseAtPoint(probe, { batchSize: B, directions: { topK: 5, seed: 1 }, keepSamples: false });
            const gn = ref.gradient_noise;
            const top5 = Math.max(...r.directions.map((d, k) => relErr(d.noiseVariance, gn.diag_UtCU[k]!)));
            console.log(`[wasm] ${name}: top-5 u_kᵀCu_k from Lanczos Ritz vectors (tol 1e-3), max relErr ${top5.toExponential(2)}`);
            expect(r.directions[0]!.perExampleNoise).toEqual([]);
            expect(top5).toBeLessThan(1e-3);
          });
        }
      });
    }
  });
}
