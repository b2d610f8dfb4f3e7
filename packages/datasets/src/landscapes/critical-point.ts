import type { CriticalPoint } from './landscape.js';

/** A critical point of a landscape whose Hessian there is diagonal; its kind follows the signs of the diagonal. */
export function diagonalCriticalPoint(point: Float64Array, value: number, hessianDiagonal: ArrayLike<number>): CriticalPoint {
  const hessianEigenvalues = Float64Array.from(hessianDiagonal).sort();
  const negative = hessianEigenvalues.filter((h) => h < 0).length;
  const kind = negative === 0 ? 'minimum' : negative === hessianEigenvalues.length ? 'maximum' : 'saddle';
  return { kind, point, value, hessianEigenvalues };
}
