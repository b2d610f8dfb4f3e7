import type { Valley } from '@kramers/datasets';
import { ballBoundary } from './ball-boundary.js';
import { boxBoundary } from './box-boundary.js';
import type { BallRule, BoundaryRule, BoxRule, ColRule, MidwayRule } from './boundary-rule.js';
import { checkRule } from './boundary-rule.js';
import { crossingBoundary } from './crossing-boundary.js';
import type { ExitDirection } from './exit-direction.js';

/** A rule bound to one valley: a pure check of one replica's row. */
export interface Boundary {
  readonly rule: BoundaryRule;
  /** Parameters per replica (the row length). */
  readonly dim: number;
  /**
   * Where row `row` of `positions` (row-major, `dim` per row) left, or null while it is inside. Pure and
   * allocation-free while inside. A non-finite coordinate throws: a diverged replica has no direction.
   */
  exitOf(positions: Float32Array | Float64Array, row: number, dim: number): ExitDirection | null;
}

/** Box and ball are centred on the replicas' start; k shrinks their radius to r/√k. */
export interface StartContext {
  readonly start: ArrayLike<number>;
  /** The landscape's sharpness knob (e.g. `landscape.parameters.k`); 1 by default. */
  readonly k?: number;
  /** When given, box and ball exits also name the valley exit pointing the same way. */
  readonly valley?: Valley;
}

/** Col and midway thresholds come from the valley's exits. */
export interface ValleyContext {
  readonly valley: Valley;
  readonly start?: ArrayLike<number>;
  readonly k?: number;
}

/** Binds a rule to a start point or a valley; col and midway without a valley do not compile. */
export function boundary(rule: BoxRule | BallRule, context: StartContext): Boundary;
export function boundary(rule: ColRule | MidwayRule, context: ValleyContext): Boundary;
export function boundary(rule: BoundaryRule, context: StartContext & ValleyContext): Boundary;
export function boundary(rule: BoundaryRule, context: Partial<StartContext & ValleyContext>): Boundary {
  checkRule(rule);
  if (rule.kind === 'col' || rule.kind === 'midway') {
    if (context.valley === undefined) {
      throw new Error(`boundary '${rule.kind}': pass { valley } (from landscape.valley(start)); it sets the thresholds`);
    }
    return crossingBoundary(rule, context.valley);
  }
  if (context.start === undefined) {
    throw new Error(`boundary '${rule.kind}:${rule.radius}': pass { start } (the point the ${rule.kind} is centred on)`);
  }
  const k = context.k ?? 1;
  if (typeof k !== 'number' || !Number.isFinite(k) || k <= 0) {
    throw new Error(`boundary '${rule.kind}:${rule.radius}': k = ${String(k)}; pass the landscape's k (> 0), or omit it for 1`);
  }
  const start = Float64Array.from(context.start);
  if (start.length === 0 || !start.every(Number.isFinite)) {
    throw new Error(`boundary '${rule.kind}:${rule.radius}': start must be a non-empty list of finite numbers`);
  }
  if (context.valley !== undefined && context.valley.minimum.point.length !== start.length) {
    throw new Error(
      `boundary '${rule.kind}:${rule.radius}': start has ${start.length} entries but the valley has dim ${context.valley.minimum.point.length}`,
    );
  }
  // Under L_k(θ) = L(√k·θ) the same region in the unscaled coordinates has radius r/√k here (Xie et al. 2021, App. D.1).
  const radius = rule.radius / Math.sqrt(k);
  return rule.kind === 'box'
    ? boxBoundary(rule, start, radius, context.valley)
    : ballBoundary(rule, start, radius, context.valley);
}
