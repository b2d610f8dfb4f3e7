import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { every, instrument, type MetricEvent } from '@kramers/core';
import { sharpness } from '@kramers/hvp-estimator';
import { escapePlugin, temperaturePlugin } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// L(x, y) = h(x² − 1)² + (a/2)y²: at the minimum x = −1 the top curvature is λ = 8h along x, the col at x = 0 has
// ΔL = h and H_be = −4h. SGD on the exact loss: the temperature is the noise model's T = ηλ/(2B) (C = H/B).
const h = 1;
const a = 0.5;
const lambda = 8 * h;
const hbe = 4 * h;

/** Theorem 3.2's unified form at s = ½ with T_b = T·|H_be|/λ, in iterations: (2π/|H_be|)·e^{ΔL(½/T + ½λ/(|H_be|T))}/η. */
const predictedSteps = (eta: number, T: number) => ((2 * Math.PI) / hbe) * Math.exp(h * (0.5 / T + (0.5 * lambda) / (hbe * T))) / eta;

function run(opts: { eta: number; batchSize: number; steps: number; totalSteps?: number; x0?: number; every?: number; onStep?: (i: number, x: tf.Variable, opt: tf.SGDOptimizer) => void }) {
  const x = tf.variable(tf.scalar(opts.x0 ?? -1));
  const y = tf.variable(tf.scalar(0.3));
  const lossFn = () => tf.tidy(() => tf.add(tf.mul(h, tf.square(tf.sub(tf.square(x), 1))), tf.mul(a / 2, tf.square(y))) as tf.Scalar);
  const events: MetricEvent[] = [];
  const opt = instrument(tf.train.sgd(opts.eta), {
    batchSize: opts.batchSize,
    ...(opts.totalSteps === undefined ? {} : { totalSteps: opts.totalSteps }),
    probe: { lossFn, variables: [x, y], rows: 1 },
    plugins: [sharpness({ topK: 2, schedule: every(opts.every ?? 20, (opts.every ?? 20) - 1) }), temperaturePlugin(), escapePlugin()],
  });
  opt.kramers.metric$.subscribe((e) => {
    if (e.kind === 'metric') events.push(e);
    else if (e.kind === 'plugin-error') throw new Error(`${e.plugin}: ${e.message}`);
  });
  for (let i = 0; i < opts.steps; i++) {
    opt.minimize(lossFn, false, [x, y]);
    opts.onStep?.(i, x, opt);
  }
  opt.kramers.close();
  tf.dispose([x, y]);
  const named = (plugin: string, name: string) => events.filter((e) => e.plugin === plugin && e.name === name);
  return { events, named };
}

