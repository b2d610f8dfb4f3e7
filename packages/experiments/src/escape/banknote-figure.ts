import { loadDataset } from '@kramers/datasets';
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

/** ≈ the lowest face of that box above the pretrained minimum (λ = 1e-2; quadratic model), which sets SGLD's D grid. */
const SGLD_BARRIER = 1.04e-5;

/**
 * `kramers reproduce banknote`: the paper's real-data experiment (its Figure 5) — an MLP 4→10→2 (tanh, softmax
 * cross-entropy) pretrained to a minimum of the weight-decayed loss, then ≥ 100 replicas on real minibatches drawn
 * without replacement until each leaves the box: −log γ against B, 1/η and 1/k for SGD, and Adam against 1/√k and 1/k.
 * SGLD runs on full-batch gradients, so its injected noise is the only noise: the box's lowest face is only
 * ΔL ≈ 1.0e-5 above the minimum (the softmax output weights' faces), so D must be ≈ 2e-6, far below the minibatch
 * noise of any affordable batch. Its replicas start in their quasi-equilibrium around the minimum (the escape-rate
 * theory's assumption), and −log γ against 1/D tests Theorem 3.1's law with the barrier as its slope; γ against k
 * tests that SGLD's rate is only polynomial in sharpness.
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
  // D = ΔL/x with ΔL ≈ 1.04e-5 (the quadratic model's lowest face; the exact one is in the figure's start), so the
  // grid spans ΔL/D = 4 … 7: cold enough for the law, and the slowest mean escape ≈ 4·10³ full-batch iterations.
  const fullBatch = loadDataset('banknote').rows;
  const diffusion = (x: number): number => Number((SGLD_BARRIER / x).toPrecision(3));
  const sgld = (x: number, k = 1) =>
    job({
      optimizer: { name: 'sgld', learningRate: 1, diffusion: diffusion(x) },
      batchSize: fullBatch,
      k,
      initial: 'equilibrium',
    });
  // --quick runs hotter (ΔL/D from 3), where starts near the face escape early and steepen the slope a little.
  const sgldXs = grid([4, 4.6, 5.2, 5.8, 6.4, 7], [3, 3.5, 4]);
  const sgldKs = grid([0.5, 0.7, 1, 1.4, 2], [1, 1.4, 2]);
  const sgldKx = quick ? 3 : 4.6;
  // Without weight decay there is no minimum to be in equilibrium around, and nothing for a barrier law to measure.
  const sgldPanels: PanelSpec[] = [
    panel('sgld-diffusion', 'SGLD (full batch, η = 1): −log γ vs 1/D', 'sgld', '1/D', '-log(gamma)', 'exponential in 1/D, slope ΔL of the lowest face (Theorem 3.1)',
      sgldXs.map((x) => ({ x: 1 / diffusion(x), job: sgld(x) }))),
    panel('sgld-k', `SGLD (full batch, η = 1, D = ${diffusion(sgldKx)}): γ vs k`, 'sgld', 'k', 'gamma', 'γ ∝ k: polynomial in sharpness (Theorem 3.1)',
      sgldKs.map((k) => ({ x: k, job: sgld(sgldKx, k) }))),
  ];
  const panels: PanelSpec[] = [
    panel('sgd-batch', 'SGD: −log γ vs B (η = 0.2)', 'sgd', 'B', '-log(gamma)', 'exponential in B (Theorem 3.2)',
      batchSizes.map((b) => ({ x: b, job: sgd(0.2, b) }))),
    panel('sgd-lr', 'SGD: −log γ vs 1/η (B = 10)', 'sgd', '1/eta', '-log(gamma)', 'exponential in 1/η (Theorem 3.2)',
      rates.map((eta) => ({ x: 1 / eta, job: sgd(eta, 10) }))),
    panel('sgd-k', 'SGD: −log γ vs 1/k (η = 0.2, B = 10)', 'sgd', '1/k', '-log(gamma)', 'exponential in 1/k (Theorem 3.2)',
      ks.map((k) => ({ x: 1 / k, job: sgd(0.2, 10, k) }))),
    ...(weightDecay > 0 ? sgldPanels : []),
    panel('adam-sqrt-k', 'Adam (η = 0.006, B = 16): −log γ vs 1/√k', 'adam', '1/sqrt(k)', '-log(gamma)', 'exponential in 1/√k (Adam: T ∝ √H)',
      adamKs.map((k) => ({ x: 1 / Math.sqrt(k), job: adam(k) }))),
    panel('adam-k', 'Adam (η = 0.006, B = 16): −log γ vs 1/k', 'adam', '1/k', '-log(gamma)', 'the SGD law, for comparison with 1/√k',
      adamKs.map((k) => ({ x: 1 / k, job: adam(k) }))),
  ];
  const note =
    weightDecay > 0
      ? `minibatches of real data (SGLD: full batch, its injected noise the only noise); start: a minimum of the loss with L2 weight decay λ = ${weightDecay}`
      : 'minibatches of real data; NO weight decay: banknote is separable, the loss has no minimum and escapes are drift-driven';
  return { figure: weightDecay > 0 ? 'banknote' : 'banknote-no-weight-decay', noiseModel: note, panels };
}
