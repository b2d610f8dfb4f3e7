/**
 * Is a scalar sample Gaussian? Moments and the D'Agostino–Pearson K² test, for the per-direction protocol of
 * docs/theory.md §6: the projections (g_j − g)·u of many minibatch or per-example gradients along one direction u.
 * Xie 2021 (Figure 1) finds this noise Gaussian across minibatches; a small p-value here says it is not.
 *
 * Plain float64 arithmetic, two passes (mean first, then central sums), so a large mean costs no precision.
 */

/** The K² test needs n ≥ 20: below that its χ²₂ approximation is not accurate (D'Agostino, Belanger & D'Agostino 1990). */
export const MIN_NORMALITY_SAMPLE = 20;

export interface SampleMoments {
  readonly n: number;
  readonly mean: number;
  /** Unbiased variance Σ(x − x̄)²/(n − 1); NaN for n < 2. */
  readonly variance: number;
  /**
   * Adjusted Fisher–Pearson skewness G1 = g1·√(n(n−1))/(n−2), g1 = m3/m2^{3/2} (Joanes & Gill 1998); NaN for n < 3
   * or a constant sample.
   */
  readonly skewness: number;
  /**
   * Bias-corrected excess kurtosis G2 = ((n−1)/((n−2)(n−3)))·((n+1)·g2 + 6), g2 = m4/m2² − 3 (Joanes & Gill 1998):
   * unbiased under normality, where the plain g2 has mean −6/(n+1), so G2 is the one to read at moderate n. 0 for a
   * Gaussian, 3 for Laplace, unbounded for Student-t with ≤ 4 degrees of freedom. NaN for n < 4 or a constant sample.
   */
  readonly excessKurtosis: number;
  /** Standard deviation of G1 under normality, √(6n(n−1)/((n−2)(n+1)(n+3))) (Joanes & Gill 1998). */
  readonly skewnessStdErr: number;
  /** Standard deviation of G2 under normality, √(24n(n−1)²/((n−3)(n−2)(n+3)(n+5))) (Joanes & Gill 1998). */
  readonly kurtosisStdErr: number;
}

/** The D'Agostino–Pearson omnibus test; `valid: false` (n < 20, or a constant sample) has NaN statistics. */
export type NormalityTest =
  | {
      readonly valid: true;
      readonly n: number;
      /** K² = Z(√b1)² + Z(b2)², approximately χ²₂ under normality (D'Agostino & Pearson 1973). */
      readonly statistic: number;
      /** P(χ²₂ ≥ K²) = exp(−K²/2). Small: reject normality (0.05 is the usual threshold). */
      readonly pValue: number;
      /** Skewness z (D'Agostino 1970): positive for a long right tail. */
      readonly skewnessZ: number;
      /** Kurtosis z (Anscombe & Glynn 1983): positive for heavy tails. */
      readonly kurtosisZ: number;
    }
  | {
      readonly valid: false;
      readonly n: number;
      /** NaN, so that tables and JSON (null) show the gap rather than a number nobody may trust. */
      readonly statistic: number;
      readonly pValue: number;
      readonly skewnessZ: number;
      readonly kurtosisZ: number;
      /** Why there is no test. */
      readonly reason: string;
    };

export interface Gaussianity {
  readonly moments: SampleMoments;
  readonly normality: NormalityTest;
}

/** Moments and the normality test of one sample. Throws a RangeError on a non-finite value (naming its index). */
export function gaussianity(x: ArrayLike<number>): Gaussianity {
  const central = centralMoments(x);
  return { moments: momentsFrom(central), normality: testFrom(central) };
}

export function sampleMoments(x: ArrayLike<number>): SampleMoments {
  return momentsFrom(centralMoments(x));
}

/**
 * D'Agostino–Pearson K² test of normality. Needs n ≥ 20 (`MIN_NORMALITY_SAMPLE`): a smaller sample, or a constant
 * one, gives `valid: false` with NaN p-value and a reason, not an exception, because a live measurement may simply
 * not have collected enough samples yet. Throws a RangeError on a non-finite value.
 */
export function normalityTest(x: ArrayLike<number>): NormalityTest {
  return testFrom(centralMoments(x));
}

interface Central {
  readonly n: number;
  readonly mean: number;
  /** Population central moments m_k = Σ(x − x̄)^k / n. */
  readonly m2: number;
  readonly m3: number;
  readonly m4: number;
}

function centralMoments(x: ArrayLike<number>): Central {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`gaussianity: sample value ${i} is ${String(v)}; every value must be finite`);
    sum += v;
  }
  const mean = n > 0 ? sum / n : NaN;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    const d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  return { n, mean, m2: s2 / n, m3: s3 / n, m4: s4 / n };
}

