/**
 * One phrase per number of `kramers noise`, saying what it means for this model, so that a user can act on the
 * result without docs/theory.md. The thresholds are reading aids, stated where they are used; the numbers
 * themselves are in the table and in --json.
 */
import type { NoiseDoc } from './noise-doc.js';
import type { DirectionGaussianity } from '@kramers/sgn-collector';

/**
 * Per-direction α̂ at or above this reads as Gaussian tails: with K = 2000 minibatches α̂ has a standard error of
 * 0.1–0.2 near 2, so 1.85 is within about one of it.
 */
const GAUSSIAN_ALPHA = 1.85;
/** A pooled α̂ this far below the per-direction median is the pooling artefact rather than the noise itself. */
const POOLING_GAP = 0.1;

/** Two significant digits (whole numbers from 100 up), for prose. */
export function approx(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 100) return String(Math.round(x));
  if (a >= 1e-3) return String(Number(x.toPrecision(2)));
  return x.toExponential(1).replace('.0e', 'e');
}

const alphaText = (a: number | null): string => (a === null ? '—' : a.toFixed(2));

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const span = (v: readonly number[], show: (x: number) => string): string => {
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return show(lo) === show(hi) ? show(lo) : `${show(lo)}–${show(hi)}`;
};

const present = (v: readonly (number | null)[]): number[] => v.filter((x): x is number => x !== null);

/** "C ≈ 0.23·H/B (Pearson 0.98 over 117 directions …): the noise is shaped like the Hessian but 4.4× weaker". */
export function fitPhrase(doc: NoiseDoc): string {
  const fit = doc.fit;
  if (!fit || fit.slopeThroughOrigin === null || fit.pearson === null) {
    return `no fit: fewer than two directions with λ > ${approx(fit?.threshold ?? 1e-4)} (raise --top-k, or --top-k all)`;
  }
  const s = fit.slopeThroughOrigin;
  const r = fit.pearson;
  const over =
    doc.directionSource === 'all'
      ? `${fit.directionsUsed} directions with λ > ${approx(fit.threshold)}`
      : `the top ${fit.directionsUsed} directions; --top-k all fits every one`;
  const head = `C ≈ ${approx(s)}·H/B (Pearson ${r.toFixed(2)} over ${over})`;
  const mse = doc.loss === 'meanSquaredError' ? '; under MSE the theory expects C ∝ loss·H instead (docs/theory.md §1)' : '';
  if (r < 0.5) return `${head}: the noise is not shaped like the Hessian along these directions${mse}`;
  const shape = r >= 0.9 ? 'the noise is shaped like the Hessian' : 'the noise follows the Hessian loosely';
  const scale = s >= 0.8 && s <= 1.25 ? 'and about as strong as H/B, as the theory says near a minimum' : s < 0.8 ? `but ${approx(1 / s)}× weaker` : `and ${approx(s)}× stronger`;
  return `${head}: ${shape} ${scale}${mse}`;
}

type TailKind = 'gaussian' | 'excess kurtosis' | 'heavy';

/**
 * Gaussian: α̂ ≥ 1.85 and kurtosis within two of its standard errors of 0; excess kurtosis: α̂ ≥ 1.85 but kurtosis
 * above that (tails heavier than a Gaussian's, without a power law); heavy: α̂ < 1.85.
 */
function tailKind(d: DirectionGaussianity): TailKind | undefined {
  if (d.tailIndex === null || d.kurtosis === null || d.kurtosisStdErr === null) return undefined;
  if (d.tailIndex < GAUSSIAN_ALPHA) return 'heavy';
  return d.kurtosis > 2 * d.kurtosisStdErr ? 'excess kurtosis' : 'gaussian';
}

