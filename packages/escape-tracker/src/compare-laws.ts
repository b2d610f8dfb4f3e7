import { linearFit } from './linear-fit.js';

export interface LawPoint {
  /** The panel's variable: 1/k, B, 1/η, 1/D, k or 1/√k (> 0 for the power-law fit). */
  readonly x: number;
  /** Measured escape rate at x (any consistent unit). */
  readonly gamma: number;
  /** Escapes behind gamma; sets σ(log γ) = 1/√escaped. */
  readonly escaped: number;
}

export interface LawFit {
  readonly slope: number;
  readonly intercept: number;
  readonly pearson: number | null;
  /** χ²/dof with dof = n − 2 and σ(log γ) = 1/√escaped; ≈ 1 when the law fits within the counting noise. null when n = 2. */
  readonly chi2dof: number | null;
}

export interface LawComparison {
  /** −log γ = intercept + slope·x (Arrhenius/Kramers form). */
  readonly exponential: LawFit;
  /** −log γ = intercept + slope·log x, i.e. γ ∝ x^{−slope}. */
  readonly powerLaw: LawFit;
  /** The law with the smaller χ²/dof (same dof, so the smaller χ²); null when n = 2 or they tie. */
  readonly preferred: 'exponential' | 'power-law' | null;
  /** Points used. */
  readonly n: number;
  /** Points left out because nothing escaped there (γ = 0 has no logarithm). */
  readonly excluded: number;
}

/**
 * Fits −log γ against x (exponential law) and against log x (power law) by weighted least squares with
 * σ(log γ) = 1/√escaped (the relative standard error of a count-based rate), and compares their χ²/dof.
 * Pearson r alone cannot tell the laws apart over a narrow range; χ²/dof can when the counts are large.
 */
export function compareLaws(points: readonly LawPoint[]): LawComparison {
  const where = 'compareLaws';
  if (!Array.isArray(points)) throw new Error(`${where}: points must be an array of { x, gamma, escaped }`);
  const x: number[] = [];
  const y: number[] = [];
  const w: number[] = [];
  let excluded = 0;
  points.forEach((p, i) => {
    if (!Number.isInteger(p.escaped) || p.escaped < 0) {
      throw new Error(`${where}: points[${i}].escaped must be a non-negative integer count, got ${String(p.escaped)}`);
    }
    if (p.escaped === 0) {
      excluded++;
      return;
    }
    if (!Number.isFinite(p.gamma) || !(p.gamma > 0)) {
      throw new Error(`${where}: points[${i}].gamma must be finite and > 0 when escaped > 0, got ${String(p.gamma)}`);
    }
    if (!Number.isFinite(p.x) || !(p.x > 0)) {
      throw new Error(`${where}: points[${i}].x must be finite and > 0 (the power law needs log x), got ${String(p.x)}`);
    }
    x.push(p.x);
    y.push(-Math.log(p.gamma));
    // σ(log γ̂) ≈ 1/√d for a rate estimated from d escapes, so the weight 1/σ² is d.
    w.push(p.escaped);
  });
  const n = x.length;
  if (n < 2) throw new Error(`${where}: needs at least 2 points with escapes, got ${n} (${excluded} had none)`);
  const dof = n - 2;
  const toLaw = (fit: ReturnType<typeof linearFit>): LawFit => ({
    slope: fit.slope,
    intercept: fit.intercept,
    pearson: fit.pearson,
    chi2dof: dof > 0 ? fit.chi2 / dof : null,
  });
  const exponential = toLaw(linearFit(x, y, w));
  const powerLaw = toLaw(linearFit(x.map(Math.log), y, w));
  let preferred: LawComparison['preferred'] = null;
  if (exponential.chi2dof !== null && powerLaw.chi2dof !== null && exponential.chi2dof !== powerLaw.chi2dof) {
    preferred = exponential.chi2dof < powerLaw.chi2dof ? 'exponential' : 'power-law';
  }
  return { exponential, powerLaw, preferred, n, excluded };
}
