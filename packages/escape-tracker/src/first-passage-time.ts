import { gaussLegendre } from './gauss-legendre.js';
import { requireFinite, requirePositive } from './validate.js';

export interface FirstPassageInput {
  /** U(x); the drift is −U'(x). Must be finite (or +Infinity) on the domain. */
  readonly potential: (x: number) => number;
  /** D in dx = −U'(x)dt + √(2D)dW. */
  readonly diffusion: number;
  readonly start: number;
  /** The absorbing point. */
  readonly target: number;
  /**
   * A reflecting wall on the far side of `start` from `target`. Default: none (reflection at infinity); the
   * domain is then cut where U has risen 40·D above its minimum and is still rising.
   */
  readonly reflectAt?: number;
  /** Relative accuracy to reach by panel doubling. Default 1e-9. */
  readonly tolerance?: number;
}

export interface FirstPassageTime {
  /** Mean first-passage time, continuous time; Infinity when it overflows (see logTau). */
  readonly tau: number;
  readonly logTau: number;
  /** |τ_N − τ_{N/2}|/τ_N for the last doubling: a conservative bound on the relative error of τ. */
  readonly relativeError: number;
  readonly converged: boolean;
  /** The reflecting boundary used (reflectAt, or the automatic cut). */
  readonly reflectAt: number;
  /** Quadrature panels over [reflectAt, target] in the final pass. */
  readonly panels: number;
}

const ORDER = 8;
const CUT_EXPONENT = 40;
const MIN_PANELS = 256;
const MAX_PANELS = 1 << 16;

/**
 * Exact mean first-passage time of the 1-D overdamped diffusion from `start` to the absorbing `target`,
 * reflecting on the far side (standard; Gardiner, Handbook of Stochastic Methods, §5.2.7):
 * τ = (1/D)∫_{start}^{target} e^{U(y)/D} ∫_{wall}^{y} e^{−U(z)/D} dz dy for target > start (mirrored otherwise).
 * Composite 8-point Gauss–Legendre panels, doubled until two passes agree to `tolerance`; exponents are shifted
 * by min U and summed in log space, so barriers of hundreds of D neither overflow nor lose precision.
 */
export function firstPassageTime(input: FirstPassageInput): FirstPassageTime {
  const where = 'firstPassageTime';
  if (input === null || typeof input !== 'object') throw new Error(`${where}: pass { potential, diffusion, start, target }`);
  if (typeof input.potential !== 'function') throw new Error(`${where}: potential must be a function x => U(x)`);
  requirePositive(where, 'diffusion', input.diffusion, 'D of dx = −U\'dt + √(2D)dW');
  requireFinite(where, 'start', input.start);
  requireFinite(where, 'target', input.target);
  const tolerance = input.tolerance ?? 1e-9;
  requirePositive(where, 'tolerance', tolerance, 'relative accuracy, e.g. 1e-9');
  if (input.reflectAt !== undefined) requireFinite(where, 'reflectAt', input.reflectAt);
  // Mirror x → −x so that the target always lies to the right of the start.
  const sign = input.target >= input.start ? 1 : -1;
  const u = sign === 1 ? input.potential : (x: number) => input.potential(-x);
  const x0 = sign * input.start;
  const b = sign * input.target;
  const d = input.diffusion;
  let wall: number;
  if (input.reflectAt !== undefined) {
    wall = sign * input.reflectAt;
    if (wall > x0) {
      throw new Error(
        `${where}: reflectAt = ${input.reflectAt} must lie on the far side of start = ${input.start} from target = ${input.target}`,
      );
    }
  } else {
    wall = findCut(u, d, x0, b);
  }
  const reflectAt = sign * wall;
  if (x0 === b) return { tau: 0, logTau: -Infinity, relativeError: 0, converged: true, reflectAt, panels: 0 };

  const rule = gaussLegendre(ORDER);
  let previous = passLogTau(u, d, wall, x0, b, MIN_PANELS / 2, rule);
  let panels = MIN_PANELS;
  for (;;) {
    const current = passLogTau(u, d, wall, x0, b, panels, rule);
    const relativeError = Math.abs(Math.expm1(previous - current));
    if (relativeError <= tolerance || panels >= MAX_PANELS) {
      return { tau: Math.exp(current), logTau: current, relativeError, converged: relativeError <= tolerance, reflectAt, panels };
    }
    previous = current;
    panels *= 2;
  }
}

