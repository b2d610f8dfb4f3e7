/**
 * How the stochastic gradient is simulated on an analytic landscape, where there is no data: ĝ = ∇L(θ) + ξ with
 * Gaussian ξ. Every output names the model used.
 * - `frozen`: ξ ~ N(0, H(θ_a)/B), the Hessian frozen at the valley's minimum a — the quasi-equilibrium noise the
 *   theory assumes near a (C ≈ H/B near minima; Xie et al. 2021, §2).
 * - `state`: ξ ~ N(0, [H(θ)]₊/B) everywhere, the paper's near-critical-point form taken globally. Its diffusion
 *   vanishes where the curvature crosses zero between the minimum and the col, which blocks escape: a finding
 *   about the approximation, kept as an option on purpose.
 * - `none`: exact gradients (SGLD's default: gradient descent plus injected white noise).
 */
export type GradientNoise =
  | { readonly kind: 'frozen'; readonly batchSize: number; readonly at: ArrayLike<number> }
  | { readonly kind: 'state'; readonly batchSize: number }
  | { readonly kind: 'none' };

export type GradientNoiseKind = GradientNoise['kind'];

export const GRADIENT_NOISE_KINDS: readonly GradientNoiseKind[] = ['frozen', 'state', 'none'];

export function describeGradientNoise(noise: GradientNoise): string {
  switch (noise.kind) {
    case 'frozen':
      return `frozen: N(0, H(θ_a)/B), B = ${noise.batchSize}`;
    case 'state':
      return `state-dependent: N(0, [H(θ)]₊/B), B = ${noise.batchSize}`;
    case 'none':
      return 'none: exact gradients';
  }
}

/**
 * A square-root factor F of H(θ_a)/B (F·Fᵀ = H/B), so ξ = F·z with z ~ N(0, I): the diagonal's square roots when
 * H is diagonal (separable landscapes: then the noise stays elementwise), else the Cholesky factor.
 */
export type NoiseFactor = { readonly diagonal: Float32Array } | { readonly lower: Float64Array };

export function frozenNoiseFactor(hessian: Float64Array, dim: number, batchSize: number): NoiseFactor {
  let diagonal = true;
  for (let i = 0; i < dim && diagonal; i++) {
    for (let j = 0; j < dim; j++) if (i !== j && hessian[i * dim + j] !== 0) diagonal = false;
  }
  if (diagonal) {
    const d = new Float32Array(dim);
    for (let i = 0; i < dim; i++) d[i] = Math.sqrt(Math.max(0, hessian[i * dim + i]!) / batchSize);
    return { diagonal: d };
  }
  return { lower: cholesky(hessian, dim, 1 / batchSize) };
}

function cholesky(a: Float64Array, n: number, scale: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]! * scale;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) {
          throw new RangeError(
            'frozen gradient noise: the Hessian at noise.at is not positive definite; start at a minimum of the landscape (its valley().minimum.point)',
          );
        }
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  return l;
}

export function checkGradientNoise(where: string, noise: GradientNoise, dim: number, separable: boolean): void {
  if (noise == null || !GRADIENT_NOISE_KINDS.includes(noise.kind)) {
    throw new RangeError(`${where}: noise.kind = ${String(noise?.kind)}; use one of ${GRADIENT_NOISE_KINDS.join(', ')}`);
  }
  if (noise.kind === 'none') return;
  if (!(Number.isFinite(noise.batchSize) && noise.batchSize > 0)) {
    throw new RangeError(`${where}: noise.batchSize = ${String(noise.batchSize)}; use a number > 0 (the B of C = H/B), e.g. 1`);
  }
  if (noise.kind === 'frozen' && noise.at?.length !== dim) {
    throw new RangeError(`${where}: noise.at has ${String(noise.at?.length)} coordinates; pass the valley's minimum (${dim} coordinates)`);
  }
  if (noise.kind === 'state' && !separable) {
    throw new RangeError(`${where}: noise.kind = 'state' needs a landscape with a diagonal Hessian (hessianDiagonalTensor); use 'frozen'`);
  }
}
