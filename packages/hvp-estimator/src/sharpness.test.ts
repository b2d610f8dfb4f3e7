/**
 * The sharpness plugin inside instrument() on a small model trained with model.fit (wine, 13 → 8 tanh → 3 softmax,
 * n = 139 parameters, probe = the whole standardized data set), on wasm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  definePlugin,
  every,
  installSecondOrderGradients,
  secondOrderGradientsInstalled,
  instrument,
  type KramersEvent,
  type MetricEvent,
  type PluginErrorEvent,
  type Uninstall,
} from '@kramers/core';
import { loadDataset, standardize, toTensors } from '@kramers/datasets';
import { makeHvp } from './hvp.js';
import { Sharpness, sharpness, type SharpnessOptions, type SharpnessService, type SharpnessSnapshot } from './sharpness.js';
import { describeVerdict, judgeDensity, verdictScores } from '../../../test/support/density-checks.js';
import { deflate, Float64Mlp, jacobiEigen, matrixMoments, mlpFromLayersModel, rademacherVariance, type Batch } from '../../../test/support/float64-mlp.js';
import { relErr } from '../../../test/support/numeric.js';

let x: tf.Tensor2D;
let y: tf.Tensor2D;
/** The probe batch in float64, for the reference network. */
let wine: Batch;

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  ({ x, y } = toTensors(standardize(loadDataset('wine')).dataset));
  wine = { x: Float64Array.from(x.dataSync()), y: Float64Array.from(y.dataSync()), rows: x.shape[0] };
});
afterAll(() => tf.dispose([x, y]));

function makeModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [13], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

interface Run {
  events: KramersEvent[];
  metrics(name: string): MetricEvent[];
  errors: PluginErrorEvent[];
  tensorsAtBatchEnd: number[];
  seen: SharpnessSnapshot[];
  losses: number[];
  probeResidual: number | undefined;
  /** The float64 reference network at the final weights (probe = all of wine), and the last snapshot served. */
  final: { mlp: Float64Mlp; theta: Float64Array; snapshot: SharpnessSnapshot | undefined };
}

/** Trains with SGD on 6 minibatches per epoch (178 rows, batch 32), sharpness on the full-data probe. */
async function train(options: SharpnessOptions, epochs: number, withConsumer = false): Promise<Run> {
  const model = makeModel();
  const seen: SharpnessSnapshot[] = [];
  let service: SharpnessService | undefined;
  // a plugin using the service: providers run first, so it sees this step's measurement
  const consumer = definePlugin<unknown>({
    name: 'escape-directions',
    dependsOn: [Sharpness],
    setup: () => ({
      onStep(ctx) {
        service = ctx.get(Sharpness);
        const s = service.latest();
        if (s) seen.push(s);
      },
    }),
  });
  const opt = instrument(tf.train.sgd(0.2), {
    model,
    probe: { model, x, y },
    plugins: withConsumer ? [sharpness(options), consumer] : [sharpness(options)],
  });
  const events: KramersEvent[] = [];
  opt.kramers.metric$.subscribe((e) => events.push(e));
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  const tensorsAtBatchEnd: number[] = [];
  const history = await model.fit(x, y, {
    epochs,
    batchSize: 32,
    shuffle: false,
    verbose: 0,
    callbacks: { onBatchEnd: () => void tensorsAtBatchEnd.push(tf.memory().numTensors) },
  });
  // independent check of the served eigenvector: ‖Hy − λy‖ by a fresh HVP at the final weights
  let probeResidual: number | undefined;
  const last = seen[seen.length - 1];
  if (last) {
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const lossFn = () => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(model.apply(x) as tf.Tensor)), -1))) as tf.Scalar;
    const hy = makeHvp({ lossFn, variables }).apply(last.eigenvectors[0]!);
    probeResidual = Math.sqrt(hy.reduce((s, h, i) => s + (h - last.eigenvalues[0]! * last.eigenvectors[0]![i]!) ** 2, 0));
  }
  const { spec, theta } = mlpFromLayersModel(model, 'categoricalCrossentropy');
  const final = { mlp: new Float64Mlp(spec, wine), theta, snapshot: service?.latest() };
  opt.kramers.close();
  model.dispose();
  const metrics = (name: string) => events.filter((e): e is MetricEvent => e.kind === 'metric' && e.name === name);
  const errors = events.filter((e): e is PluginErrorEvent => e.kind === 'plugin-error');
  return { events, metrics, errors, tensorsAtBatchEnd, seen, losses: history.history['loss'] as number[], probeResidual, final };
}