describe('temperature and escape plugins on a double well', () => {
  it('T = ηλ/(2B) from C = H/B, the barrier and H_be from the scan, and the predicted steps of the unified formula', () => {
    const eta = 0.05;
    const B = 2;
    const { named } = run({ eta, batchSize: B, steps: 40, totalSteps: 1_000_000_000 });
    const T = (eta * lambda) / (2 * B);
    const tTop = named('temperature', 'T_top');
    expect(tTop.map((e) => e.iteration)).toEqual([19, 39]);
    expect(tTop[0]!.value as number).toBeCloseTo(T, 5);
    expect(tTop[0]!.attributes).toMatchObject({ optimizer: 'sgd', batchSize: 2, noiseSource: 'C=H/B' });
    expect(named('temperature', 'eta_eff')[0]!.value).toBeCloseTo(eta, 7);
    const vector = named('temperature', 'T')[0]!.value as unknown as { values: number[] };
    expect(vector.values[1]).toBeCloseTo((eta * a) / (2 * B), 5); // the flat y direction
    const barrier = named('escape', 'barrier')[0]!;
    expect(barrier.value as number).toBeCloseTo(h, 5);
    expect(barrier.attributes).toMatchObject({ col: 'found' }); // side ±1: the eigenvector's sign is arbitrary
    expect(Math.abs((barrier.attributes!['colCurvature'] as number) / -hbe - 1)).toBeLessThan(1e-3);
    expect(barrier.attributes!['evaluations'] as number).toBeLessThanOrEqual(40);
    const steps = named('escape', 'predicted_steps')[0]!;
    // exponent 7.5: a 1e-3 error in H_be moves it by 0.4 %
    expect(Math.abs((steps.value as number) / predictedSteps(eta, T) - 1)).toBeLessThan(5e-3);
    expect(steps.attributes).toMatchObject({ formula: 'unified', s: 0.5, lowTemperature: true, quasiEquilibrium: true, bound: 'estimate' });
    expect(named('escape', 'low_temperature_ratio')[0]!.value).toBeCloseTo(h / T, 3);
    // 1.0e8 predicted, a billion planned: no alert, no escape
    expect(predictedSteps(eta, T)).toBeLessThan(1e9 - 40);
    expect(named('escape', 'trapped')).toEqual([]);
    expect(named('escape', 'escaped')).toEqual([]);
  });

  it('trapped exactly when the prediction exceeds the steps left, with reason and remedy; cleared once when a larger η fits it', () => {
    const B = 4;
    const totalSteps = 4000;
    const { named } = run({
      eta: 0.2,
      batchSize: B,
      steps: 60,
      totalSteps,
      // at step 30 the learning rate rises to 0.24 (η·λ = 1.92, still stable): T = η here, 0.2 → 0.24
      onStep: (i, _x, opt) => {
        if (i === 29) opt.setLearningRate(0.24);
      },
    });
    const before = predictedSteps(0.2, 0.2); // ≈ 1.4e4 > 3980 left at iteration 19
    const after = predictedSteps(0.24, 0.24); // ≈ 3.4e3 < 3960 left at iteration 39
    expect(before).toBeGreaterThan(totalSteps - 20);
    expect(after).toBeLessThan(totalSteps - 40);
    const trapped = named('escape', 'trapped');
    expect(trapped.map((e) => [e.iteration, e.value])).toEqual([[19, 1], [39, 0]]);
    const alert = trapped[0]!.attributes!;
    expect(alert['remainingSteps']).toBe(totalSteps - 20);
    expect(Math.abs((alert['predictedSteps'] as number) / before - 1)).toBeLessThan(5e-3);
    expect(alert['reason']).toMatch(/^escape from this valley needs ≈ 1\.4e4 more steps, 3980 remain \(ΔL = 1, T = 0\.2: ΔL\/T = 5\)$/);
    // f = exponent / (ln(remaining·η) − ln prefactor): 7.5 / (ln(3980·0.2) − ln(π/2)) ≈ 1.204 → B 4 → 3, η 0.2 → 0.24
    const f = 7.5 / (Math.log(3980 * 0.2) - Math.log(Math.PI / 2));
    expect(Math.abs((alert['temperatureFactor'] as number) / f - 1)).toBeLessThan(5e-3);
    expect(alert['remedy']).toContain('lower the batch size from 4 to 3, or raise η from 0.2 to 0.24');
    expect(alert['barrier'] as number).toBeCloseTo(1, 5);
    expect(alert['temperature'] as number).toBeCloseTo(0.2, 6);
  });

  it('no alert on the last step: with no step left every prediction exceeds the steps left, which says nothing', () => {
    const eta = 0.24;
    const T = (eta * lambda) / 2; // B = 1
    // ≈ 31 steps: within the 40 left at step 39, more than the 0 left at step 79, the run's last
    expect(predictedSteps(eta, T)).toBeGreaterThan(20);
    expect(predictedSteps(eta, T)).toBeLessThan(40);
    const { named } = run({ eta, batchSize: 1, steps: 80, totalSteps: 80, every: 40 });
    expect(named('escape', 'predicted_steps').map((e) => e.iteration)).toEqual([39, 79]);
    expect(named('escape', 'trapped')).toEqual([]);
    // one more planned step and the last measurement has one step left: now the alert is due
    const longer = run({ eta, batchSize: 1, steps: 80, totalSteps: 81, every: 40 });
    expect(longer.named('escape', 'trapped').map((e) => [e.iteration, e.value, e.attributes!['remainingSteps']])).toEqual([[79, 1, 1]]);
  });

  it('escaped fires when the run is put into the other well, with the quenched distance 2, then re-anchors', () => {
    const { named } = run({
      eta: 0.05,
      batchSize: 1,
      steps: 80,
      onStep: (i, x) => {
        if (i === 29) x.assign(tf.scalar(0.9));
      },
    });
    const escaped = named('escape', 'escaped');
    expect(escaped.map((e) => [e.iteration, e.value])).toEqual([[39, 1]]);
    const at = escaped[0]!.attributes!;
    // quenched to x = −1 and x = +1; y is quenched alike from nearby values
    expect(at['distance'] as number).toBeCloseTo(2, 2);
    expect(at['anchorIteration']).toBe(19);
    // the midpoint of the segment is the col, ΔL = h above both ends (y adds < 1e-2)
    expect(at['segmentBarrier'] as number).toBeCloseTo(h, 1);
    // the barrier scan from the new minimum finds the col on the other side (−u direction relative to x = +1 … either sign)
    expect(named('escape', 'barrier').at(-1)!.value as number).toBeCloseTo(h, 4);
  });
});
