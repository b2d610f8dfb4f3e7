/**
 * Axis ticks for static figures: 1-2-5 "nice numbers" steps, domains widened outward to whole steps so the ticks
 * cover the data, and compact labels (as many decimals as the step needs, exponent form for very large or small
 * values, a true minus sign).
 */

/** An axis after nicing: the domain it spans, its tick values and their labels (same length as `ticks`). */
export interface AxisTicks {
  readonly scale: 'linear' | 'log';
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
  readonly labels: readonly string[];
}

const MINUS = '\u2212';

/**
 * The 1, 2 or 5 × 10^k step nearest (in log terms) to span/count: the "nice numbers" rule of Heckbert (Graphics
 * Gems, 1990) with d3's thresholds √2, √10, √50 between the candidates, so the tick count lands near `count`.
 */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) throw new Error(`niceStep: span must be a positive finite number; got ${span}`);
  if (!(count >= 1)) throw new Error(`niceStep: count must be at least 1; got ${count}`);
  const raw = span / count;
  const power = Math.floor(Math.log10(raw));
  const error = raw / 10 ** power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return clean(factor * 10 ** power);
}

/**
 * Linear ticks over [min, max] widened outward to multiples of a nice step. Widening can change the step (the
 * span grew), so it repeats until the step is stable, as d3's `nice()` does.
 */
export function niceLinearTicks(min: number, max: number, count = 5): AxisTicks {
  checkRange(min, max, 'niceLinearTicks');
  let lo = min;
  let hi = max;
  let step = niceStep(hi - lo, count);
  for (let i = 0; i < 10; i += 1) {
    const nextLo = Math.floor(lo / step) * step;
    const nextHi = Math.ceil(hi / step) * step;
    const nextStep = niceStep(nextHi - nextLo, count);
    lo = nextLo;
    hi = nextHi;
    if (nextStep === step) break;
    step = nextStep;
  }
  lo = Math.floor(clean(lo / step)) * step;
  hi = Math.ceil(clean(hi / step)) * step;
  const ticks = stepTicks(lo, hi, step);
  return { scale: 'linear', domain: [clean(lo), clean(hi)], ticks, labels: ticks.map((t) => formatTick(t, step)) };
}

/**
 * Log ticks over [min, max] (both > 0). Over more than a decade: 1, 2, 5 × 10^k (only 10^k beyond three decades,
 * every few decades beyond `count`), the domain widened to the nearest of them outward. Within a decade too few of
 * those would fall inside, so linear nice ticks are placed on the log axis instead.
 */
export function niceLogTicks(min: number, max: number, count = 5): AxisTicks {
  checkRange(min, max, 'niceLogTicks');
  if (!(min > 0)) throw new Error(`niceLogTicks: min must be > 0 on a log axis; got ${min}`);
  const decades = Math.log10(max) - Math.log10(min);
  if (decades <= 1) {
    const linear = niceLinearTicks(min, max, count);
    if (linear.domain[0] > 0) return { ...linear, scale: 'log' };
  }
  const candidates = logCandidates(min, max, decades, count);
  const lo = [...candidates].reverse().find((c) => c <= min * (1 + 1e-12)) ?? candidates[0]!;
  const hi = candidates.find((c) => c >= max * (1 - 1e-12)) ?? candidates[candidates.length - 1]!;
  const ticks = candidates.filter((c) => c >= lo && c <= hi);
  return { scale: 'log', domain: [lo, hi], ticks, labels: ticks.map(formatLogTick) };
}

/** Ticks covering [min, max] given as the domain itself (no widening): those of the nice step that fall inside. */
export function ticksWithin(min: number, max: number, scale: 'linear' | 'log', count = 5): AxisTicks {
  checkRange(min, max, 'ticksWithin');
  const wide = scale === 'log' ? niceLogTicks(min, max, count) : niceLinearTicks(min, max, count);
  const eps = (max - min) * 1e-9;
  const keep = wide.ticks.map((t, i) => [t, wide.labels[i]!] as const).filter(([t]) => t >= min - eps && t <= max + eps);
  return { scale, domain: [min, max], ticks: keep.map(([t]) => t), labels: keep.map(([, l]) => l) };
}

/**
 * A tick label: fixed decimals matching the step (so 0.05-steps read 0.95, 1.00 → "1", 1.05) or, when values reach
 * 1e5 or stay below 1e-3, a mantissa with as many digits as the step needs and an exponent ("2.5e−4").
 */
export function formatTick(value: number, step: number): string {
  if (value === 0 || Math.abs(value) < step * 1e-9) return '0';
  const stepPower = Math.floor(Math.log10(step) + 1e-9);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    const power = Math.floor(Math.log10(magnitude) + 1e-9);
    const digits = Math.min(15, Math.max(0, power - stepPower));
    return withMinus(stripExponent(value.toExponential(digits)));
  }
  return withMinus(stripFraction(value.toFixed(Math.min(15, Math.max(0, -stepPower)))));
}

function formatLogTick(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return withMinus(stripExponent(value.toExponential(2)));
  return withMinus(String(clean(value)));
}

function logCandidates(min: number, max: number, decades: number, count: number): number[] {
  const mantissas = decades <= 3 ? [1, 2, 5] : [1];
  const every = decades <= 3 ? 1 : Math.max(1, Math.ceil(decades / count));
  const first = Math.floor(Math.floor(Math.log10(min)) / every) * every;
  const last = Math.ceil(Math.ceil(Math.log10(max)) / every) * every;
  const out: number[] = [];
  for (let p = first; p <= last; p += every) for (const m of mantissas) out.push(clean(m * 10 ** p));
  return out;
}

function stepTicks(lo: number, hi: number, step: number): number[] {
  const first = Math.round(lo / step);
  const n = Math.round((hi - lo) / step);
  // Multiplying integers by the step (rather than summing steps) keeps 0.1-steps from drifting to 0.30000000000000004.
  return Array.from({ length: n + 1 }, (_, i) => clean((first + i) * step));
}

function checkRange(min: number, max: number, where: string): void {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new Error(`${where}: min and max must be finite; got ${min}, ${max}`);
  if (!(max > min)) throw new Error(`${where}: max must exceed min; got min ${min}, max ${max}`);
}

/** Rounds away binary noise (12 significant digits), so 3 × 0.1 is 0.3. */
function clean(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(12));
}

function stripFraction(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function stripExponent(s: string): string {
  const [mantissa = '', power = ''] = s.split('e');
  return `${stripFraction(mantissa)}e${power.replace('+', '')}`;
}

function withMinus(s: string): string {
  return s.replace(/-/g, MINUS);
}