/** tf.memory().numTensors after each batch of the same fit without kramers. */
async function plainFitTensorCounts(epochs: number): Promise<number[]> {
  const model = makeModel();
  model.compile({ optimizer: tf.train.sgd(0.2), loss: 'categoricalCrossentropy' });
  const counts: number[] = [];
  await model.fit(x, y, {
    epochs,
    batchSize: 32,
    shuffle: false,
    verbose: 0,
    callbacks: { onBatchEnd: () => void counts.push(tf.memory().numTensors) },
  });
  model.dispose();
  return counts;
}

const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

describe('sharpness without a global second-order registry', () => {
  it('measures under its own scoped registry, reports the loss it measured, and leaves the registry uninstalled', async () => {
    const run = await train({ schedule: every(1) }, 2);
    expect(run.errors).toEqual([]);
    const lm = run.metrics('lambda_max');
    expect(lm.map((e) => e.iteration)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(lm[0]!.attributes).toEqual({ loss: 'categoricalCrossentropy', lossSource: 'compiled model' });
    expect(run.metrics('lambda_min')).toEqual([]); // off by default
    for (const e of run.metrics('top_eigenvalues')) expect((e.value as { values: readonly number[] }).values).toHaveLength(1); // λ_max alone by default
    expect(secondOrderGradientsInstalled()).toBe(false);
    expect(run.losses).toHaveLength(2);
    expect(run.losses[1]!).toBeLessThan(run.losses[0]!);
  });
});

describe('sharpness with the registry installed', () => {
  let uninstall: Uninstall;
  beforeAll(() => {
    uninstall = installSecondOrderGradients();
  });
  afterAll(() => uninstall());

  let warm: Run;
  it('every(1) over 102 steps: lambda_max each step, served eigenvectors, no tensor growth', async () => {
    warm = await train({ schedule: every(1), topK: 5, minEigenvalue: true }, 17, true);
    expect(warm.errors).toEqual([]);
    const lambdaMax = warm.metrics('lambda_max');
    expect(lambdaMax.map((e) => e.iteration)).toEqual(Array.from({ length: 102 }, (_, i) => i));
    expect(warm.metrics('lambda_min')).toHaveLength(102);
    expect(warm.metrics('top_eigenvalues')).toHaveLength(102);
    expect(warm.metrics('trace')).toHaveLength(0); // off by default
    for (const e of warm.metrics('top_eigenvalues')) {
      const v = e.value as { kind: string; values: number[] };
      expect(v.kind).toBe('vector');
      expect(v.values).toHaveLength(5);
      expect(v.values[0]).toBe(lambdaMax.find((l) => l.iteration === e.iteration)!.value);
      for (let i = 1; i < 5; i++) expect(v.values[i]!).toBeLessThanOrEqual(v.values[i - 1]!);
    }
    warm.metrics('lambda_max_residual').forEach((e, i) => {
      expect(e.value as number).toBeLessThanOrEqual(1e-3 * (lambdaMax[i]!.value as number) * 1.0001);
    });
    // the service: the consumer saw this step's snapshot, unit eigenvectors over all 139 parameters
    expect(warm.seen.map((s) => s.iteration)).toEqual(Array.from({ length: 102 }, (_, i) => i));
    const last = warm.seen[101]!;
    expect(last.eigenvectors).toHaveLength(5);
    expect(last.layout.map((l) => l.size)).toEqual([104, 8, 24, 3]);
    for (const u of last.eigenvectors) {
      expect(u.length).toBe(139);
      expect(Math.sqrt(u.reduce((s, a) => s + a * a, 0))).toBeCloseTo(1, 10);
    }
    expect(last.minEigenvector?.length).toBe(139);
    expect(last.method).toBe('double-backprop');
    // the served top eigenvector is an eigenvector of a freshly computed H: ‖Hy − λy‖ ≤ 1e-3 λ (the Lanczos tolerance)
    expect(warm.probeResidual!).toBeLessThan(1e-3 * last.eigenvalues[0]!);
    // no tensors kept across 102 sharpness evaluations: tfjs's own fit keeps one tensor per epoch, so compare with
    // an uninstrumented fit batch by batch; the difference (the probe's and the session's own) must stay constant
    const t = warm.tensorsAtBatchEnd;
    const plain = await plainFitTensorCounts(17);
    expect(t).toHaveLength(102);
    const extra = t.map((c, i) => c - plain[i]!);
    expect(extra).toEqual(Array(102).fill(extra[0]));
    const lm = lambdaMax.map((e) => e.value as number);
    console.log(
      `[sharpness] λ_max ${lm[0]!.toFixed(4)} → ${lm[101]!.toFixed(4)} over 102 steps; ` +
        `served-vector residual ${warm.probeResidual!.toExponential(2)}; tensors at batch end ${t[0]} … ${t[101]} ` +
        `(plain fit ${plain[0]} … ${plain[101]})`,
    );
  });

  it("minEigenvalue 'final': λ_min only at the end, equal to measuring it every step; on every(1) the end measures again", async () => {
    const final = await train({ schedule: every(1), topK: 5, minEigenvalue: 'final' }, 17);
    expect(final.errors).toEqual([]);
    const lambdaMin = final.metrics('lambda_min');
    expect(lambdaMin.map((e) => e.iteration)).toEqual([101]);
    // The same trajectory (training does not depend on the plugin), so the same final Hessian as the every-step run.
    const everyStep = warm.metrics('lambda_min').at(-1)!;
    expect(Math.abs((lambdaMin[0]!.value as number) - (everyStep.value as number))).toBeLessThan(2e-3 * Math.abs(warm.metrics('lambda_max').at(-1)!.value as number));
    expect(final.metrics('lambda_max').map((e) => e.iteration)).toEqual([...Array.from({ length: 102 }, (_, i) => i), 101]);
    // Live measurements skip the bottom Lanczos: fewer HVPs per step than with λ_min every step.
    const hvps = (r: Run) => r.metrics('hvp_count').slice(1, 101).reduce((a, e) => a + (e.value as number), 0);
    expect(hvps(final)).toBeLessThan(hvps(warm)); // measured 1606 vs 1839 here (the banknote compare MLP: ≈ 0.3×)
  });

  it('warm start from the previous step needs fewer HVPs than a cold start on the same trajectory', async () => {
    const cold = await train({ schedule: every(1), topK: 5, minEigenvalue: true, warmStart: false }, 5);
    const hvps = (r: Run) => r.metrics('hvp_count').map((e) => e.value as number);
    const warmCounts = hvps(warm).slice(1, 30);
    const coldCounts = hvps(cold).slice(1, 30);
    // same seeds, same data order: both runs follow the same weights
    const wl = warm.metrics('lambda_max').slice(0, 30).map((e) => e.value as number);
    const cl = cold.metrics('lambda_max').map((e) => e.value as number);
    wl.forEach((l, i) => expect(Math.abs(l - cl[i]!) / l).toBeLessThan(1e-4));
    console.log(
      `[sharpness] HVPs per step, steps 1–29: warm mean ${mean(warmCounts).toFixed(1)} (min ${Math.min(...warmCounts)}, ` +
        `max ${Math.max(...warmCounts)}), cold mean ${mean(coldCounts).toFixed(1)} (min ${Math.min(...coldCounts)}, ` +
        `max ${Math.max(...coldCounts)}); step 0: ${hvps(warm)[0]}`,
    );
    expect(mean(warmCounts)).toBeLessThan(mean(coldCounts));
  });

  it('runs on its schedule; at the final weights its λs, trace and density match the float64 Hessian there', async () => {
    const traceProbes = 10;
    const options = { schedule: every(4), topK: 5, minEigenvalue: true, trace: true, traceProbes, density: true, densitySteps: 20, densityBins: 50 };
    const run = await train(options, 2, true);
    expect(run.errors).toEqual([]);
    // every(4) over 12 steps, and the final parameters when fit ends (iteration 11)
    expect(run.metrics('lambda_max').map((e) => e.iteration)).toEqual([0, 4, 8, 11]);
    expect(run.metrics('trace').map((e) => e.iteration)).toEqual([0, 4, 8, 11]);
    const counts = run.metrics('hvp_count').map((e) => e.value as number);
    counts.forEach((c) => expect(c).toBeGreaterThanOrEqual(traceProbes + 20));

    const at = (name: string) => run.metrics(name).find((e) => e.iteration === 11)!;
    const { mlp, theta, snapshot } = run.final;
    const n = mlp.size;
    const H = mlp.hessian(theta);
    const exact = Array.from(jacobiEigen(H, n).values).reverse();
    const top = (at('top_eigenvalues').value as { values: readonly number[] }).values;
    const topErr = Math.max(...top.map((l, i) => relErr(l, exact[i]!)));
    const minErr = relErr(at('lambda_min').value as number, exact[n - 1]!);
    // the trace deflates the snapshot's Ritz vectors; its sd is Hutchinson's on (I − P)H(I − P)
    expect(snapshot?.iteration).toBe(11);
    const basis = [...snapshot!.eigenvectors, snapshot!.minEigenvector!];
    const sd = Math.sqrt(rademacherVariance(deflate(H, n, basis), n) / traceProbes);
    const trace = at('trace');
    const z = ((trace.value as number) - matrixMoments(H, n).trace) / sd;
    const stderrRatio = trace.uncertainty!.stderr! / sd;
    // the histogram holds expected eigenvalue counts ρ·Δ·n per bin
    const hist = at('density').value as { kind: string; edges: number[]; counts: number[] };
    expect(hist.kind).toBe('histogram');
    expect(hist.edges).toHaveLength(51);
    const width = hist.edges[1]! - hist.edges[0]!;
    const density = {
      grid: hist.counts.map((_, i) => (hist.edges[i]! + hist.edges[i + 1]!) / 2),
      values: hist.counts.map((c) => c / (n * width)),
    };
    const verdict = judgeDensity(density, H, n, 1, []);
    console.log(
      `[sharpness] final weights: top-5 relErr ${topErr.toExponential(2)}, λ_min relErr ${minErr.toExponential(2)}; ` +
        `trace z ${z.toFixed(2)}, stderr/sd ${stderrRatio.toFixed(2)}; density ${describeVerdict(verdict)}`,
    );
    // float32 HVPs at the Lanczos tolerance 1e-3 (measured 1.0e-6 and 7.5e-8)
    expect(topErr).toBeLessThan(2e-6);
    expect(minErr).toBeLessThan(5e-7);
    expect(Math.abs(z)).toBeLessThan(3);
    expect(stderrRatio).toBeGreaterThan(0.5);
    expect(stderrRatio).toBeLessThan(1.5);
    for (const score of verdictScores(verdict)) expect(Math.abs(score)).toBeLessThan(3);
  });

  it('rejects a bad config before training, naming the field', async () => {
    const model = makeModel();
    expect(() =>
      instrument(tf.train.sgd(0.1), { model, probe: { model, x, y }, plugins: [sharpness({ topK: 0 })] }),
    ).toThrow(/config\.topK: got 0; must be >= 1/);
    expect(() =>
      instrument(tf.train.sgd(0.1), { model, probe: { model, x, y }, plugins: [sharpness({ hvp: 'exact' as never })] }),
    ).toThrow(/config\.hvp: got "exact"; allowed values: "double-backprop", "finite-difference", "auto"/);
    model.dispose();
  });
});
