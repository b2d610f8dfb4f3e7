/**
 * The `escape` plugin: live escape predictions. Whenever the `temperature` plugin has fresh temperatures (after each
 * sharpness snapshot, and at the end of training) it
 * - scans the probe loss along the top Hessian eigenvector u₁ from the current θ (both ways) for the barrier ΔL, the
 *   col's curvature H_be and the escape side (`lineScanBarrier`);
 * - predicts the mean escape time by the matching theorem (SGLD: Theorem 3.1; SGD, momentum, Adam, RMSProp: the
 *   unified form of Theorem 3.2 at s = ½, Xie, Sato & Sugiyama 2021) in iterations;
 * - raises a one-time `trapped` alert when that exceeds the steps the run has left, with the knob that would free it;
 * - quenches θ and compares it with the quenched θ of its first measurement (`basinTest`): a different minimum,
 *   separated by a barrier on the segment between the two, is an `escaped` event, and the valley is re-anchored.
 */
import { definePlugin, every, type Attributes, type Plugin, type ProbeContext, type StepContext, type TrainEndContext } from '@kramers/core';
import { Sharpness } from '@kramers/hvp-estimator';
import { basinTest, quench, type Quench } from '@kramers/valley-detector';
import type { EscapePrediction } from './escape-prediction.js';
import { determinantRatio1D, kramersEscapeTime } from './kramers-escape-time.js';
import { lineScanBarrier, type LineScan } from './line-scan.js';
import { Temperature, type TemperatureSnapshot } from './temperature-plugin.js';
import { trappedAdvice } from './trapped-advice.js';
import { unifiedEscapeTime } from './unified-escape-time.js';

export interface EscapeConfig {
  /** Updates the run will make; default: the session's planned steps (fit/fitDataset, instrument()'s totalSteps). */
  readonly totalSteps?: number;
  /** Path parameter s of the unified/Theorem 3.2 prediction (default ½; s = 0 and 1 go in the attributes). */
  readonly s: number;
  /** The scan stops a side once the loss rose this many temperatures T_top without turning over (default 40). */
  readonly riseCapTemperatures: number;
  /** An absolute rise cap instead (loss units). */
  readonly riseCap?: number;
  /** Grid points per side of the line scan (default 12: ≤ 35 probe-loss evaluations per measurement; at most 14, ≤ 39). */
  readonly scanPoints: number;
  /** t_max = scanReach·√(2·riseCap/λ₁): the scan reaches scanReach× where the quadratic model rises by the cap (default 2). */
  readonly scanReach: number;
  /** Run the basin test (default true). */
  readonly basin: boolean;
  /** Gradient-descent steps per quench (default 20: at most 21 probe gradients per measurement). */
  readonly quenchSteps: number;
  /** Quench step h = quenchStepScale/λ₁ (default 1). */
  readonly quenchStepScale: number;
  /** Distance between quenched points that may be another minimum (default ½ the scan's distance to the col). */
  readonly basinTolerance?: number;
  /** Quasi-equilibrium holds when |∂L/∂u₁| ≤ this many √(λ₁·T_top) (default 3). */
  readonly equilibriumSigmas: number;
}

export type EscapeOptions = Partial<EscapeConfig>;

export const ESCAPE_DEFAULTS = {
  s: 0.5,
  riseCapTemperatures: 40,
  scanPoints: 12,
  scanReach: 2,
  basin: true,
  quenchSteps: 20,
  quenchStepScale: 1,
  equilibriumSigmas: 3,
} as const;

const schema = {
  type: 'object',
  properties: {
    totalSteps: { type: 'integer', minimum: 1 },
    s: { type: 'number', minimum: 0, maximum: 1, default: ESCAPE_DEFAULTS.s },
    riseCapTemperatures: { type: 'number', exclusiveMinimum: 0, default: ESCAPE_DEFAULTS.riseCapTemperatures },
    riseCap: { type: 'number', exclusiveMinimum: 0 },
    scanPoints: { type: 'integer', minimum: 3, maximum: 14, default: ESCAPE_DEFAULTS.scanPoints },
    scanReach: { type: 'number', exclusiveMinimum: 0, default: ESCAPE_DEFAULTS.scanReach },
    basin: { type: 'boolean', default: ESCAPE_DEFAULTS.basin },
    quenchSteps: { type: 'integer', minimum: 0, default: ESCAPE_DEFAULTS.quenchSteps },
    quenchStepScale: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 2, default: ESCAPE_DEFAULTS.quenchStepScale },
    basinTolerance: { type: 'number', exclusiveMinimum: 0 },
    equilibriumSigmas: { type: 'number', exclusiveMinimum: 0, default: ESCAPE_DEFAULTS.equilibriumSigmas },
  },
  additionalProperties: false,
} as const;

/** Interior points of the segment between two quenched minima checked for a barrier. */
const SEGMENT_POINTS = 5;

type Measuring = Pick<TrainEndContext, 'iteration' | 'probe' | 'get' | 'has' | 'emit'>;

