/**
 * Numbers for humans: C's `%.4g` (4 significant digits, exponent form when the decimal exponent is below -4 or
 * at least 4, trailing zeros dropped), with a JS-style exponent (`1.235e-5`) and '—' for a missing value.
 */
export const MISSING = '—';

const SIGNIFICANT = 4;

export function formatNumber(x: number | null | undefined): string {
  if (x === undefined || x === null) return MISSING;
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  // The exponent after rounding to 4 digits decides the form (9999.7 rounds to 1.000e4), as in C's %g.
  const exponential = x.toExponential(SIGNIFICANT - 1);
  const exponent = Number(exponential.slice(exponential.indexOf('e') + 1));
  if (exponent < -4 || exponent >= SIGNIFICANT) {
    const [mantissa = '', power = ''] = exponential.split('e');
    return `${stripZeros(mantissa)}e${power.replace('+', '')}`;
  }
  return stripZeros(x.toFixed(Math.max(0, SIGNIFICANT - 1 - exponent)));
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