function momentsFrom({ n, mean, m2, m3, m4 }: Central): SampleMoments {
  const spread = m2 > 0;
  // g1 = m3/m2^{3/2}, g2 = m4/m2² − 3 (Joanes & Gill 1998)
  const g1 = spread ? m3 / m2 ** 1.5 : NaN;
  const g2 = spread ? m4 / (m2 * m2) - 3 : NaN;
  return {
    n,
    mean,
    variance: n >= 2 ? (m2 * n) / (n - 1) : NaN,
    // G1 = g1·√(n(n−1))/(n−2) (Joanes & Gill 1998)
    skewness: n >= 3 ? (g1 * Math.sqrt(n * (n - 1))) / (n - 2) : NaN,
    // G2 = ((n−1)/((n−2)(n−3)))·((n+1)g2 + 6) (Joanes & Gill 1998)
    excessKurtosis: n >= 4 ? ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * g2 + 6) : NaN,
    // Var(G1) = 6n(n−1)/((n−2)(n+1)(n+3)) under normality (Joanes & Gill 1998)
    skewnessStdErr: n >= 3 ? Math.sqrt((6 * n * (n - 1)) / ((n - 2) * (n + 1) * (n + 3))) : NaN,
    // Var(G2) = 24n(n−1)²/((n−3)(n−2)(n+3)(n+5)) under normality (Joanes & Gill 1998)
    kurtosisStdErr: n >= 4 ? Math.sqrt((24 * n * (n - 1) ** 2) / ((n - 3) * (n - 2) * (n + 3) * (n + 5))) : NaN,
  };
}

function testFrom({ n, m2, m3, m4 }: Central): NormalityTest {
  const invalid = (reason: string): NormalityTest => ({
    valid: false,
    n,
    statistic: NaN,
    pValue: NaN,
    skewnessZ: NaN,
    kurtosisZ: NaN,
    reason,
  });
  if (n < MIN_NORMALITY_SAMPLE) {
    return invalid(`the D'Agostino–Pearson test needs at least ${MIN_NORMALITY_SAMPLE} values, got ${n}`);
  }
  if (!(m2 > 0)) return invalid('the sample is constant (zero variance), so skewness and kurtosis are undefined');
  const skewnessZ = dagostinoSkewnessZ(m3 / m2 ** 1.5, n);
  const kurtosisZ = anscombeGlynnKurtosisZ(m4 / (m2 * m2), n);
  // K² = Z(√b1)² + Z(b2)² ~ χ²₂, whose survival function is exp(−K²/2) (D'Agostino & Pearson 1973)
  const statistic = skewnessZ * skewnessZ + kurtosisZ * kurtosisZ;
  return { valid: true, n, statistic, pValue: Math.exp(-statistic / 2), skewnessZ, kurtosisZ };
}

/** z of √b1 = g1 by D'Agostino's (1970) Johnson S_U approximation, as written in D'Agostino, Belanger & D'Agostino (1990). */
function dagostinoSkewnessZ(rootB1: number, n: number): number {
  // Y = √b1·√((n+1)(n+3)/(6(n−2)))
  const y = rootB1 * Math.sqrt(((n + 1) * (n + 3)) / (6 * (n - 2)));
  // β2(√b1) = 3(n²+27n−70)(n+1)(n+3)/((n−2)(n+5)(n+7)(n+9))
  const beta2 = (3 * (n * n + 27 * n - 70) * (n + 1) * (n + 3)) / ((n - 2) * (n + 5) * (n + 7) * (n + 9));
  // W² = −1 + √(2(β2 − 1)); δ = 1/√(ln W); α = √(2/(W² − 1))
  const w2 = -1 + Math.sqrt(2 * (beta2 - 1));
  const delta = 1 / Math.sqrt(0.5 * Math.log(w2));
  const alpha = Math.sqrt(2 / (w2 - 1));
  // Z = δ·ln(Y/α + √((Y/α)² + 1)) = δ·asinh(Y/α) (asinh keeps precision for large negative Y)
  return delta * Math.asinh(y / alpha);
}

/**
 * z of b2 = m4/m2² by Anscombe & Glynn (1983), as written in D'Agostino, Belanger & D'Agostino (1990). Where the
 * transform's denominator 1 + x·√(2/(A−4)) is ≤ 0 (b2 far below its mean: a sample flatter than the transform can
 * describe) z is −∞, i.e. certain rejection; SciPy's `kurtosistest` instead flips the sign of the cube root there.
 */
function anscombeGlynnKurtosisZ(b2: number, n: number): number {
  // E(b2) = 3(n−1)/(n+1); Var(b2) = 24n(n−2)(n−3)/((n+1)²(n+3)(n+5))
  const mean = (3 * (n - 1)) / (n + 1);
  const variance = (24 * n * (n - 2) * (n - 3)) / ((n + 1) ** 2 * (n + 3) * (n + 5));
  const x = (b2 - mean) / Math.sqrt(variance);
  // √β1(b2) = 6(n²−5n+2)/((n+7)(n+9))·√(6(n+3)(n+5)/(n(n−2)(n−3)))
  const rootBeta1 =
    ((6 * (n * n - 5 * n + 2)) / ((n + 7) * (n + 9))) * Math.sqrt((6 * (n + 3) * (n + 5)) / (n * (n - 2) * (n - 3)));
  // A = 6 + (8/√β1)·(2/√β1 + √(1 + 4/β1))
  const a = 6 + (8 / rootBeta1) * (2 / rootBeta1 + Math.sqrt(1 + 4 / (rootBeta1 * rootBeta1)));
  const denominator = 1 + x * Math.sqrt(2 / (a - 4));
  if (denominator <= 0) return -Infinity;
  // Z = ((1 − 2/(9A)) − ((1 − 2/A)/(1 + x√(2/(A−4))))^{1/3}) / √(2/(9A))
  return (1 - 2 / (9 * a) - Math.cbrt((1 - 2 / a) / denominator)) / Math.sqrt(2 / (9 * a));
}