export function escapePlugin(options: EscapeOptions = {}): Plugin<EscapeConfig, void> {
  return definePlugin<EscapeConfig, void>({
    name: 'escape',
    configSchema: schema,
    config: options,
    schedule: every(1),
    needs: ['probe'],
    dependsOn: [Temperature, Sharpness],
    setup(ctx) {
      const c = ctx.config;
      let seen = -1;
      let trapped = false;
      let anchor: { quenched: Quench; iteration: number; stepSize: number; tolerance: number } | undefined;
      const warned = new Set<string>();
      const note = (step: Pick<StepContext, 'emit'>, message: string): void => {
        if (warned.has(message)) return;
        warned.add(message);
        step.emit('skipped', 1, { attributes: { message } });
      };

      const measure = (step: Measuring, plannedSteps: number | undefined, final: boolean): void => {
        const temp = step.get(Temperature).latest();
        if (!temp || temp.iteration === seen) return;
        seen = temp.iteration;
        const snap = step.get(Sharpness).latest();
        const probe = step.probe;
        if (!snap || snap.iteration !== temp.iteration || !probe?.ready) return;
        const lambda = snap.eigenvalues[0]!;
        const u = snap.eigenvectors[0];
        const top = temp.directions[0]!;
        if (!(lambda > 0) || !u) return note(step, `λ₁ = ${lambda} is not positive: θ is not near a minimum along u₁, no barrier to scan`);
        const T = top.temperature;
        if (!(T > 0)) return note(step, `T_top = ${T}: no noise along u₁, no escape to predict`);

        const theta = probe.params();
        const point = new Float32Array(theta.length);
        const lossAt = (t: number): number => {
          for (let i = 0; i < theta.length; i++) point[i] = theta[i]! + t * u[i]!;
          return probe.withParams(point, () => probe.loss());
        };
        const riseCap = c.riseCap ?? c.riseCapTemperatures * T;
        // Where the quadratic model λt²/2 has risen by the cap, scanReach times over (derived).
        const tMax = c.scanReach * Math.sqrt((2 * riseCap) / lambda);
        const scan = lineScanBarrier(lossAt, { tMax, points: c.scanPoints, riseCap });
        const side = scan.escape;
        const col = side.kind === 'col';
        const barrier = side.kind === 'col' ? side.barrier : side.riseSeen;
        const scanAttributes: Attributes = {
          col: col ? 'found' : 'none within the scan: ΔL ≥ the rise seen',
          side: side.sign,
          distance: side.distance,
          ...(side.kind === 'col' ? { colCurvature: side.colCurvature } : {}),
          riseCap,
          tMax,
          evaluations: scan.evaluations,
        };
        step.emit('barrier', barrier, { attributes: scanAttributes });
        if (!(barrier > 0)) {
          note(step, 'the loss falls along u₁ on both sides of θ: θ is not in a valley along u₁, no escape time');
        } else {
          const prediction = predict(temp, lambda, barrier, side.kind === 'col' ? side.colCurvature : -lambda, c.s);
          const stepPerIteration = stepOf(temp);
          const predicted = prediction.main.iterations!;
          // At equilibrium in a quadratic valley the gradient along u₁ has spread √(λ₁·T) (derived: Var(x) = T/λ).
          const thermal = Math.sqrt(lambda * T);
          const quasiEquilibrium = Math.abs(scan.slope) <= c.equilibriumSigmas * thermal;
          const low = prediction.main.assumptions.lowTemperature;
          step.emit('predicted_steps', predicted, {
            prediction: true,
            attributes: {
              formula: prediction.main.formula,
              ...(prediction.main.s === null ? {} : { s: prediction.main.s }),
              log10Steps: (prediction.main.logTau - Math.log(stepPerIteration)) / Math.LN10,
              ...(prediction.s0 ? { stepsAtS0: prediction.s0.iterations!, stepsAtS1: prediction.s1!.iterations! } : {}),
              bound: col ? 'estimate' : 'lower bound (no col within the scan)',
              temperatureAtMinimum: prediction.main.temperatureAtMinimum,
              temperatureAtCol: prediction.main.temperatureAtCol,
              stepPerIteration,
              lowTemperature: low.holds,
              quasiEquilibrium,
              gradientAlongU1: scan.slope,
              thermalGradient: thermal,
              optimizer: temp.optimizer,
              noiseSource: top.source,
            },
          });
          step.emit('low_temperature_ratio', low.ratio, { attributes: { holds: low.holds, threshold: 5 } });
          const planned = c.totalSteps ?? plannedSteps;
          // After this step's update, iteration + 1 updates are done.
          const remaining = planned === undefined ? 0 : Math.max(0, planned - step.iteration - 1);
          // With no step left the run is over: no prediction could fit, so an alert there would say nothing (the last
          // step is as much the end of training as onTrainEnd is).
          if (!final && planned !== undefined && remaining > 0) {
            if (predicted > remaining && !trapped) {
              trapped = true;
              const advice = trappedAdvice({
                optimizer: temp.optimizer,
                predictedSteps: predicted,
                remainingSteps: remaining,
                barrier,
                temperature: T,
                logPrefactor: prediction.main.logTau - prediction.main.exponent,
                exponent: prediction.main.exponent,
                stepPerIteration,
                learningRate: temp.learningRate,
                batchSize: temp.batchSize,
                diffusion: temp.diffusion,
                lambdaMax: lambda,
                etaEff: temp.etaEff,
              });
              step.emit('trapped', 1, {
                attributes: {
                  reason: advice.reason,
                  remedy: advice.remedy,
                  predictedSteps: predicted,
                  remainingSteps: remaining,
                  barrier,
                  temperature: T,
                  ...(advice.temperatureFactor === null ? {} : { temperatureFactor: advice.temperatureFactor }),
                },
              });
            } else if (predicted <= remaining && trapped) {
              trapped = false;
              step.emit('trapped', 0, { attributes: { reason: 'the predicted escape now fits in the steps left', predictedSteps: predicted, remainingSteps: remaining, barrier, temperature: T } });
            }
          }
        }
        if (c.basin) basin(step, probe, theta, lambda, scan, T);
      };

      const basin = (step: Measuring, probe: ProbeContext, theta: Float32Array, lambda: number, scan: LineScan, T: number): void => {
        const gradient = (p: Float32Array): Float32Array => probe.withParams(p, () => probe.lossAndGradient().gradient);
        const options = { maxSteps: c.quenchSteps };
        const tolerance = c.basinTolerance ?? 0.5 * scan.escape.distance;
        if (!anchor) {
          const stepSize = c.quenchStepScale / lambda;
          anchor = { quenched: quench(gradient, theta, { ...options, stepSize }), iteration: step.iteration, stepSize, tolerance };
          return;
        }
        // The anchor's step and tolerance, so every comparison quenches alike.
        const test = basinTest(gradient, { quenched: anchor.quenched }, theta, { ...options, stepSize: anchor.stepSize, tolerance: anchor.tolerance });
        if (!test.separated) return;
        // Apart, but another minimum only if a barrier of at least one temperature lies between them (else one valley).
        const segment = segmentBarrier(probe, test.reference.minimum, test.current.minimum);
        if (!(segment > T)) return;
        step.emit('escaped', 1, {
          attributes: { distance: test.distance, tolerance: anchor.tolerance, segmentBarrier: segment, anchorIteration: anchor.iteration },
        });
        anchor = { quenched: test.current, iteration: step.iteration, stepSize: c.quenchStepScale / lambda, tolerance };
      };

      return {
        onStep(step) {
          measure(step, step.plannedSteps, false);
        },
        onTrainEnd(end) {
          measure(end, undefined, true);
        },
      };
    },
  });
}

