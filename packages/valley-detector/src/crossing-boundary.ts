import type { Exit, Valley } from '@kramers/datasets';
import type { Boundary } from './boundary.js';
import type { ColRule, MidwayRule } from './boundary-rule.js';
import type { ValleyExit } from './exit-direction.js';
import { checkRow, divergedError } from './row-check.js';

/**
 * Out once (θ − θ_a)·e passes a threshold t_e along some exit direction e: the col's own projection (col), or
 * the projection of the point midway between the col and the next minimum (midway). Axis-aligned exits (every
 * separable landscape's) are checked on one coordinate; others by a dot product.
 */
export function crossingBoundary(rule: ColRule | MidwayRule, valley: Valley): Boundary {
  const a = valley.minimum.point;
  const dim = a.length;
  const count = valley.exits.length;
  if (count === 0) {
    throw new Error(`boundary '${rule.kind}': the valley has no exits (a quadratic valley has no col); use 'box:<radius>' or 'ball:<radius>'`);
  }
  const threshold = new Float64Array(count);
  const axis = new Int32Array(count).fill(-1);
  const axisSign = new Float64Array(count);
  const directions = new Float64Array(count * dim);
  const largest: Array<{ coordinate: number; sign: 1 | -1 }> = [];
  valley.exits.forEach((exit, x) => {
    const target = thresholdPoint(rule, exit, x);
    const e = exit.direction;
    let t = 0;
    let nonzero = 0;
    let coordinate = 0;
    for (let i = 0; i < dim; i++) {
      t += (target[i]! - a[i]!) * e[i]!;
      directions[x * dim + i] = e[i]!;
      if (e[i] !== 0) nonzero++;
      if (Math.abs(e[i]!) > Math.abs(e[coordinate]!)) coordinate = i;
    }
    if (!(t > 0)) throw new Error(`boundary '${rule.kind}': valley exit ${x} has its threshold at ${t} along its direction; it must lie ahead of the minimum`);
    threshold[x] = t;
    largest.push({ coordinate, sign: e[coordinate]! > 0 ? 1 : -1 });
    if (nonzero === 1) {
      axis[x] = coordinate;
      axisSign[x] = e[coordinate]!;
    }
  });

  return {
    rule,
    dim,
    exitOf(positions, row, d): ValleyExit | null {
      checkRow(positions, row, d, dim);
      const off = row * dim;
      let best = -1;
      let bestExcess = 0;
      for (let x = 0; x < count; x++) {
        let p: number;
        const c = axis[x]!;
        if (c >= 0) {
          p = (positions[off + c]! - a[c]!) * axisSign[x]!;
        } else {
          p = 0;
          for (let i = 0; i < dim; i++) p += (positions[off + i]! - a[i]!) * directions[x * dim + i]!;
        }
        if (!(p <= threshold[x]!)) {
          if (!Number.isFinite(p)) throw divergedFrom(positions, row, off, dim);
          // Several crossed in one step: the one passed by the largest fraction of its own distance.
          const excess = (p - threshold[x]!) / threshold[x]!;
          if (best < 0 || excess > bestExcess) {
            best = x;
            bestExcess = excess;
          }
        }
      }
      if (best < 0) return null;
      return { kind: rule.kind, exit: best, coordinate: largest[best]!.coordinate, sign: largest[best]!.sign };
    },
  };
}

function thresholdPoint(rule: ColRule | MidwayRule, exit: Exit, index: number): Float64Array {
  const b = exit.col.point;
  if (rule.kind === 'col') return b;
  if (exit.next === null) {
    throw new Error(`boundary 'midway': valley exit ${index} has no next minimum beyond its col; use 'col' for this valley`);
  }
  const n = exit.next.point;
  return Float64Array.from(b, (bi, i) => 0.5 * (bi + n[i]!)); // midway between the col and the next minimum
}

function divergedFrom(positions: Float32Array | Float64Array, row: number, off: number, dim: number): Error {
  for (let i = 0; i < dim; i++) if (!Number.isFinite(positions[off + i]!)) return divergedError(row, i, positions[off + i]!);
  return divergedError(row, 0, positions[off]!);
}
