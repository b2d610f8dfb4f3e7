/**
 * The barrier along one direction from a line scan: L(θ + t·u) on a grid of t on both sides of θ, the first interior
 * local maximum of each side is its col, refined by parabolas; the lower col is where escape goes. A pure function of
 * a 1-D loss, so it is testable on closed forms; the `escape` plugin feeds it the probe loss along u₁.
 */

export interface LineScanOptions {
  /** How far to scan on each side (same units as t). */
  readonly tMax: number;
  /** Grid points per side, t = k·tMax/points for k = 1…points (default 12). */
  readonly points?: number;
  /** Stop a side once the loss has risen this much above L(0) without turning over (default: never). */
  readonly riseCap?: number;
  /** Step d of the curvature stencil (d and 2d) at the col, as a fraction of the grid spacing (default 1/4). */
  readonly curvatureStep?: number;
}

/** One side of the scan: a col, or none within the scan. */
export type ScanSide =
  | {
      readonly kind: 'col';
      /** +1 along u, −1 against it. */
      readonly sign: 1 | -1;
      /** Distance from θ to the col along the scan (> 0). */
      readonly distance: number;
      /** ΔL = L(col) − L(θ). */
      readonly barrier: number;
      /** H_be: the scan's second derivative at the col (≤ 0 at a maximum). */
      readonly colCurvature: number;
    }
  | {
      readonly kind: 'no-col';
      readonly sign: 1 | -1;
      /** How far the scan went on this side. */
      readonly distance: number;
      /** The largest L(t) − L(θ) seen: the barrier on this side is at least this. */
      readonly riseSeen: number;
    };

export interface LineScan {
  /** L(0), the loss at θ. */
  readonly base: number;
  readonly plus: ScanSide;
  readonly minus: ScanSide;
  /** The escape side: the lower col; without a col, the side that rose least (its riseSeen bounds ΔL from below). */
  readonly escape: ScanSide;
  /** dL/dt at 0 from the first grid points on both sides (central difference). */
  readonly slope: number;
  /** Calls of lossAt. */
  readonly evaluations: number;
}

export const LINE_SCAN_DEFAULTS = { points: 12, curvatureStep: 0.25 } as const;

/**
 * Scans `lossAt(t)` for t in (0, tMax] and [−tMax, 0). Cost: 1 + up to 2·points evaluations, plus 5 per col found
 * (≤ 35 with the defaults).
 */
export function lineScanBarrier(lossAt: (t: number) => number, options: LineScanOptions): LineScan {
  const where = 'lineScanBarrier';
  if (typeof lossAt !== 'function') throw new Error(`${where}: lossAt must be a function (t: number) => loss`);
  if (options === null || typeof options !== 'object') throw new Error(`${where}: pass options { tMax, points?, riseCap?, curvatureStep? }`);
  const { tMax } = options;
  const points = options.points ?? LINE_SCAN_DEFAULTS.points;
  const curvatureStep = options.curvatureStep ?? LINE_SCAN_DEFAULTS.curvatureStep;
  if (!(typeof tMax === 'number' && Number.isFinite(tMax) && tMax > 0)) throw new Error(`${where}: tMax must be a finite number > 0 (how far to scan), got ${String(tMax)}`);
  if (!(Number.isInteger(points) && points >= 3)) throw new Error(`${where}: points must be an integer ≥ 3 (grid points per side), got ${String(points)}`);
  if (options.riseCap !== undefined && !(options.riseCap > 0)) throw new Error(`${where}: riseCap must be > 0 (the rise at which a side stops), got ${String(options.riseCap)}`);
  if (!(curvatureStep > 0 && curvatureStep <= 0.5)) throw new Error(`${where}: curvatureStep must lie in (0, 0.5] (fraction of the grid spacing), got ${String(curvatureStep)}`);

  let evaluations = 0;
  const at = (t: number): number => {
    evaluations++;
    const v = lossAt(t);
    if (!Number.isFinite(v)) throw new Error(`${where}: lossAt(${t}) returned ${v}; the scan needs finite losses (lower tMax)`);
    return v;
  };
  const base = at(0);
  const spacing = tMax / points;
  const firstValues: number[] = [];
  const side = (sign: 1 | -1): ScanSide => {
    const values = [base];
    let riseSeen = 0;
    for (let k = 1; k <= points; k++) {
      values.push(at(sign * k * spacing));
      if (k === 1) firstValues.push(values[1]!);
      riseSeen = Math.max(riseSeen, values[k]! - base);
      // The first interior local maximum of the grid brackets the col: L rose into k − 1 and falls after it.
      if (k >= 2 && values[k - 1]! > values[k - 2]! && values[k - 1]! >= values[k]!) return refineCol(sign, k - 1, values);
      if (options.riseCap !== undefined && riseSeen > options.riseCap) return { kind: 'no-col', sign, distance: k * spacing, riseSeen };
    }
    return { kind: 'no-col', sign, distance: tMax, riseSeen };
  };
  const refineCol = (sign: 1 | -1, k: number, values: readonly number[]): ScanSide => {
    // Parabola through the three grid points around the maximum: its vertex (derived, three-point interpolation).
    const [l0, l1, l2] = [values[k - 1]!, values[k]!, values[k + 1]!];
    const denom = l0 - 2 * l1 + l2;
    const offset = denom < 0 ? Math.max(-1, Math.min(1, (l0 - l2) / (2 * denom))) : 0;
    const vertex = (k + offset) * spacing;
    // A central-difference stencil at the vertex gives the curvature and a second parabola step (derived).
    const d = curvatureStep * spacing;
    const [m, c, p] = [at(sign * (vertex - d)), at(sign * vertex), at(sign * (vertex + d))];
    const [m2, p2] = [at(sign * (vertex - 2 * d)), at(sign * (vertex + 2 * d))];
    const second = m - 2 * c + p;
    const shift = second < 0 ? Math.max(-1, Math.min(1, (m - p) / (2 * second))) : 0;
    // The parabola's maximum value: c − (p − m)²/(8·second) at the shifted vertex (derived).
    const top = second < 0 ? c - (p - m) ** 2 / (8 * second) : Math.max(m, c, p);
    // Richardson extrapolation of the steps d and 2d cancels the d²·L''''/12 error of the central difference (derived).
    const curvature = (4 * (second / (d * d)) - (m2 - 2 * c + p2) / (4 * d * d)) / 3;
    return {
      kind: 'col',
      sign,
      distance: vertex + shift * d,
      barrier: top - base,
      colCurvature: Math.min(0, curvature),
    };
  };
  const plus = side(1);
  const minus = side(-1);
  const rank = (s: ScanSide) => (s.kind === 'col' ? s.barrier : Number.POSITIVE_INFINITY);
  const escape =
    plus.kind === 'col' || minus.kind === 'col'
      ? rank(plus) <= rank(minus)
        ? plus
        : minus
      : (plus as { riseSeen: number }).riseSeen <= (minus as { riseSeen: number }).riseSeen
        ? plus
        : minus;
  // Central difference over the first grid points (derived).
  const slope = (firstValues[0]! - firstValues[1]!) / (2 * spacing);
  return { base, plus, minus, escape, slope, evaluations };
}
