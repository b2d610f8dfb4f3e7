/**
 * The `sgn` plugin in an ordinary `fit` with the `sharpness` plugin: its measurement at the probe after each fresh
 * sharpness snapshot, checked against an independent float64 computation at the final weights (per-example gradients
 * of test/support/float64-mlp.ts); the streaming noise scale; the service; no tensor growth.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { definePlugin, every, instrument, useBackend, type MetricEvent, type Vector } from '@kramers/core';
import { loadDataset, standardize, toTensors } from '@kramers/datasets';
import { sharpness } from '@kramers/hvp-estimator';
import { Sgn, sgn, type SgnSnapshot } from '@kramers/sgn-collector';
import { Float64Mlp, mlpFromLayersModel } from '../../../test/support/float64-mlp.js';
import { relErr } from '../../../test/support/numeric.js';

beforeAll(async () => {
  await useBackend('wasm');
});

function wineModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [13], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
}

/** tr C and uᵀCu in float64 from per-example gradients of the float64 network (one row at a time). */
function float64Noise(mlp: Float64Mlp, theta: Float64Array, x: Float64Array, y: Float64Array, rows: number, B: number, u: ArrayLike<number>) {
  const d = x.length / rows;
  const k = y.length / rows;
  const n = theta.length;
  const grads: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    const one = new Float64Mlp(mlp.spec, { x: x.subarray(r * d, (r + 1) * d), y: y.subarray(r * k, (r + 1) * k), rows: 1 });
    grads.push(one.lossAndGradient(theta).gradient);
  }
  const mean = new Float64Array(n);
  for (const g of grads) for (let i = 0; i < n; i++) mean[i] += g[i]! / rows;
  let trace = 0;
  let along = 0;
  let meanU = 0;
  for (let i = 0; i < n; i++) meanU += mean[i]! * u[i]!;
  for (const g of grads) {
    let gu = 0;
    for (let i = 0; i < n; i++) {
      const dv = g[i]! - mean[i]!;
      trace += dv * dv;
      gu += g[i]! * u[i]!;
    }
    along += (gu - meanU) ** 2;
  }
  return { traceC: trace / rows / B, noiseVariance: along / rows / B };
}

describe('sgn in an instrumented fit', () => {
  const { dataset } = standardize(loadDataset('wine'));
  const rows = dataset.rows;

  it('measures at the probe after each sharpness snapshot and at the end, matching float64 per-example gradients', async () => {
    const { x, y } = toTensors(dataset);
    const model = wineModel();
    const events: MetricEvent[] = [];
    // a consumer of the service, as the escape plugins will be: it reads the snapshot when training ends
    let snapshot: SgnSnapshot | undefined;
    const reader = definePlugin({ name: 'reader', uses: [Sgn], setup: () => ({ onTrainEnd: (ctx) => void (snapshot = ctx.get(Sgn).latest()) }) });
    const opt = instrument(tf.train.sgd(0.2), {
      model,
      probe: { model, x, y },
      // probeSchedule every(1): as often as sharpness has fresh eigenvectors (by default a 5 % budget also limits it)
      plugins: [reader, sgn({ datasetSize: rows, seed: 1, probeSchedule: every(1) }), sharpness({ topK: 3, schedule: every(12, 11) })],
    });
    opt.kramers.metric$.subscribe((e) => e.kind === 'metric' && e.plugin === 'sgn' && events.push(e));
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const tensors: number[] = [];
    await model.fit(x, y, { epochs: 8, batchSize: 16, shuffle: false, verbose: 0, callbacks: { onEpochEnd: () => void tensors.push(tf.memory().numTensors) } });
    const steps = opt.kramers.iterations;
    expect(steps).toBe(8 * 12);
    const at = (name: string) => events.filter((e) => e.name === name);
    // with a sharpness plugin in the session: after each of its snapshots (steps 11, 23, …, 95; fit ends at 95)
    expect(at('trace_C').map((e) => e.iteration)).toEqual([11, 23, 35, 47, 59, 71, 83, 95]);
    expect(snapshot?.atProbe?.iteration).toBe(95);
    const last = at('noise_variance').at(-1)!;
    const noiseVariance = (last.value as Vector).values;
    expect(noiseVariance).toHaveLength(3);

    // independently, in float64 at the final weights, along the served top eigenvector
    const { spec, theta } = mlpFromLayersModel(model, 'categoricalCrossentropy');
    const x64 = Float64Array.from(x.dataSync());
    const y64 = Float64Array.from(y.dataSync());
    const ref = float64Noise(new Float64Mlp(spec, { x: x64, y: y64, rows }), theta, x64, y64, rows, 16, snapshot!.atProbe!.eigenvectors[0]!);
    const traceC = at('trace_C').at(-1)!.value as number;
    console.log(`[sgn] tr C rel. err ${relErr(traceC, ref.traceC).toExponential(1)}, u₁ᵀCu₁ rel. err ${relErr(noiseVariance[0]!, ref.noiseVariance).toExponential(1)}`);
    expect(relErr(traceC, ref.traceC)).toBeLessThan(1e-6); // measured 1.5e-7
    expect(relErr(noiseVariance[0]!, ref.noiseVariance)).toBeLessThan(1e-6); // measured 9.2e-8

    // the noise scale at the probe is tr Σ/|G|² with the whole probe as the population; critical batch size equals it
    const atProbe = at('noise_scale_at_probe').at(-1)!.value as number;
    expect(at('critical_batch_size').at(-1)!.value).toBe(atProbe);
    expect(atProbe).toBeGreaterThan(0);
    // the streaming estimate arrives every 10 steps once the window of 10 gradients is full
    const streaming = at('noise_scale');
    expect(streaming.length).toBeGreaterThan(5);
    expect(streaming.every((e) => e.iteration % 10 === 0 && e.iteration >= 10 && (e.value as number) > 0)).toBe(true);
    // per-direction Gaussianity and the pooled tail index are there, with sensible ranges
    for (const name of ['direction_kurtosis', 'direction_normality_p', 'direction_tail_index']) expect((at(name).at(-1)!.value as Vector).values).toHaveLength(3);
    const pooled = at('pooled_tail_index').at(-1)!.value as number;
    expect(pooled).toBeGreaterThan(0);
    expect(pooled).toBeLessThanOrEqual(2);
    expect(at('grad_snr_at_probe').filter((e) => e.iteration === 95 && e.layer !== undefined)).toHaveLength(2);
    // the streamed per-layer signal-to-noise B/B_simple,l, every 10 steps
    const streamedSnr = at('grad_snr').filter((e) => e.iteration === 90);
    expect(streamedSnr.map((e) => e.layer).sort()).toEqual(model.layers.map((l) => l.name).sort());
    // no tensors kept across epochs
    expect(tensors.slice(1)).toEqual(Array(tensors.length - 1).fill(tensors[1]));
    opt.kramers.close();
    tf.dispose([x, y]);
    model.dispose();
  });

  it('without a probe it streams the noise scale alone', async () => {
    const { x, y } = toTensors(dataset);
    const model = wineModel();
    const opt = instrument(tf.train.sgd(0.2), { model, plugins: [sgn({ atProbe: false, datasetSize: rows })] });
    const names = new Set<string>();
    opt.kramers.metric$.subscribe((e) => e.kind === 'metric' && names.add(e.name));
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 4, batchSize: 16, shuffle: false, verbose: 0 });
    expect([...names].sort()).toEqual(['critical_batch_size', 'grad_snr', 'noise_scale']);
    opt.kramers.close();
    tf.dispose([x, y]);
    model.dispose();
  });
});
