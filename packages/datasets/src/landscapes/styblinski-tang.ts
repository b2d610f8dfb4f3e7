import * as tf from '@tensorflow/tfjs';
import { bracketedNewton } from './bracketed-newton.js';
import { positive } from './checks.js';
import type { Profile1D } from './landscape.js';
import type { ElementwiseProfile, SeparableLandscape } from './separable-landscape.js';
import { separableLandscape } from './separable-landscape.js';

export interface StyblinskiTangOptions {
  readonly dim: number;
  /** Sharpness knob of Xie et al. (2021): L_k(θ) = L(√k·θ), so Hessians × k and critical points at x/√k. */
  readonly k?: number;
  /** Multiplies the whole loss: barriers × scale, Hessians × scale (ours; scale < 1 makes SGD escapes observable). */
  readonly scale?: number;
}

export type StyblinskiTangLandscape = SeparableLandscape & { readonly name: 'styblinski-tang' };

/** One per-coordinate critical point of the profile: position, profile value and second derivative. */
export interface ProfilePoint {
  readonly x: number;
  readonly value: number;
  readonly curvature: number;
}

/** The three critical points of one Styblinski–Tang coordinate, ascending. */
export interface StyblinskiTangPoints {
  readonly globalMinimum: ProfilePoint;
  readonly maximum: ProfilePoint;
  readonly localMinimum: ProfilePoint;
}

/**
 * The per-coordinate profile p(x) = scale·½(u⁴ − 16u² + 5u), u = √k·x (Styblinski & Tang 1990 with the ½ of
 * Xie et al. 2021 and its √k rescaling). Critical points are the three roots of 4u³ − 32u + 5, found by
 * safeguarded Newton in x between the inflection points u = ±√(8/3).
 */
export function styblinskiTangProfile(k = 1, scale = 1): ElementwiseProfile {
  positive('styblinskiTang', 'k', k);
  positive('styblinskiTang', 'scale', scale);
  const sk = Math.sqrt(k);
  const half = 0.5 * scale;
  // p(x) = scale·½(u⁴ − 16u² + 5u) (Xie et al. 2021, Appendix D).
  const value = (x: number) => {
    const u = sk * x;
    const u2 = u * u;
    return half * (u2 * u2 - 16 * u2 + 5 * u);
  };
  // p'(x) = scale·½·√k·(4u³ − 32u + 5) (derived).
  const derivative = (x: number) => {
    const u = sk * x;
    return half * sk * (u * (4 * u * u - 32) + 5);
  };
  // p''(x) = scale·k·(6u² − 16) (derived).
  const secondDerivative = (x: number) => {
    const u = sk * x;
    return scale * k * (6 * u * u - 16);
  };
  const inflection = Math.sqrt(8 / 3) / sk;
  const reach = 4 / sk; // 4u³ − 32u + 5 is negative at u = −4 and positive at u = 4
  const roots = [
    bracketedNewton(derivative, secondDerivative, -reach, -inflection),
    bracketedNewton(derivative, secondDerivative, -inflection, inflection),
    bracketedNewton(derivative, secondDerivative, inflection, reach),
  ];
  return {
    value,
    derivative,
    secondDerivative,
    minima: [roots[0]!, roots[2]!],
    maxima: [roots[1]!],
    derivativeTensor: (x) => {
      const u = tf.mul(x, sk);
      return tf.mul(tf.add(tf.mul(u, tf.sub(tf.mul(tf.mul(u, u), 4), 32)), 5), half * sk);
    },
    secondDerivativeTensor: (x) => {
      const u = tf.mul(x, sk);
      return tf.mul(tf.sub(tf.mul(tf.mul(u, u), 6), 16), scale * k);
    },
  };
}

/** The separable Styblinski–Tang landscape L_k(θ) = scale · Σ_i ½(u_i⁴ − 16u_i² + 5u_i), u = √k·θ. */
export function styblinskiTang(options: StyblinskiTangOptions): StyblinskiTangLandscape {
  const { dim, k = 1, scale = 1 } = options;
  return separableLandscape({
    name: 'styblinski-tang',
    dim,
    parameters: { dim, k, scale },
    profile: styblinskiTangProfile(k, scale),
  });
}

function pointsOf(profile: Profile1D): StyblinskiTangPoints {
  const at = (x: number): ProfilePoint => ({ x, value: profile.value(x), curvature: profile.secondDerivative(x) });
  return { globalMinimum: at(profile.minima[0]!), maximum: at(profile.maxima[0]!), localMinimum: at(profile.minima[1]!) };
}

/** The k = 1, scale = 1 per-coordinate critical points (computed, not typed in): x ≈ −2.903534, 0.156731, 2.746803. */
export const STYBLINSKI_TANG_POINTS: StyblinskiTangPoints = Object.freeze(pointsOf(styblinskiTangProfile()));

/** The critical points of one coordinate of a given landscape (its k and scale applied). */
export function styblinskiTangPoints(landscape: StyblinskiTangLandscape): StyblinskiTangPoints {
  return pointsOf(landscape.profile);
}

export type StyblinskiTangWell = 'global' | 'local';

/**
 * A minimum of the landscape: every coordinate in the named well, or one well per coordinate (array of length dim).
 */
export function styblinskiTangMinimum(
  landscape: StyblinskiTangLandscape,
  which: StyblinskiTangWell | readonly StyblinskiTangWell[],
): Float64Array {
  const [global, local] = landscape.profile.minima as [number, number];
  const pick = (w: StyblinskiTangWell, field: string) => {
    if (w === 'global') return global;
    if (w === 'local') return local;
    throw new Error(`styblinskiTangMinimum: ${field} = ${JSON.stringify(w)}; pass 'global' or 'local'`);
  };
  if (typeof which === 'string') return new Float64Array(landscape.dim).fill(pick(which, 'which'));
  if (which.length !== landscape.dim) {
    throw new Error(`styblinskiTangMinimum: which has ${which.length} entries; pass one per coordinate (${landscape.dim}) or a single 'global' | 'local'`);
  }
  return Float64Array.from(which, (w, i) => pick(w, `which[${i}]`));
}
