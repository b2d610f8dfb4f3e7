/**
 * When a replica has left its valley. Radii are the paper's, before the √k rescaling: under L_k(θ) = L(√k·θ)
 * coordinates shrink by √k, so a box or ball of radius r becomes r/√k around θ_start (Xie et al. 2021, App. D.1).
 */
export type BoundaryRule = BoxRule | BallRule | ColRule | MidwayRule;

/** |θ_i − θ_start,i| ≤ radius/√k for every i; the paper's rule with radius 0.05. */
export interface BoxRule {
  readonly kind: 'box';
  readonly radius: number;
}

/** ‖θ − θ_start‖₂ ≤ radius/√k. */
export interface BallRule {
  readonly kind: 'ball';
  readonly radius: number;
}

/** Out once the projection on an exit direction passes that exit's col. Half of these crossings return. */
export interface ColRule {
  readonly kind: 'col';
}

/** Out once the projection on an exit direction passes the point midway between the col and the next minimum. */
export interface MidwayRule {
  readonly kind: 'midway';
}

/** The rule escape experiments use unless told otherwise: the one the Kramers/Xie escape times describe. */
export const DEFAULT_BOUNDARY: MidwayRule = Object.freeze({ kind: 'midway' });

const USAGE = "use box:<radius>, ball:<radius>, col or midway (e.g. 'box:0.05')";
const DECIMAL = /^\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Reads 'box:0.05', 'ball:0.3', 'col' or 'midway'; anything else throws an Error that shows the accepted forms. */
export function parseBoundary(text: string): BoundaryRule {
  const s = String(text).trim();
  const colon = s.indexOf(':');
  const kind = colon < 0 ? s : s.slice(0, colon);
  const arg = colon < 0 ? undefined : s.slice(colon + 1).trim();
  if (kind === 'col' || kind === 'midway') {
    if (arg !== undefined) throw new Error(`boundary '${s}': '${kind}' takes no radius; write '${kind}'`);
    return { kind };
  }
  if (kind === 'box' || kind === 'ball') {
    if (arg === undefined || arg === '') {
      throw new Error(`boundary '${s}': '${kind}' needs a radius, e.g. '${kind}:0.05' (before the 1/√k rescaling)`);
    }
    const radius = DECIMAL.test(arg) ? Number(arg) : Number.NaN;
    if (!(radius > 0) || !Number.isFinite(radius)) {
      throw new Error(`boundary '${s}': the radius must be a decimal number > 0, e.g. '${kind}:0.05'`);
    }
    return { kind, radius };
  }
  throw new Error(`boundary '${s}': unknown rule '${kind}'; ${USAGE}`);
}

/** The rule in the form parseBoundary reads back: 'box:0.05', 'ball:0.3', 'col', 'midway'. */
export function formatBoundary(rule: BoundaryRule): string {
  return rule.kind === 'box' || rule.kind === 'ball' ? `${rule.kind}:${rule.radius}` : rule.kind;
}

/** One line for reports: the rule's token and what crossing it means. */
export function describeBoundary(rule: BoundaryRule): string {
  switch (rule.kind) {
    case 'box':
      return `box:${rule.radius} (out when any |θ_i − θ_start,i| > ${rule.radius}/√k; barrier is the box's, not the col's)`;
    case 'ball':
      return `ball:${rule.radius} (out when ‖θ − θ_start‖₂ > ${rule.radius}/√k; barrier is the ball's, not the col's)`;
    case 'col':
      return 'col (out when the projection on an exit direction passes its col; half of these crossings return, so rates are ≈ 2× the escape rate)';
    case 'midway':
      return 'midway (out when the projection on an exit direction passes midway from the col to the next minimum; the escape the Kramers/Xie formulas predict)';
  }
}

/** Refuses a hand-built rule with a bad kind or radius, naming the field. */
export function checkRule(rule: BoundaryRule): BoundaryRule {
  if (rule === null || typeof rule !== 'object') throw new Error(`boundary: rule = ${String(rule)}; ${USAGE}`);
  if (rule.kind === 'box' || rule.kind === 'ball') {
    if (typeof rule.radius !== 'number' || !Number.isFinite(rule.radius) || rule.radius <= 0) {
      throw new Error(`boundary: ${rule.kind} radius = ${String(rule.radius)}; pass a finite number > 0 (e.g. 0.05)`);
    }
    return rule;
  }
  if (rule.kind === 'col' || rule.kind === 'midway') return rule;
  throw new Error(`boundary: kind = ${JSON.stringify((rule as { kind: unknown }).kind)}; ${USAGE}`);
}
