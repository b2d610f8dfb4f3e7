/**
 * The `temperature` plugin: the temperature the optimizer has along each Hessian direction the `sharpness` plugin
 * serves, T_e = η_eff·p_e·C_ee/2 (the unified temperature; SGLD adds its D), measured whenever sharpness has a fresh
 * snapshot and at the end of training. C_ee is the `sgn` plugin's measured uᵀCu when it measured the same snapshot's
 * directions, else the noise model C = H/B near a minimum (Xie, Sato & Sugiyama 2021, §2). Served under `Temperature`
 * for the `escape` plugin.
 */
import { definePlugin, every, serviceToken, type Attributes, type Plugin, type StepContext, type TrainEndContext } from '@kramers/core';
import { Sharpness, type SharpnessSnapshot } from '@kramers/hvp-estimator';
import { Sgn } from '@kramers/sgn-collector';
import type * as tf from '@tensorflow/tfjs';
import {
  directionTemperature,
  effectiveStep,
  preconditionerAlong,
  readOptimizer,
  type OptimizerReading,
} from './optimizer-temperature.js';

export type NoiseSource = 'measured' | 'C=H/B';

export interface DirectionTemperature {
  /** λ_e of the sharpness snapshot. */
  readonly eigenvalue: number;
  /** T_e. */
  readonly temperature: number;
  /** C_ee = uᵀCu used. */
  readonly noiseVariance: number;
  /** Where C_ee came from: the sgn plugin's measurement, or the noise model |λ_e|/B. */
  readonly source: NoiseSource;
  /** p_e = Σ u_i² p_i (1 for SGD, momentum and SGLD). */
  readonly preconditioner: number;
}

export interface TemperatureSnapshot {
  /** The iteration of the sharpness snapshot the temperatures are for. */
  readonly iteration: number;
  readonly optimizer: OptimizerReading['kind'];
  readonly className: string;
  /** η of the optimizer. */
  readonly learningRate: number;
  /** η_eff: η/(1 − β) for momentum, η otherwise. */
  readonly etaEff: number;
  /** SGLD's injected D (0 for the others). */
  readonly diffusion: number;
  readonly batchSize: number;
  /** One per served eigenpair, in the snapshot's order (top first). */
  readonly directions: readonly DirectionTemperature[];
}

export interface TemperatureService {
  latest(): TemperatureSnapshot | undefined;
}

export const Temperature = serviceToken<TemperatureService>('escape-tracker/temperature');

export interface TemperatureConfig {
  /** B in C = H/B (default: the largest observed training batch size, else instrument()'s `batchSize`). */
  readonly batchSize?: number;
}

export type TemperatureOptions = TemperatureConfig;

const schema = {
  type: 'object',
  properties: { batchSize: { type: 'integer', minimum: 1 } },
  additionalProperties: false,
} as const;

export function temperaturePlugin(options: TemperatureOptions = {}): Plugin<TemperatureConfig, TemperatureService> {
  return definePlugin<TemperatureConfig, TemperatureService>({
    name: 'temperature',
    configSchema: schema,
    config: options,
    // Every step, but it only works on steps where sharpness has a fresh snapshot: a comparison of iterations.
    schedule: every(1),
    provides: Temperature,
    dependsOn: [Sharpness],
    uses: [Sgn],
    setup(ctx) {
      const c = ctx.config;
      let last: TemperatureSnapshot | undefined;
      let seen = -1;
      let optimizer: tf.Optimizer | undefined;
      let batchSize = c.batchSize;
      const warned = new Set<string>();
      const skip = (step: Pick<StepContext, 'emit'>, reason: string, className: string): void => {
        if (warned.has(reason)) return;
        warned.add(reason);
        step.emit('unsupported', 1, { attributes: { optimizer: className, message: `temperature skipped: ${reason}` } });
      };

      const measure = (step: Pick<TrainEndContext, 'iteration' | 'get' | 'has' | 'emit'>): void => {
        const snapshot = step.get(Sharpness).latest();
        if (!snapshot || snapshot.iteration === seen || !optimizer) return;
        seen = snapshot.iteration;
        const reading = readOptimizer(optimizer);
        if (reading.kind === 'unknown') return skip(step, `${reading.className}: ${reading.why}`, reading.className);
        if (batchSize === undefined) return skip(step, 'the batch size is unknown; pass batchSize to instrument() or to temperaturePlugin()', reading.className);
        let diagonal: Float64Array | undefined;
        if (reading.kind === 'adam' || reading.kind === 'rmsprop') {
          try {
            diagonal = reading.preconditioner(snapshot.layout);
          } catch (err) {
            return skip(step, `${reading.className}: ${(err as Error).message}`, reading.className);
          }
        }
        const measured = measuredNoise(step, snapshot);
        const B = batchSize;
        const directions = snapshot.eigenvalues.map((eigenvalue, k): DirectionTemperature => {
          const fromSgn = measured?.[k];
          // C ≈ [H]⁺/B near critical points (Xie et al. 2021, §2) when the noise was not measured along u_k.
          const noiseVariance = fromSgn ?? Math.abs(eigenvalue) / B;
          const preconditioner = preconditionerAlong(snapshot.eigenvectors[k]!, diagonal);
          return {
            eigenvalue,
            temperature: directionTemperature(reading, noiseVariance, preconditioner),
            noiseVariance,
            source: fromSgn === undefined ? 'C=H/B' : 'measured',
            preconditioner,
          };
        });
        if (directions.length === 0) return;
        const etaEff = effectiveStep(reading);
        last = {
          iteration: snapshot.iteration,
          optimizer: reading.kind,
          className: reading.className,
          learningRate: reading.learningRate,
          etaEff,
          diffusion: reading.kind === 'sgld' ? reading.diffusion : 0,
          batchSize: B,
          directions,
        };
        const attributes: Attributes = { optimizer: reading.kind, className: reading.className, batchSize: B, noiseSource: directions[0]!.source };
        step.emit('T', { kind: 'vector', values: directions.map((d) => d.temperature), labels: directions.map((_, k) => `u_${k + 1}`) }, { attributes });
        step.emit('T_top', directions[0]!.temperature, { attributes });
        step.emit('eta_eff', etaEff, { attributes });
      };

      return {
        service: { latest: () => last },
        onStep(step) {
          optimizer = step.optimizer;
          // The largest observed: an epoch's last minibatch may be smaller than B (as the sgn plugin does).
          if (c.batchSize === undefined && step.step.batchSize !== undefined) batchSize = Math.max(batchSize ?? 0, step.step.batchSize);
          measure(step);
        },
        onTrainEnd(end) {
          measure(end);
        },
      };
    },
  });
}

/** The sgn plugin's uᵀCu per direction when it measured exactly this snapshot's eigenvectors, else undefined. */
function measuredNoise(step: Pick<StepContext, 'has' | 'get'>, snapshot: SharpnessSnapshot): number[] | undefined {
  if (!step.has(Sgn)) return undefined;
  const probe = step.get(Sgn).latest().atProbe;
  if (!probe || probe.iteration !== snapshot.iteration || probe.directions.length !== snapshot.eigenvectors.length) return undefined;
  // The sgn plugin keeps the very vectors it was served, so identity says "same directions".
  if (!snapshot.eigenvectors.every((u, k) => probe.eigenvectors[k] === u)) return undefined;
  return probe.directions.map((d) => d.noiseVariance);
}