/** Continuous time per iteration along u₁: η_eff·p₁ (derived: the update along u₁ is η_eff·p₁·g₁). */
function stepOf(temp: TemperatureSnapshot): number {
  return temp.optimizer === 'sgld' ? temp.learningRate : temp.etaEff * temp.directions[0]!.preconditioner;
}

/** The matching theorem's prediction, in iterations. */
function predict(
  temp: TemperatureSnapshot,
  lambda: number,
  barrier: number,
  colCurvature: number,
  s: number,
): { main: EscapePrediction; s0?: EscapePrediction; s1?: EscapePrediction } {
  const ta = temp.directions[0]!.temperature;
  const geometry = { barrier, minimumCurvature: lambda, colCurvature, determinantRatio: determinantRatio1D(lambda, colCurvature), learningRate: stepOf(temp) };
  // SGLD: Theorem 3.1 with T = D + ηC/2 (Xie et al. 2021).
  if (temp.optimizer === 'sgld') return { main: kramersEscapeTime({ ...geometry, diffusion: ta }) };
  // At the col C ≈ |H_be|/B: T scales with |H_be|/λ₁ for SGD-like noise, with √(|H_be|/λ₁) for Adam/RMSProp (v ≈ C) (derived).
  const ratio = -colCurvature / lambda;
  const tb = temp.optimizer === 'adam' || temp.optimizer === 'rmsprop' ? ta * Math.sqrt(ratio) : ta * ratio;
  const at = (x: number) => unifiedEscapeTime({ ...geometry, temperatureAtMinimum: ta, temperatureAtCol: tb, s: x });
  return { main: at(s), s0: at(0), s1: at(1) };
}

/** max over interior points of L on the segment a→b, minus the higher end (≤ 0 when nothing separates them). */
function segmentBarrier(probe: ProbeContext, a: Float32Array, b: Float32Array): number {
  const point = new Float32Array(a.length);
  const lossAt = (x: Float32Array) => probe.withParams(x, () => probe.loss());
  const ends = Math.max(lossAt(a), lossAt(b));
  let top = Number.NEGATIVE_INFINITY;
  for (let k = 1; k <= SEGMENT_POINTS; k++) {
    const w = k / (SEGMENT_POINTS + 1);
    for (let i = 0; i < a.length; i++) point[i] = (1 - w) * a[i]! + w * b[i]!;
    top = Math.max(top, lossAt(point));
  }
  return top - ends;
}
