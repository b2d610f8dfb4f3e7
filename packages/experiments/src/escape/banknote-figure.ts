import type { ModelEscapeJob } from './escape-job.js';
import { panel, type FigureSpec, type PanelSpec } from './escape-figure.js';

export interface BanknoteFigureOptions {
  /** A smaller grid (3 points a panel, shorter escapes) that runs in about a minute. */
  readonly quick?: boolean;
  /** Replicas per point (default 100, as the paper). */
  readonly replicas?: number;
  readonly seed?: number;
  /**
   * L2 weight decay of the loss (default 1e-2). Banknote is linearly separable: without it (0) the loss has no
   * minimum, the pretrained start keeps sliding, and escapes are drift-driven rather than noise-driven.
   */
  readonly weightDecay?: number;
}

/** The paper's box: |Δθ_i| ≤ 0.05 around the start, rescaled to 0.05/√k with the landscape (Xie et al. 2021, App. D.1). */
export const BANKNOTE_BOX = 'box:0.05';

/**
 * `kramers reproduce banknote`: the paper's real-data experiment (its Figure 5) — an MLP 4→10→2 (tanh, softmax
 * cross-entropy) pretrained to a minimum of the weight-decayed loss, then ≥ 100 replicas on real minibatches drawn
 * without replacement until each leaves the box: −log γ against B, 1/η and 1/k for SGD, and Adam against 1/√k and 1/k.
 * No SGLD panel: at this minimum the box barrier is ≈ ½·λ_min·r² ≈ 3.5e-6, so SGLD needs D ≈ 1e-6, below the
 * minibatch noise of any affordable batch; full-batch gradients for 100 replicas cost ≈ 70 ms an iteration.
 */
export function banknoteFigure(options: BanknoteFigureOptions = {}): FigureSpec {
  const quick = options.quick === true;
  const replicas = options.replicas ?? 100;
  const seed = options.seed ?? 0;
  const weightDecay = options.weightDecay ?? 1e-2;
  // Without weight decay escapes are drift: fast or never; a short budget shows it without waiting.
  const cap = weightDecay === 0 ? (quick ? 3_000 : 20_000) : quick ? 20_000 : 200_000;
  const job = (over: Pick<ModelEscapeJob, 'optimizer' | 'batchSize'> & Partial<ModelEscapeJob>): ModelEscapeJob => ({
    kind: 'model',
    dataset: 'banknote',
    hidden: [10],
    activation: 'tanh',
    weightDecay,
    pretrain: { seed: 1, adamSteps: 3000, gdSteps: 3000 },
    k: 1,
    boundary: BANKNOTE_BOX,
    replicas,
    maxSteps: cap,
    seed,
    ...over,
  });
  const grid = <T>(full: readonly T[], small: readonly T[]): readonly T[] => (quick ? small : full);

  const sgd = (learningRate: number, batchSize: number, k = 1) => job({ optimizer: { name: 'sgd', learningRate }, batchSize, k });
  const batchSizes = grid([6, 8, 10, 12, 14, 16, 18], [6, 9, 12]);
  const rates = grid([0.12, 0.15, 0.19, 0.24, 0.3, 0.36], [0.24, 0.3, 0.36]);
  const ks = grid([0.6, 0.75, 0.95, 1.2, 1.5, 1.8], [1.2, 1.5, 1.8]);
  const adamKs = grid([1, 1.3, 1.7, 2.2, 3], [1.7, 2.2, 3]);
  const adam = (k: number) => job({ optimizer: { name: 'adam', learningRate: 0.006 }, batchSize: 16, k });
  const panels: PanelSpec[] = [
    panel('sgd-batch', 'SGD: −log γ vs B (η = 0.2)', 'sgd', 'B', '-log(gamma)', 'exponential in B (Theorem 3.2)',
      batchSizes.map((b) => ({ x: b, job: sgd(0.2, b) }))),
    panel('sgd-lr', 'SGD: −log γ vs 1/η (B = 10)', 'sgd', '1/eta', '-log(gamma)', 'exponential in 1/η (Theorem 3.2)',
      rates.map((eta) => ({ x: 1 / eta, job: sgd(eta, 10) }))),
    panel('sgd-k', 'SGD: −log γ vs 1/k (η = 0.2, B = 10)', 'sgd', '1/k', '-log(gamma)', 'exponential in 1/k (Theorem 3.2)',
      ks.map((k) => ({ x: 1 / k, job: sgd(0.2, 10, k) }))),
    panel('adam-sqrt-k', 'Adam (η = 0.006, B = 16): −log γ vs 1/√k', 'adam', '1/sqrt(k)', '-log(gamma)', 'exponential in 1/√k (Adam: T ∝ √H)',
      adamKs.map((k) => ({ x: 1 / Math.sqrt(k), job: adam(k) }))),
    panel('adam-k', 'Adam (η = 0.006, B = 16): −log γ vs 1/k', 'adam', '1/k', '-log(gamma)', 'the SGD law, for comparison with 1/√k',
      adamKs.map((k) => ({ x: 1 / k, job: adam(k) }))),
  ];
  const note =
    weightDecay > 0
      ? `minibatches of real data; start: a minimum of the loss with L2 weight decay λ = ${weightDecay}`
      : 'minibatches of real data; NO weight decay: banknote is separable, the loss has no minimum and escapes are drift-driven';
  return { figure: weightDecay > 0 ? 'banknote' : 'banknote-no-weight-decay', noiseModel: note, panels };
}
