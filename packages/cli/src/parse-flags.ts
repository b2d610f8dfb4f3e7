/**
 * Flag parsers for commander: each names the flag, the value given and what is allowed, so a typo gets a clear
 * message and a non-zero exit instead of a run with a silently wrong setting.
 */
import { InvalidArgumentError } from 'commander';

export function positiveInteger(flag: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got "${raw}".`);
    return n;
  };
}

export function nonNegativeInteger(flag: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} must be an integer ≥ 0, got "${raw}".`);
    return n;
  };
}

export function positiveNumber(flag: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`${flag} must be a number > 0, got "${raw}".`);
    return n;
  };
}

export function nonNegativeNumber(flag: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!(Number.isFinite(n) && n >= 0)) throw new InvalidArgumentError(`${flag} must be a number ≥ 0, got "${raw}".`);
    return n;
  };
}

export function fraction(flag: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!(Number.isFinite(n) && n > 0 && n < 1)) throw new InvalidArgumentError(`${flag} must be in (0, 1), got "${raw}".`);
    return n;
  };
}

export function oneOf<T extends string>(flag: string, allowed: readonly T[]) {
  return (raw: string): T => {
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new InvalidArgumentError(`${flag} got "${raw}"; allowed: ${allowed.join(', ')}.`);
    }
    return raw as T;
  };
}

/** A comma-separated list of distinct entries from `allowed`. */
export function listOf<T extends string>(flag: string, allowed: readonly T[]) {
  return (raw: string): T[] => {
    const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (items.length === 0) throw new InvalidArgumentError(`${flag} is empty; give a comma-separated list of ${allowed.join(', ')}.`);
    const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
    if (bad.length > 0) throw new InvalidArgumentError(`${flag} got "${bad.join(', ')}"; allowed: ${allowed.join(', ')}.`);
    const dup = items.find((s, i) => items.indexOf(s) !== i);
    if (dup !== undefined) throw new InvalidArgumentError(`${flag} lists "${dup}" twice; each entry once.`);
    return items as T[];
  };
}

/** Layer widths such as "16,16" (empty string: no hidden layer). */
export function widths(flag: string) {
  return (raw: string): number[] => {
    if (raw.trim() === '') return [];
    return raw.split(',').map((s) => {
      const n = Number(s.trim());
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must list positive integers like "16,16", got "${raw}".`);
      return n;
    });
  };
}

/**
 * Learning rates: one number for every optimizer ("0.05"), or per optimizer ("sgd=0.1,adam=0.003"), or both
 * ("0.05,adam=0.003": the bare number for the ones not named). Each entry once; "sgd=0.1=2" is refused.
 */
export function learningRates<T extends string>(flag: string, allowed: readonly T[]) {
  return (raw: string): { all?: number; per: Partial<Record<T, number>> } => {
    const out: { all?: number; per: Partial<Record<T, number>> } = { per: {} };
    const example = '(e.g. "0.05" or "sgd=0.1,adam=0.003")';
    for (const part of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const pieces = part.split('=').map((s) => s.trim());
      if (pieces.length > 2) throw new InvalidArgumentError(`${flag} got "${part}"; give one rate per optimizer, as name=rate ${example}.`);
      const [key, value] = pieces.length === 2 ? pieces : [undefined, pieces[0]];
      const n = value === undefined || value === '' ? NaN : Number(value);
      if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`${flag} needs numbers > 0, got "${part}" ${example}.`);
      if (key === undefined) {
        if (out.all !== undefined) throw new InvalidArgumentError(`${flag} has two bare rates; give one for all, the rest as name=rate ${example}.`);
        out.all = n;
      } else if (!(allowed as readonly string[]).includes(key)) {
        throw new InvalidArgumentError(`${flag} names unknown optimizer "${key}"; allowed: ${allowed.join(', ')}.`);
      } else if (out.per[key as T] !== undefined) {
        throw new InvalidArgumentError(`${flag} gives "${key}" twice; one rate per optimizer.`);
      } else {
        out.per[key as T] = n;
      }
    }
    return out;
  };
}

/** An integer ≥ `min`, for settings with a floor above 1 (e.g. a standard error needs two probes). */
export function integerAtLeast(flag: string, min: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}, got "${raw}".`);
    return n;
  };
}
