import * as tf from '@tensorflow/tfjs';
import { bracketedNewton } from './bracketed-newton.js';
import { finite, positive } from './checks.js';
import type { ElementwiseProfile, SeparableLandscape } from './separable-landscape.js';
import { separableLandscape } from './separable-landscape.js';

export interface DoubleWellOptions {
  /** Height of the col above both minima when tilt = 0. */
  readonly barrier?: number;
  /** Distance of each minimum from the col when tilt = 0. */
  readonly width?: number;
  /** Slope added to the loss; > 0 raises the right well, < 0 the left one. */
  readonly tilt?: number;
}

export type DoubleWellLandscape = SeparableLandscape & { readonly name: 'double-well' };

/**
 * The largest |tilt| at which both wells survive: L'(x) = (4b/w)·u(u² − 1) + tilt, u = x/w, has three roots only
 * while |tilt| < (4b/w)·max_{|u|<1/√3} |u(u² − 1)| = 8b/(3√3·w) (derived).
 */
export function doubleWellTiltLimit(barrier: number, width: number): number {
  return (8 * barrier) / (3 * Math.sqrt(3) * width);
}

/** The 1-D double well L(x) = barrier·((x/width)² − 1)² + tilt·x: minima near ±width, col near 0. */
export function doubleWell(options: DoubleWellOptions = {}): DoubleWellLandscape {
  const b = positive('doubleWell', 'barrier', options.barrier ?? 1);
  const w = positive('doubleWell', 'width', options.width ?? 1);
  const tilt = finite('doubleWell', 'tilt', options.tilt ?? 0);
  const limit = doubleWellTiltLimit(b, w);
  if (Math.abs(tilt) >= limit) {
    throw new Error(
      `doubleWell: tilt = ${tilt} removes the ${tilt > 0 ? 'right' : 'left'} well (|tilt| must be below ` +
        `8·barrier/(3√3·width) = ${limit.toPrecision(6)} for barrier ${b}, width ${w}); reduce |tilt| or raise barrier`,
    );
  }
  // L(x) = b(u² − 1)² + tilt·x, u = x/w (the quartic double well).
  const value = (x: number) => {
    const u = x / w;
    const s = u * u - 1;
    return b * s * s + tilt * x;
  };
  // L'(x) = (4b/w)·u(u² − 1) + tilt (derived).
  const derivative = (x: number) => {
    const u = x / w;
    return ((4 * b) / w) * u * (u * u - 1) + tilt;
  };
  // L''(x) = (4b/w²)(3u² − 1) (derived).
  const secondDerivative = (x: number) => {
    const u = x / w;
    return ((4 * b) / (w * w)) * (3 * u * u - 1);
  };
  // L' changes sign on each of these brackets while |tilt| is below the limit: the inflection points ±w/√3 split
  // the roots, and |L'(±2w)| = 24b/w exceeds any admissible tilt (derived).
  const inflection = w / Math.sqrt(3);
  const roots = [
    bracketedNewton(derivative, secondDerivative, -2 * w, -inflection),
    bracketedNewton(derivative, secondDerivative, -inflection, inflection),
    bracketedNewton(derivative, secondDerivative, inflection, 2 * w),
  ];
  const profile: ElementwiseProfile = {
    value,
    derivative,
    secondDerivative,
    minima: [roots[0]!, roots[2]!],
    maxima: [roots[1]!],
    derivativeTensor: (x) => {
      const u = tf.mul(x, 1 / w);
      return tf.add(tf.mul(tf.mul(u, tf.sub(tf.mul(u, u), 1)), (4 * b) / w), tilt);
    },
    secondDerivativeTensor: (x) => {
      const u = tf.mul(x, 1 / w);
      return tf.mul(tf.sub(tf.mul(tf.mul(u, u), 3), 1), (4 * b) / (w * w));
    },
  };
  return separableLandscape({ name: 'double-well', dim: 1, parameters: { barrier: b, width: w, tilt }, profile });
}
