/**
 * Seeded random numbers for the tests: splitmix32 seeding an sfc32 generator; normals by Box–Muller, both
 * values used.
 */
export interface TestRng {
  /** Uniform in (0, 1). */
  uniform(): number;
  normal(): number;
  /** Exponential with rate gamma. */
  exponential(gamma: number): number;
}

export function createTestRng(seed: number): TestRng {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next();
  // (t + 0.5)/2³² lies strictly inside (0, 1), so log(u) is always finite.
  const uniform = (): number => (next() + 0.5) / 4294967296;
  let spare = NaN;
  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = NaN;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  return { uniform, normal, exponential: (gamma: number) => -Math.log(uniform()) / gamma };
}
