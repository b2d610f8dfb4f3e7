import type { Valley } from '@kramers/datasets';
import type { Boundary } from './boundary.js';
import type { BoxRule } from './boundary-rule.js';
import type { BoxExit } from './exit-direction.js';
import { matchingExit } from './matching-exit.js';
import { checkRow, divergedError } from './row-check.js';

/** |θ_i − start_i| ≤ radius for all i (radius already divided by √k); the coordinate furthest out names the exit. */
export function boxBoundary(rule: BoxRule, start: Float64Array, radius: number, valley: Valley | undefined): Boundary {
  const dim = start.length;
  // The valley exit through each face, precomputed so an exit costs no search: [2i] for −e_i, [2i + 1] for +e_i.
  const faceExit = Array.from({ length: 2 * dim }, (_, f) => {
    const u = new Float64Array(dim);
    u[f >> 1] = f & 1 ? 1 : -1;
    return matchingExit(valley, u);
  });
  return {
    rule,
    dim,
    exitOf(positions, row, d): BoxExit | null {
      checkRow(positions, row, d, dim);
      const off = row * dim;
      let worst = -1;
      let worstAbs = radius;
      for (let i = 0; i < dim; i++) {
        const a = Math.abs(positions[off + i]! - start[i]!);
        if (!(a <= worstAbs)) {
          if (Number.isNaN(a) || a === Infinity) throw divergedError(row, i, positions[off + i]!);
          worst = i;
          worstAbs = a;
        }
      }
      if (worst < 0) return null;
      const sign = positions[off + worst]! > start[worst]! ? 1 : -1;
      return { kind: 'box', coordinate: worst, sign, exit: faceExit[2 * worst + (sign > 0 ? 1 : 0)]! };
    },
  };
}
