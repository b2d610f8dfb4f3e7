/**
 * Every eigenpair of the probe loss's Hessian, for small models: H built column by column from n exact HVPs
 * (H e_i, double backprop under core's second-order registry, `makeHvp`), then a dense symmetric eigensolver
 * (`symmetricEigen`, cyclic Jacobi). The Hessian–noise fit over all directions with λ > 1e-4 needs them all, which
 * Lanczos on the top k does not give. Cost: n HVPs and O(n³) per Jacobi sweep, so n up to about a thousand.
 */
import { withSecondOrderGradients } from '@kramers/core';
import { makeHvp, symmetricEigen, type HvpSource } from '@kramers/hvp-estimator';

export interface HessianEigenpairs {
  /** All n eigenvalues, descending. */
  readonly eigenvalues: readonly number[];
  /** Unit eigenvectors matching `eigenvalues`, flat in the source's variable order. */
  readonly eigenvectors: readonly Float64Array[];
}

/** Largest n `fullHessianEigen` accepts unless told otherwise (n HVPs and an n × n float64 matrix, Jacobi O(n³)). */
export const FULL_HESSIAN_MAX_SIZE = 1000;

export function fullHessianEigen(source: HvpSource, options: { readonly maxSize?: number } = {}): HessianEigenpairs {
  const hvp = makeHvp(source);
  const n = hvp.size;
  const maxSize = options.maxSize ?? FULL_HESSIAN_MAX_SIZE;
  if (n > maxSize) {
    throw new RangeError(
      `fullHessianEigen: n = ${n} parameters exceeds maxSize ${maxSize} (n HVPs, an n × n matrix, O(n³) eigensolver); ` +
        `take the top eigenpairs from analyzeCurvature(probe, { topK, eigenvectors: true }) instead`,
    );
  }
  const h = new Float64Array(n * n);
  const e = new Float64Array(n);
  // one registry install for all n products (each would otherwise install and remove it)
  withSecondOrderGradients(() => {
    for (let i = 0; i < n; i++) {
      e[i] = 1;
      h.set(hvp.apply(e), i * n); // column i of the symmetric H, stored as row i
      e[i] = 0;
    }
  });
  // float32 products make H e_i and H e_j disagree in their shared entry by rounding: average the two
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const mean = 0.5 * (h[i * n + j]! + h[j * n + i]!);
      h[i * n + j] = mean;
      h[j * n + i] = mean;
    }
  }
  const { values, vectors } = symmetricEigen(h, n);
  const order = Array.from({ length: n }, (_, i) => n - 1 - i); // ascending → descending
  return { eigenvalues: order.map((i) => values[i]!), eigenvectors: order.map((i) => vectors[i]!) };
}
