/**
 * Sampled mode, for probes whose per-example gradients do not fit in memory: K minibatch gradients of B distinct
 * rows each and the exact full-probe gradient g (`sampledNoise`). tr C and u_kᵀ C u_k are unbiased estimates with
 * standard errors; the Gaussianity statistics read each minibatch's noise ξ_s = ĝ_s − g directly; B_simple takes
 * |G|² = |g|² exactly and tr Σ from the estimate, so its standard error is tr Σ's divided by |g|².
 */
import type { ProbeContext } from '@kramers/core';
import { sampledNoise, simpleNoiseScale } from '@kramers/sgn-collector';
import { float32, gaussianityDoc, pooledMinibatches, type ModeMeasurement, type ModeSettings } from './mode-measurement.js';
import { directionGaussianity, pooledGaussianity } from '@kramers/sgn-collector';
import { sampledSignalToNoise } from './sampled-signal-to-noise.js';

export function sampledMeasurement(probe: ProbeContext, vectors: readonly Float64Array[], settings: ModeSettings): ModeMeasurement {
  const { batchSize, minibatches } = settings;
  // the K × n noise matrix (pooled tail index, per-layer SNR) only when it fits in --max-memory
  const keepNoise = pooledMinibatches(minibatches, probe.size, settings.maxBytes) === minibatches;
  const s = sampledNoise(probe, { batchSize, samples: minibatches, seed: settings.drawSeed, directions: vectors, keepNoise });
  const gradNormSq = s.gradient.reduce((sum, v) => sum + v * v, 0);
  const scale = simpleNoiseScale(gradNormSq, s.traceSigma.estimate);
  // SNR first: pooling compacts the noise matrix in place
  const snr = s.noise ? sampledSignalToNoise(s.noise, s.gradient, settings.layout, batchSize, s.finitePopulationFactor) : null;
  const pooled = s.noise ? pooledGaussianity({ ...s.noise, values: float32(s.noise.values) }) : undefined;
  return {
    perExampleMethod: null,
    loopReason: null,
    samples: s.samples,
    gradNorm: Math.sqrt(gradNormSq),
    traceSigma: s.traceSigma.estimate,
    traceSigmaStderr: s.traceSigma.stderr,
    traceC: s.traceC.estimate,
    traceCStderr: s.traceC.stderr,
    finitePopulationFactor: s.finitePopulationFactor,
    along: s.directions.map((d) => ({
      noiseVariance: d.noiseVariance.estimate,
      noiseVarianceStderr: d.noiseVariance.stderr,
      gradientProjection: d.gradientProjection,
    })),
    gaussianity: gaussianityDoc(
      'sampled',
      s.directions.map((d) => directionGaussianity(d.minibatchNoise)),
      pooled,
      { rows: minibatches, n: s.size },
      settings,
    ),
    noiseScale: {
      bSimple: scale.bSimple ?? null,
      criticalBatchSize: scale.criticalBatchSize ?? null,
      stdErr: scale.bSimple === undefined ? null : s.traceSigma.stderr / gradNormSq,
      gradNormSq,
      traceSigma: s.traceSigma.estimate,
    },
    signalToNoise: snr,
  };
}

