import { doubleWell, quadraticValley, styblinskiTang, styblinskiTangMinimum, type Landscape } from '@kramers/datasets';
import type { LandscapeSpec, StartSpec } from './escape-job.js';

/** The job's landscape and its start point: a named Styblinski–Tang minimum, or coordinates the valley polishes. */
export function buildLandscape(spec: LandscapeSpec, start: StartSpec): { landscape: Landscape; start: Float64Array } {
  if (spec.name === 'styblinski-tang') {
    const landscape = styblinskiTang({ dim: spec.dim, k: spec.k, scale: spec.scale });
    return { landscape, start: typeof start === 'string' ? styblinskiTangMinimum(landscape, start) : polished(landscape, start) };
  }
  const landscape =
    spec.name === 'double-well'
      ? doubleWell({ barrier: spec.barrier, width: spec.width, tilt: spec.tilt })
      : quadraticValley({ curvatures: [...spec.curvatures] });
  if (typeof start === 'string') {
    const minima = landscape.profile?.minima ?? [];
    if (landscape.name !== 'double-well' || minima.length === 0) {
      throw new RangeError(`start = '${start}' names a Styblinski–Tang or double-well minimum; for ${landscape.name} give coordinates, e.g. [0]`);
    }
    // On the double well 'global' is the lower minimum and 'local' the higher (they differ when tilted).
    const byValue = [...minima].sort((a, b) => landscape.profile!.value(a) - landscape.profile!.value(b));
    return { landscape, start: Float64Array.of(start === 'global' ? byValue[0]! : byValue[byValue.length - 1]!) };
  }
  return { landscape, start: polished(landscape, start) };
}

function polished(landscape: Landscape, start: readonly number[]): Float64Array {
  if (start.length !== landscape.dim) {
    throw new RangeError(`start has ${start.length} coordinates; the ${landscape.name} landscape has ${landscape.dim}`);
  }
  return landscape.valley(start).minimum.point;
}
