/**
 * Input checks shared by every public function. Each message names the function, the field, the value received
 * and what to pass instead, so a caller reading only the error can fix the call.
 */

export function requireFinite(where: string, field: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${where}: ${field} must be a finite number, got ${String(value)}`);
  }
}

export function requirePositive(where: string, field: string, value: number, hint = ''): void {
  requireFinite(where, field, value);
  if (!(value > 0)) throw new Error(`${where}: ${field} must be > 0, got ${value}${hint ? ` (${hint})` : ''}`);
}

export function requireNonNegativeInteger(where: string, field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${where}: ${field} must be a non-negative integer (a count of replicas), got ${String(value)}`);
  }
}

export function requireUnitInterval(where: string, field: string, value: number, hint: string): void {
  requireFinite(where, field, value);
  if (value < 0 || value > 1) throw new Error(`${where}: ${field} must lie in [0, 1], got ${value} (${hint})`);
}

export function requireLevel(where: string, level: number): void {
  requireFinite(where, 'level', level);
  if (!(level > 0 && level < 1)) {
    throw new Error(`${where}: level must lie strictly between 0 and 1 (e.g. 0.95 for a 95 % interval), got ${level}`);
  }
}

/** Copies an array of times, checking each is finite and > 0. */
export function readTimes(where: string, times: ArrayLike<number>): Float64Array {
  if (times === null || typeof times !== 'object' || typeof times.length !== 'number') {
    throw new Error(`${where}: times must be an array of first-exit iterations, got ${String(times)}`);
  }
  const out = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (typeof t !== 'number' || !Number.isFinite(t) || !(t > 0)) {
      throw new Error(
        `${where}: times[${i}] must be a finite first-exit time > 0, got ${String(t)} ` +
          '(pass only replicas that escaped; count the others in `censored`)',
      );
    }
    out[i] = t;
  }
  return out;
}