function evaluate(u: (x: number) => number, x: number): number {
  const v = u(x);
  if (Number.isNaN(v) || v === -Infinity) throw new Error(`firstPassageTime: potential(${x}) returned ${v}; it must be finite or +Infinity`);
  return v;
}

/** Walks away from the target until U is 40·D above the lowest value seen and still rising. */
function findCut(u: (x: number) => number, d: number, x0: number, b: number): number {
  const scale = Math.max(b - x0, 1e-3 * Math.max(1, Math.abs(x0)));
  let lowest = Infinity;
  for (let i = 0; i <= 64; i++) lowest = Math.min(lowest, evaluate(u, x0 + ((b - x0) * i) / 64));
  let step = scale / 64;
  let x = x0;
  let previous = evaluate(u, x0);
  const limit = 1e6 * Math.max(1, scale, Math.abs(x0));
  while (x0 - x < limit) {
    x -= step;
    step *= 1.05;
    const v = evaluate(u, x);
    lowest = Math.min(lowest, v);
    if (v - lowest >= CUT_EXPONENT * d && v >= previous) return x;
    previous = v;
  }
  throw new Error(
    `firstPassageTime: the potential does not rise by ${CUT_EXPONENT}·D on the far side of start within ${limit}; ` +
      'pass reflectAt (a reflecting wall), e.g. 0 for free diffusion on a half-line',
  );
}

/** log τ with panels of width ≈ (b − wall)/n over [wall, start] and [start, b]. */
function passLogTau(
  u: (x: number) => number,
  d: number,
  wall: number,
  x0: number,
  b: number,
  n: number,
  rule: { nodes: Float64Array; weights: Float64Array },
): number {
  const k = rule.nodes.length;
  const width = (b - wall) / n;
  const nFar = x0 > wall ? Math.max(1, Math.ceil((x0 - wall) / width)) : 0;
  const nOut = Math.max(1, Math.ceil((b - x0) / width));
  const hFar = nFar > 0 ? (x0 - wall) / nFar : 0;
  const hOut = (b - x0) / nOut;
  // Shift every exponent by the lowest U on the nodes, so e^{−(U−m)/D} ≤ ~1 and nothing overflows.
  const farU = new Float64Array(nFar * k);
  const outU = new Float64Array(nOut * k);
  let m = Infinity;
  for (let p = 0; p < nFar; p++) {
    for (let i = 0; i < k; i++) {
      const v = evaluate(u, wall + hFar * (p + (rule.nodes[i]! + 1) / 2));
      farU[p * k + i] = v;
      if (v < m) m = v;
    }
  }
  for (let p = 0; p < nOut; p++) {
    for (let i = 0; i < k; i++) {
      const v = evaluate(u, x0 + hOut * (p + (rule.nodes[i]! + 1) / 2));
      outU[p * k + i] = v;
      if (v < m) m = v;
    }
  }
  if (!Number.isFinite(m)) throw new Error('firstPassageTime: the potential is +Infinity everywhere between the wall and the target');
  // Inner integral from the wall to the start.
  let inner = 0;
  for (let j = 0; j < nFar * k; j++) inner += (hFar / 2) * rule.weights[j % k]! * Math.exp(-(farU[j]! - m) / d);
  // Outer integral in log space; the inner integral accumulates panel by panel, with a partial rule inside each.
  const logTerms = new Float64Array(nOut * k);
  let maxLog = -Infinity;
  for (let p = 0; p < nOut; p++) {
    const a = x0 + hOut * p;
    for (let i = 0; i < k; i++) {
      const y = a + (hOut * (rule.nodes[i]! + 1)) / 2;
      const half = (y - a) / 2;
      let partial = 0;
      for (let j = 0; j < k; j++) {
        const z = a + half * (rule.nodes[j]! + 1);
        partial += half * rule.weights[j]! * Math.exp(-(evaluate(u, z) - m) / d);
      }
      const value = inner + partial;
      const lt = (outU[p * k + i]! - m) / d + Math.log(value) + Math.log((hOut / 2) * rule.weights[i]!);
      logTerms[p * k + i] = lt;
      if (lt > maxLog) maxLog = lt;
    }
    for (let i = 0; i < k; i++) inner += (hOut / 2) * rule.weights[i]! * Math.exp(-(outU[p * k + i]! - m) / d);
  }
  let sum = 0;
  for (let j = 0; j < logTerms.length; j++) sum += Math.exp(logTerms[j]! - maxLog);
  // τ = (1/D) Σ w e^{(U(y)−m)/D} I(y), the e^{±m/D} factors cancelling.
  return maxLog + Math.log(sum) - Math.log(d);
}
