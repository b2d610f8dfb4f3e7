/**
 * The gradient noise of a probe at its current θ, as `kramers noise` reports it: the Hessian directions, then the
 * exact or the sampled path, then each direction's u_kᵀCu_k against λ_k/B and the fit over them (hessianNoiseFit,
 * the reference README's definitions). The command adds the file names, backend and loss around it.
 */
import { flatLayout, seedFor, type ProbeContext } from '@kramers/core';
import { hessianNoiseFit } from '@kramers/sgn-collector';
import { exactMeasurement } from './exact-measurement.js';
import { hessianDirections } from './hessian-directions.js';
import type { ModeSettings } from './mode-measurement.js';
import type { NoiseDoc } from './noise-doc.js';
import type { NoiseMode } from './noise-mode.js';
import { sampledMeasurement } from './sampled-measurement.js';
import type { TopK } from './top-k-flag.js';

export interface NoiseSettings {
  readonly batchSize: number;
  readonly topK: TopK;
  readonly seed: number;
  readonly mode: NoiseMode;
  /** Exact mode: minibatches resampled from the per-example gradients for the Gaussianity statistics. */
  readonly resamples: number;
  /** --max-memory in bytes. */
  readonly maxBytes: number;
}

export type NoiseMeasurement = Omit<NoiseDoc, 'command' | 'model' | 'data' | 'backend' | 'loss' | 'lossSource' | 'dataRows' | 'secondOrderCheck'>;

export function measureNoise(probe: ProbeContext, settings: NoiseSettings): NoiseMeasurement {
  const { batchSize, mode } = settings;
  const directions = hessianDirections(probe, settings.topK, settings.seed);
  const modeSettings: ModeSettings = {
    batchSize,
    minibatches: mode.mode === 'exact' ? settings.resamples : mode.samples,
    seed: settings.seed,
    drawSeed: seedFor(settings.seed, 'noise minibatches'),
    maxBytes: settings.maxBytes,
    layout: flatLayout(probe.variables),
  };
  const measured = (mode.mode === 'exact' ? exactMeasurement : sampledMeasurement)(probe, directions.eigenvectors, modeSettings);
  const { along } = measured;
  const points = directions.eigenvalues.map((eigenvalue, k) => ({ eigenvalue, noiseVariance: along[k]!.noiseVariance }));
  return {
    lossValue: probe.loss(),
    batchSize,
    m: probe.rows,
    n: probe.size,
    mode: mode.mode,
    modeReason: mode.reason,
    perExampleMethod: measured.perExampleMethod,
    loopReason: measured.loopReason,
    samples: measured.samples,
    seed: settings.seed,
    gradNorm: measured.gradNorm,
    traceSigma: measured.traceSigma,
    traceSigmaStderr: measured.traceSigmaStderr,
    traceC: measured.traceC,
    traceCStderr: measured.traceCStderr,
    finitePopulationFactor: measured.finitePopulationFactor,
    traceCFinitePopulationCorrected: measured.traceC * measured.finitePopulationFactor,
    directionSource: directions.source,
    lanczosConverged: directions.converged,
    directions: directions.eigenvalues.map((eigenvalue, k) => ({
      eigenvalue,
      ritzResidual: directions.residuals[k] ?? null,
      ...along[k]!,
      ratio: eigenvalue > 0 ? along[k]!.noiseVariance / (eigenvalue / batchSize) : null,
    })),
    fit: hessianNoiseFit(points, batchSize),
    gaussianity: measured.gaussianity,
    noiseScale: measured.noiseScale,
    signalToNoise: measured.signalToNoise,
  };
}

