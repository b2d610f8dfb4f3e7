import { describe, expect, it } from 'vitest';
import { basinTest, quench } from './index.js';

// L(x, y) = h(x² − 1)² + (a/2)y²: minima (±1, 0) with curvatures 8h along x and a along y, col (0, 0) of height h.
const h = 0.5;
const a = 2;
const gradient = (theta: Float32Array): Float32Array => {
  const [x, y] = [theta[0]!, theta[1]!];
  return Float32Array.from([4 * h * x * (x * x - 1), a * y]);
};
const stepSize = 1 / (8 * h); // 1/λ_max at the minima

describe('quench', () => {
  it('runs gradient descent step for step, within the gradient budget', () => {
    const q = quench(gradient, Float32Array.from([0.8, 0.3]), { stepSize, maxSteps: 1 });
    const x1 = 0.8 - stepSize * 4 * h * 0.8 * (0.64 - 1);
    expect(q.minimum[0]).toBeCloseTo(x1, 6);
    expect(q.minimum[1]).toBeCloseTo(0.3 * (1 - stepSize * a), 7);
    expect(q.steps).toBe(2); // one step, one check of the end point
    expect(q.converged).toBe(false);
    expect(q.gradNorm).toBeCloseTo(Math.hypot(4 * h * x1 * (x1 * x1 - 1), a * 0.3 * (1 - stepSize * a)), 5);
  });

  it('ends at the minimum of the valley it starts in', () => {
    const q = quench(gradient, Float32Array.from([0.3, -0.4]), { stepSize, maxSteps: 200, gradTol: 1e-6 });
    expect(q.converged).toBe(true);
    expect(q.gradNorm).toBeLessThan(1e-6);
    expect(q.minimum[0]).toBeCloseTo(1, 6);
    expect(Math.abs(q.minimum[1]!)).toBeLessThan(1e-6);
  });

  it('refuses bad options with the field and the fix', () => {
    expect(() => quench(gradient, Float32Array.from([1, 0]), { stepSize: 0 })).toThrow('quench: stepSize must be a finite number > 0 (e.g. 1/λ_max), got 0');
    expect(() => quench(gradient, Float32Array.from([1, 0]), { stepSize, maxSteps: 1.5 })).toThrow('maxSteps must be an integer ≥ 0');
    expect(() => quench(gradient, new Float32Array(0), { stepSize })).toThrow('start must be a non-empty Float32Array');
    expect(() => quench(() => new Float32Array(3), Float32Array.from([1, 0]), { stepSize })).toThrow('gradient returned 3 entries for 2 parameters');
    expect(() => quench(gradient, Float32Array.from([3, 0]), { stepSize: 10 })).toThrow('the gradient is not finite');
  });
});

describe('basinTest on a double well', () => {
  const options = { stepSize, maxSteps: 200, gradTol: 1e-6, tolerance: 0.5 };

  it('two points of one valley quench to one minimum; a point past the col to the other, 2 apart', () => {
    const same = basinTest(gradient, { start: Float32Array.from([0.8, 0.3]) }, Float32Array.from([1.2, -0.2]), options);
    expect(same.separated).toBe(false);
    expect(same.distance).toBeLessThan(1e-5);
    const other = basinTest(gradient, { quenched: same.reference }, Float32Array.from([-0.1, 0.5]), options);
    expect(other.separated).toBe(true);
    expect(other.distance).toBeCloseTo(2, 5);
    expect(other.current.minimum[0]).toBeCloseTo(-1, 6);
    // the already-quenched reference is reused as is
    expect(other.reference).toBe(same.reference);
  });

  it('refuses a missing tolerance and mismatched lengths', () => {
    expect(() => basinTest(gradient, { start: Float32Array.from([1, 0]) }, Float32Array.from([1, 0]), { stepSize, tolerance: 0 })).toThrow(
      'basinTest: tolerance must be a finite number > 0',
    );
    const q = quench(gradient, Float32Array.from([1, 0]), { stepSize });
    const g3 = (t: Float32Array) => new Float32Array(t.length);
    expect(() => basinTest(g3, { quenched: q }, Float32Array.from([1, 0, 0]), { stepSize, tolerance: 1 })).toThrow('reference has 2 parameters but current has 3');
  });
});
