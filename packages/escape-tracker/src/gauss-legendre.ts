export interface GaussLegendreRule {
  /** Nodes on [−1, 1], ascending. */
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/**
 * Gauss–Legendre rule of order k (exact for polynomials of degree 2k − 1): nodes are the roots of P_k found by
 * Newton's method from Chebyshev guesses, weights 2/((1 − x²)P_k'(x)²) (standard; Abramowitz & Stegun 25.4.29).
 */
export function gaussLegendre(k: number): GaussLegendreRule {
  if (!Number.isInteger(k) || k < 1 || k > 64) throw new Error(`gaussLegendre: order k must be an integer in 1…64, got ${k}`);
  const nodes = new Float64Array(k);
  const weights = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let x = -Math.cos((Math.PI * (i + 0.75)) / (k + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      // Three-term recurrence (n+1)P_{n+1} = (2n+1)xP_n − nP_{n−1}.
      let p0 = 1;
      let p1 = x;
      for (let n = 1; n < k; n++) {
        const p2 = ((2 * n + 1) * x * p1 - n * p0) / (n + 1);
        p0 = p1;
        p1 = p2;
      }
      const pk = k === 1 ? x : p1;
      const pkm1 = k === 1 ? 1 : p0;
      dp = (k * (x * pk - pkm1)) / (x * x - 1);
      const dx = pk / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    nodes[i] = x;
    weights[i] = 2 / ((1 - x * x) * dp * dp);
  }
  return { nodes, weights };
}
