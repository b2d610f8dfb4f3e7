import type { LandscapeEscapeJob } from './escape-job.js';
import { panel, type FigureSpec, type PanelSpec } from './escape-figure.js';

export interface StyblinskiTangFigureOptions {
  /** A smaller grid (3 points a panel, shorter escapes) that runs in about a minute. */
  readonly quick?: boolean;
  /** Replicas per point (default 100, as the paper). */
  readonly replicas?: number;
  readonly seed?: number;
}

// The landscape of the experiment: 10-D Styblinski–Tang, loss × 0.01 (so SGD escapes are observable at a stable η),
// every replica started at the global minimum, escape = passing midway from the col to the next minimum.
const DIM = 10;
const SCALE = 0.01;
// Per-coordinate barrier from the global minimum of ½(x⁴ − 16x² + 5x), times the loss scale.
const BARRIER = SCALE * 39.361778;

const base = (replicas: number, seed: number): Omit<LandscapeEscapeJob, 'optimizer' | 'landscape' | 'noise' | 'batchSize' | 'maxSteps'> => ({
  start: 'global',
  boundary: 'midway',
  replicas,
  seed,
});

const st = (k: number) => ({ name: 'styblinski-tang', dim: DIM, k, scale: SCALE }) as const;

/**
 * `kramers reproduce styblinski-tang`: the paper's Figure-4 laws and their SGLD and Adam counterparts on the
 * analytic landscape, under frozen-minimum gradient noise C = H(θ_a)/B, plus the state-dependent noise [H(θ)]₊/B
 * at the first SGD setting to show where that approximation breaks.
 */
export function styblinskiTangFigure(options: StyblinskiTangFigureOptions = {}): FigureSpec {
  const quick = options.quick === true;
  const replicas = options.replicas ?? 100;
  const seed = options.seed ?? 0;
  const common = base(replicas, seed);
  // Step budgets ≈ 8× the expected mean escape time of the slowest point, so ≥ 99 % escape; the rest are censored.
  const cap = quick ? 20_000 : 200_000;
  const sgd = (k: number, batchSize: number, learningRate: number): LandscapeEscapeJob => ({
    ...common,
    landscape: st(k),
    optimizer: { name: 'sgd', learningRate },
    noise: 'frozen',
    batchSize,
    maxSteps: cap,
  });
  const sgld = (k: number, barrierOverD: number): LandscapeEscapeJob => ({
    ...common,
    landscape: st(k),
    optimizer: { name: 'sgld', learningRate: 0.5, diffusion: BARRIER / barrierOverD },
    noise: 'none',
    batchSize: 1,
    maxSteps: cap,
  });
  const adam = (k: number): LandscapeEscapeJob => ({
    ...common,
    landscape: st(k),
    optimizer: { name: 'adam', learningRate: 0.2 },
    noise: 'frozen',
    batchSize: 1,
    maxSteps: cap,
  });
  const grid = <T>(full: readonly T[], small: readonly T[]): readonly T[] => (quick ? small : full);

  const ks = grid([0.5, 0.6, 0.7, 0.8, 0.9, 1], [0.8, 0.9, 1]);
  const bs = grid([1, 1.2, 1.4, 1.6, 1.8, 2], [1, 1.2, 1.4]);
  const etas = grid([0.35, 0.4, 0.45, 0.5, 0.6, 0.7], [0.45, 0.5, 0.55]);
  const ratios = grid([5, 5.75, 6.5, 7.25, 8], [5, 5.75, 6.5]);
  const sgldKs = grid([0.5, 0.75, 1, 1.5, 2], [0.75, 1, 1.5]);
  const adamKs = grid([0.75, 1, 1.25, 1.5, 2], [1.25, 1.5, 2]);
  const panels: PanelSpec[] = [
    panel('sgd-k', 'SGD: −log γ vs 1/k', 'sgd', '1/k', '-log(gamma)', 'exponential in 1/k (Theorem 3.2)',
      ks.map((k) => ({ x: 1 / k, job: sgd(k, 1, 0.5) }))),
    panel('sgd-batch', 'SGD: −log γ vs B', 'sgd', 'B', '-log(gamma)', 'exponential in B (Theorem 3.2)',
      bs.map((b) => ({ x: b, job: sgd(1, b, 0.5) }))),
    panel('sgd-lr', 'SGD: −log γ vs 1/η', 'sgd', '1/eta', '-log(gamma)', 'exponential in 1/η (Theorem 3.2)',
      etas.map((eta) => ({ x: 1 / eta, job: sgd(1, 1, eta) }))),
    panel('sgld-diffusion', 'SGLD: −log γ vs 1/D', 'sgld', '1/D', '-log(gamma)', 'exponential in ΔL/D, slope ΔL (Theorem 3.1)',
      ratios.map((r) => ({ x: r / BARRIER, job: sgld(1, r) }))),
    panel('sgld-k', 'SGLD: γ vs k', 'sgld', 'k', 'gamma', 'γ ∝ k: only polynomial in sharpness (Theorem 3.1)',
      sgldKs.map((k) => ({ x: k, job: sgld(k, 6) }))),
    panel('adam-sqrt-k', 'Adam: −log γ vs 1/√k', 'adam', '1/sqrt(k)', '-log(gamma)', 'exponential in 1/√k (Adam: T ∝ √H)',
      adamKs.map((k) => ({ x: 1 / Math.sqrt(k), job: adam(k) }))),
    panel('adam-k', 'Adam: −log γ vs 1/k', 'adam', '1/k', '-log(gamma)', 'the SGD law, for comparison with 1/√k',
      adamKs.map((k) => ({ x: 1 / k, job: adam(k) }))),
    panel('sgd-state-noise', 'SGD, noise [H(θ)]₊/B: −log γ vs 1/k', 'sgd', '1/k', '-log(gamma)',
      'Theorem 3.2 nominally; the diffusion vanishes where H = 0 between minimum and col, blocking escape',
      grid([0.8, 1], [1]).map((k) => ({ x: 1 / k, job: { ...sgd(k, 1, 0.5), noise: 'state', maxSteps: quick ? 20_000 : 300_000 } }))),
  ];
  return { figure: 'styblinski-tang', noiseModel: 'frozen: N(0, H(θ_a)/B) unless a panel says otherwise', panels };
}
