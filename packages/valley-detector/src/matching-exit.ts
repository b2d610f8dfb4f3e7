import type { Valley } from '@kramers/datasets';

/** The valley exit whose direction has the largest positive projection on u, or null when none points that way. */
export function matchingExit(valley: Valley | undefined, u: ArrayLike<number>): number | null {
  if (valley === undefined) return null;
  let best: number | null = null;
  let bestDot = 0;
  valley.exits.forEach((e, index) => {
    let dot = 0;
    for (let i = 0; i < u.length; i++) dot += e.direction[i]! * u[i]!;
    if (dot > bestDot + 1e-12) {
      best = index;
      bestDot = dot;
    }
  });
  return best;
}
