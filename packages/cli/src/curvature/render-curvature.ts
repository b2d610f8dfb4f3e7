import type { CurvatureReport } from '@kramers/hvp-estimator';
import { formatNumber, formatTable } from '@kramers/reporters';
import type { LossSource } from '../saved-model/model-loss.js';

/** The `--json` document of `kramers curvature`; `loss` names the loss, `lossValue` is its value at the weights. */
export type CurvatureDoc = Omit<CurvatureReport, 'loss' | 'eigenvectors' | 'minEigenvector'> & {
  model: string;
  data: string;
  backend: string;
  loss: string;
  lossSource: LossSource;
  lossValue: number | null;
  probeRows: number;
  secondOrderCheck: { ok: boolean; failures: readonly string[] };
};

const FROM: Record<LossSource, string> = {
  flag: 'given by --loss',
  'training config': "from the model's training config",
  'softmax output': 'assumed for its softmax output',
};

export function renderCurvature(doc: CurvatureDoc): string {
  const lines = [
    '',
    `kramers curvature — ${doc.model} on ${doc.data} (${doc.probeRows} rows, ${doc.n} parameters, backend ${doc.backend})`,
    `loss ${doc.loss} (${FROM[doc.lossSource]}) = ${formatNumber(doc.lossValue)}   ‖∇L‖ ${formatNumber(doc.gradNorm)}   HVPs ${doc.hvpCount} (${doc.method}${doc.fallbackReason ? `: ${doc.fallbackReason}` : ''})`,
    '',
    formatTable(
      ['', 'eigenvalue', 'Ritz residual'],
      [
        ...doc.eigenvalues.map((v, i) => [`λ${i + 1}`, v, doc.residuals[i] ?? null]),
        ...(doc.minEigenvalue !== null ? [['λ_min', doc.minEigenvalue, doc.minEigenvalueResidual]] : []),
      ],
    ),
  ];
  if (!doc.converged) lines.push('', 'note: Lanczos stopped before every Ritz pair met the tolerance; raise --tol or check the residuals');
  if (doc.trace) lines.push('', `tr(H) ${formatNumber(doc.trace.estimate)} ± ${formatNumber(doc.trace.stderr)} (${doc.trace.probes} probes)`);
  if (doc.density) {
    const g = doc.density.grid;
    lines.push('', `density: ${g.length} points on [${formatNumber(g[0])}, ${formatNumber(g[g.length - 1])}] (values in --json)`);
  }
  return `${lines.join('\n')}\n`;
}
