/**
 * analyzeCurvature on the shared reference models (float64 PyTorch Hessians at the stored float32 weights, on the
 * stored data; test/fixtures/shared/reference/README.md), through the public path a user takes: loadModel,
 * loadCsvFile + toTensors, createProbeContext({ model, x, y }) with its default unclipped mean cross-entropy, and the
 * second-order registry installed. Both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProbeContext, installSecondOrderGradients, type ProbeContext, type Uninstall } from '@kramers/core';
import { loadModel } from '@kramers/core/node';
import { loadCsvFile, toTensors } from '@kramers/datasets';
import { analyzeCurvature } from './curvature.js';
import { hutchinsonTrace } from './hutchinson.js';
import { makeHvp } from './hvp.js';

const SHARED = process.env['KRAMERS_SHARED'] ?? fileURLToPath(new URL('../../../test/fixtures/shared/', import.meta.url));
if (!existsSync(SHARED)) throw new Error(`reference material not found at ${SHARED}; set KRAMERS_SHARED`);

interface Reference {
  n: number;
  loss: number;
  grad_norm: number;
  hessian_trace: number;
  hessian_eigenvalues: number[];
  top5_eigenvalues: number[];
  top_eigenvector: number[];
  hvp: { v: number[]; Hv: number[] };
}

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
function relErrVec(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

let uninstall: Uninstall;
beforeAll(() => {
  uninstall = installSecondOrderGradients();
});
afterAll(() => uninstall());

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`reference models on ${backend}`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
      await tf.ready();
    });

    for (const name of ['banknote-mlp', 'wine-mlp'] as const) {
      describe(name, () => {
        const dir = join(SHARED, 'reference', name);
        const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
        let model: tf.LayersModel;
        let x: tf.Tensor;
        let y: tf.Tensor;
        let probe: ProbeContext;
        beforeAll(async () => {
          model = await loadModel(join(dir, 'model.json'));
          ({ x, y } = toTensors(loadCsvFile(join(dir, 'data.csv'))));
          probe = createProbeContext({ model, x, y, loss: 'categoricalCrossentropy' });
        });
        afterAll(() => {
          model.dispose();
          tf.dispose([x, y]);
        });

        it('H·v matches the float64 reference to 1e-4', () => {
          const hv = makeHvp(probe).apply(Float64Array.from(ref.hvp.v));
          const err = relErrVec(hv, ref.hvp.Hv);
          console.log(`[${backend}] ${name}: H·v relErr ${err.toExponential(2)}`);
          expect(err).toBeLessThan(1e-4);
        });

        it('top 5, top eigenvector, λ_min, deflated Hutchinson trace, loss and gradient norm', () => {
          const before = tf.memory().numTensors;
          const r = analyzeCurvature(probe, { topK: 5, trace: true, traceProbes: 30, seed: 1, eigenvectors: true });
          expect(tf.memory().numTensors).toBe(before);
          expect(r.n).toBe(ref.n);
          expect(r.method).toBe('double-backprop');
          expect(r.converged).toBe(true);
          const errs = r.eigenvalues.map((mu, i) => relErr(mu, ref.top5_eigenvalues[i]!));
          errs.forEach((e) => expect(e).toBeLessThan(1e-4));
          const u = r.eigenvectors![0]!;
          const cos = Math.abs(u.reduce((s, a, i) => s + a * ref.top_eigenvector[i]!, 0));
          expect(cos).toBeGreaterThanOrEqual(0.999);
          const lambdaMin = ref.hessian_eigenvalues[ref.hessian_eigenvalues.length - 1]!;
          const minErr = relErr(r.minEigenvalue!, lambdaMin);
          expect(minErr).toBeLessThan(1e-4);
          const t = r.trace!;
          const z = (t.estimate - ref.hessian_trace) / t.stderr;
          expect(Math.abs(z)).toBeLessThan(3);
          expect(relErr(r.loss!, ref.loss)).toBeLessThan(1e-5);
          expect(relErr(r.gradNorm!, ref.grad_norm)).toBeLessThan(1e-5);
          console.log(
            `[${backend}] ${name}: top-5 max relErr ${Math.max(...errs).toExponential(2)}, |cos| ${cos.toFixed(7)}, ` +
              `λ_min ${r.minEigenvalue!.toExponential(6)} (ref ${lambdaMin.toExponential(6)}, relErr ${minErr.toExponential(2)}), ` +
              `trace ${t.estimate.toFixed(5)} ± ${t.stderr.toExponential(2)} (ref ${ref.hessian_trace.toFixed(5)}, z ${z.toFixed(2)}), ` +
              `HVPs ${r.hvpCount} (Lanczos ${r.hvpBreakdown.lanczos}, trace ${r.hvpBreakdown.trace})`,
          );
        });

        it('plain seeded Hutchinson (30 probes) is within 3 stderr too, with a larger stderr than the deflated one', () => {
          const t = hutchinsonTrace(makeHvp(probe), { maxProbes: 30, minProbes: 30, relativeStdErr: 0, seed: 2 });
          const z = (t.estimate - ref.hessian_trace) / t.stdErr;
          console.log(`[${backend}] ${name}: plain Hutchinson ${t.estimate.toFixed(4)} ± ${t.stdErr.toFixed(4)} (z ${z.toFixed(2)})`);
          expect(Math.abs(z)).toBeLessThan(3);
        });
      });
    }
  });
}
