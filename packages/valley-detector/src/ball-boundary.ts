import type { Valley } from '@kramers/datasets';
import type { Boundary } from './boundary.js';
import type { BallRule } from './boundary-rule.js';
import type { BallExit } from './exit-direction.js';
import { matchingExit } from './matching-exit.js';
import { checkRow, divergedError } from './row-check.js';

/** ‖θ − start‖₂ ≤ radius (already divided by √k); the exit is the unit displacement and its largest component. */
export function ballBoundary(rule: BallRule, start: Float64Array, radius: number, valley: Valley | undefined): Boundary {
  const dim = start.length;
  const r2 = radius * radius;
  return {
    rule,
    dim,
    exitOf(positions, row, d): BallExit | null {
      checkRow(positions, row, d, dim);
      const off = row * dim;
      let s = 0;
      for (let i = 0; i < dim; i++) {
        const x = positions[off + i]! - start[i]!;
        s += x * x;
      }
      if (s <= r2) return null;
      const norm = Math.sqrt(s);
      const unit = new Float64Array(dim);
      let coordinate = 0;
      for (let i = 0; i < dim; i++) {
        const x = positions[off + i]! - start[i]!;
        if (!Number.isFinite(x)) throw divergedError(row, i, positions[off + i]!);
        unit[i] = x / norm;
        if (Math.abs(unit[i]!) > Math.abs(unit[coordinate]!)) coordinate = i;
      }
      return { kind: 'ball', coordinate, sign: unit[coordinate]! > 0 ? 1 : -1, unit, exit: matchingExit(valley, unit) };
    },
  };
}