/** The per-direction tails in one line: how many directions are of each kind, the ranges, and what that means. */
export function tailsPhrase(doc: NoiseDoc): string {
  const per = doc.gaussianity.perDirection;
  const kinds = per.map(tailKind);
  const count = (k: TailKind) => kinds.filter((x) => x === k).length;
  const alphas = present(per.map((d) => d.tailIndex));
  if (alphas.length === 0) return 'no statistics: no direction had noise';
  const kurtoses = present(per.map((d) => d.kurtosis));
  const p = present(per.map((d) => d.pValue));
  const counts = `${count('gaussian')} of ${per.length} directions Gaussian, ${count('excess kurtosis')} with excess kurtosis but α̂ ≥ ${GAUSSIAN_ALPHA}, ${count('heavy')} heavy-tailed (α̂ < ${GAUSSIAN_ALPHA})`;
  const ranges = `α̂ ${span(alphas, alphaText)}, kurtosis ${span(kurtoses, approx)}${p.length > 0 ? `, p ${span(p, approx)}` : ''}`;
  const heavy = count('heavy');
  let reading: string;
  if (heavy > per.length / 2) {
    reading = 'heavy-tailed along the Hessian directions themselves: a few examples dominate the noise (a mean of more examples, a larger B, is more Gaussian)';
  } else if (count('gaussian') >= count('excess kurtosis')) {
    reading = 'Gaussian along most Hessian directions, the SDE picture behind the escape-time formulas';
    if (p.some((v) => v < 0.05)) reading += '; a small p with kurtosis near 0 is the test rejecting on skewness, not on the tails';
  } else {
    reading = 'no power-law tails along most directions (α̂ near 2) but heavier than Gaussian (kurtosis > 0): a few examples weigh more than the rest';
  }
  return `${counts}; ${ranges}: ${reading}`;
}

/** The pooled α̂ against the per-direction ones, and what the parameters without noise do to it. */
export function pooledPhrase(doc: NoiseDoc): string {
  const g = doc.gaussianity;
  if (g.pooledTailIndex === null) return `not measured: ${g.pooledSkipped ?? 'no noise'}`;
  const head = `${alphaText(g.pooledTailIndex)} ± ${approx(g.pooledTailIndexStdErr)} over ${g.pooledMinibatches} minibatches × ${doc.n} parameters`;
  const alphas = present(g.perDirection.map((d) => d.tailIndex));
  const m = alphas.length > 0 ? median(alphas) : null;
  let reading = '';
  if (m !== null && g.pooledTailIndex < m - POOLING_GAP) {
    reading = `, below the per-direction median ${alphaText(m)}: pooling mixes parameters whose noise differs in scale, which this estimator reads as a heavy tail (the paper's Figure 1)`;
  } else if (m !== null) {
    reading = `, close to the per-direction median ${alphaText(m)}: pooling changes little here`;
  }
  const zeros =
    g.pooledZeroParameters > 0
      ? `; ${g.pooledZeroParameters} parameters have no noise at all (a constant input column, a dead ReLU unit) and each of their zeros pulls α̂ down: ` +
        `without them it is ${alphaText(g.pooledTailIndexExcludingZeros)}`
      : '';
  return `${head}${reading}${zeros}`;
}

/** B_simple and where the batch size in use stands against it. */
export function noiseScalePhrase(doc: NoiseDoc): string {
  const s = doc.noiseScale;
  if (s.bSimple === null) return 'not estimable: the full gradient is 0 to the precision measured';
  const se = s.stdErr ? ` ± ${approx(s.stdErr)}` : '';
  const B = doc.batchSize;
  const where =
    B < s.bSimple / 2 ? `B = ${B} is below it: each step's gradient is mostly noise` : B > 2 * s.bSimple ? `B = ${B} is above it: each step's gradient is mostly signal` : `B = ${B} is near it`;
  return `${approx(s.bSimple)}${se}: tr Σ/|G|², the batch size at which a minibatch gradient holds as much noise as signal; ${where}`;
}

export function criticalBatchPhrase(doc: NoiseDoc): string {
  const b = doc.noiseScale.criticalBatchSize;
  if (b === null) return 'not estimable';
  return `≈ ${approx(b)}: batches up to about this size still buy proportionally fewer steps, beyond it hardly any (B_crit ≈ B_simple, to within the order of magnitude)`;
}

/** Per-layer SNR at B, and the batch size the noisiest layer would need to reach 1. */
export function signalToNoisePhrase(doc: NoiseDoc): string {
  const snr = doc.signalToNoise;
  if (!snr) return 'not measured (the sampled noise vectors exceed --max-memory)';
  const layers = snr.layers.map((l) => `${l.name} ${approx(l.snr)}`).join(', ');
  const measured = snr.layers.filter((l): l is typeof l & { snr: number } => l.snr !== null && l.snr > 0);
  const worst = measured.reduce<(typeof measured)[number] | undefined>((w, l) => (w === undefined || l.snr < w.snr ? l : w), undefined);
  const advice =
    worst && worst.snr < 1
      ? `; below 1 a layer moves mostly by noise: ${worst.name} would need B ≈ ${approx(doc.batchSize / worst.snr)} to reach 1`
      : '; every layer moves more along its gradient than across it';
  return `${layers}; total ${approx(snr.total.snr)}${advice}`;
}
