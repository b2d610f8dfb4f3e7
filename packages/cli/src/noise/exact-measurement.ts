/**
 * Exact mode: per-example gradients of every probe row, from which everything follows without another pass through
 * tfjs: tr C and u_kᵀ C u_k (noiseCovariance, noiseAlong), B_simple and per-layer SNR with the rows as the data set
 * (noiseScaleAtPoint, signalToNoise), and K minibatch noise samples resampled from the rows for the Gaussianity
 * statistics (minibatchNoiseAlong, minibatchNoiseVectors). One direction's m projections are held at a time, so
 * `--top-k all` costs m·8 bytes, not m·n·8.
 */
import { createRng, type ProbeContext } from '@kramers/core';
import {
  minibatchNoiseAlong,
  minibatchNoiseVectors,
  noiseAlong,
  noiseCovariance,
  noiseScaleAtPoint,
  perExampleGradients,
  signalToNoise,
  type GradientSample,
} from '@kramers/sgn-collector';
import { float32, gaussianityDoc, pooledMinibatches, type ModeMeasurement, type ModeSettings } from './mode-measurement.js';
import { directionGaussianity, pooledGaussianity, type DirectionGaussianity, type PooledTailIndex } from '@kramers/sgn-collector';

export function exactMeasurement(probe: ProbeContext, vectors: readonly Float64Array[], settings: ModeSettings): ModeMeasurement {
  const { batchSize, minibatches } = settings;
  const perExample = perExampleGradients(probe, { maxBytes: settings.maxBytes });
  const c = noiseCovariance(perExample, batchSize);
  // A fresh generator from one seed for each series draws the same minibatches for every direction and the pooled
  // vectors (and the same as sampled mode's, which draws them the same way).
  const draws = () => createRng(settings.drawSeed);
  const along: ModeMeasurement['along'][number][] = [];
  const perDirection: DirectionGaussianity[] = [];
  for (const u of vectors) {
    const [d] = noiseAlong(c, [u]);
    along.push({ noiseVariance: d!.noiseVariance, noiseVarianceStderr: null, gradientProjection: d!.gradientProjection });
    perDirection.push(directionGaussianity(minibatchNoiseAlong(d!.projections, batchSize, minibatches, draws())));
  }
  const count = pooledMinibatches(minibatches, perExample.size, settings.maxBytes);
  const noise = count >= 2 ? minibatchNoiseVectors(perExample, c.mean, batchSize, count, draws()) : undefined;
  const pooled: PooledTailIndex | undefined = noise ? pooledGaussianity({ ...noise, values: float32(noise.values) }) : undefined;
  // The probe rows are the data set every other number here is over, so |G|² and tr Σ are theirs exactly.
  const sample: GradientSample = { kind: 'per-example', gradients: perExample, wholeDataset: true };
  const scale = noiseScaleAtPoint(sample);
  const snr = signalToNoise(sample, settings.layout, batchSize);
  return {
    perExampleMethod: perExample.method,
    loopReason: perExample.loopReason ?? null,
    samples: null,
    gradNorm: Math.sqrt(scale.gradNormSq),
    traceSigma: c.traceSigma,
    traceSigmaStderr: null,
    traceC: c.traceC,
    traceCStderr: null,
    finitePopulationFactor: c.finitePopulationFactor,
    along,
    gaussianity: gaussianityDoc('resampled', perDirection, pooled, { rows: 2, n: perExample.size }, settings),
    noiseScale: {
      bSimple: scale.bSimple ?? null,
      criticalBatchSize: scale.criticalBatchSize ?? null,
      stdErr: scale.stdErr ?? null,
      gradNormSq: scale.gradNormSq,
      traceSigma: scale.traceSigma,
    },
    signalToNoise: {
      batchSize,
      layers: snr.layers.map((l) => ({ name: l.name, gradNormSq: l.gradNormSq, traceSigma: l.traceSigma, snr: l.snr ?? null })),
      total: { gradNormSq: snr.total.gradNormSq, traceSigma: snr.total.traceSigma, snr: snr.total.snr ?? null },
    },
  };
}
