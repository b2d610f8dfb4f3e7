import { formatNumber, formatTable } from '@kramers/reporters';
import type { LossSource } from '../saved-model/model-loss.js';
import type { NoiseDoc } from './noise-doc.js';
import { approx, criticalBatchPhrase, fitPhrase, noiseScalePhrase, pooledPhrase, signalToNoisePhrase, tailsPhrase } from './noise-phrases.js';

/** Directions shown in the table; the rest (with --top-k all, every eigenpair) are in --json. */
const TABLE_ROWS = 10;

const FROM: Record<LossSource, string> = {
  flag: 'given by --loss',
  'training config': "from the model's training config",
  'softmax output': 'assumed for its softmax output',
};

/** The human output of `kramers noise`: a header, a table per direction, then one line per number with its meaning. */
export function renderNoise(doc: NoiseDoc): string {
  const B = doc.batchSize;
  const how =
    doc.mode === 'exact'
      ? `exact: per-example gradients of all ${doc.m} rows (${doc.perExampleMethod === 'dense' ? 'dense path, one pass' : `one per row: ${doc.loopReason}`}); ` +
        `${doc.gaussianity.minibatches} minibatches of ${B} resampled from them for kurtosis, p and α̂`
      : `sampled: ${doc.samples} minibatch gradients of ${B} rows (${doc.modeReason}); ± is one standard error`;
  const sampled = doc.mode === 'sampled';
  const shown = doc.directions.slice(0, TABLE_ROWS);
  const lines = [
    '',
    `kramers noise — ${doc.model} on ${doc.data} (${doc.m} rows, ${doc.n} parameters, backend ${doc.backend})`,
    `loss ${doc.loss} (${FROM[doc.lossSource]}) = ${formatNumber(doc.lossValue)}   ‖∇L‖ ${formatNumber(doc.gradNorm)}   B = ${B}`,
    how,
    '',
    formatTable(
      ['k', 'λ_k', 'λ_k/B', sampled ? 'uᵀCu ± se' : 'uᵀCu', 'ratio', 'kurtosis', 'p', 'α̂'],
      shown.map((d, k) => {
        const g = doc.gaussianity.perDirection[k]!;
        const noise = sampled ? `${formatNumber(d.noiseVariance)} ± ${formatNumber(d.noiseVarianceStderr)}` : d.noiseVariance;
        return [k + 1, d.eigenvalue, d.eigenvalue / B, noise, d.ratio, g.kurtosis, g.pValue, g.tailIndex];
      }),
    ),
  ];
  if (doc.directions.length > shown.length) lines.push(`… ${doc.directions.length - shown.length} more directions in --json`);
  lines.push(
    `ratio = uᵀCu/(λ/B): 1 where C = H/B holds along that direction; kurtosis (0 for a Gaussian), p (D'Agostino–Pearson) and α̂ (2 for a Gaussian) of the minibatch noise along it`,
  );
  if (!doc.lanczosConverged) lines.push('note: Lanczos stopped before every direction met its tolerance; the Ritz residuals are in --json');
  const traceSe = sampled ? ` ± ${approx(doc.traceCStderr)}` : '';
  const labelled: [string, string][] = [
    ['tr C', `${approx(doc.traceC)}${traceSe} (×${approx(doc.finitePopulationFactor)} = ${approx(doc.traceCFinitePopulationCorrected)} for batches drawn without replacement): the total variance of a ${B}-row minibatch gradient around the full one`],
    ['fit', fitPhrase(doc)],
    ['per direction', tailsPhrase(doc)],
    ['pooled α̂', pooledPhrase(doc)],
    ['B_simple', noiseScalePhrase(doc)],
    ['B_crit', criticalBatchPhrase(doc)],
    [`SNR at B = ${B}`, signalToNoisePhrase(doc)],
  ];
  const width = Math.max(...labelled.map(([label]) => label.length));
  lines.push('', ...labelled.map(([label, text]) => `${label.padEnd(width)}  ${text}`));
  return `${lines.join('\n')}\n`;
}
