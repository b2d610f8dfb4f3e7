import { describe, expect, it } from 'vitest';
import { trappedAdvice, type TrappedInput } from '../src/index.js';

// A cold large-batch SGD run: 29 steps left at η = 0.05, a barrier of 79 temperatures, prefactor 2π/|H_be| with
// |H_be| = λ = 0.77 (no col: the scan's H_be = −λ). At this η the prefactor alone, 2π/(0.77·0.05) ≈ 163 steps, exceeds
// the 29 left, so no temperature reached by the batch size fits.
const cold: TrappedInput = {
  optimizer: 'sgd',
  predictedSteps: 2.7e36,
  remainingSteps: 29,
  barrier: 6.7e-4,
  temperature: 6.7e-4 / 79,
  logPrefactor: Math.log((2 * Math.PI) / 0.77),
  exponent: 79,
  stepPerIteration: 0.05,
  learningRate: 0.05,
  batchSize: 1024,
  diffusion: 0,
  lambdaMax: 0.77,
  etaEff: 0.05,
};

describe('trappedAdvice when the prefactor alone needs more steps than remain', () => {
  it('SGD: the η factor g that fits, lp + E/g = ln(R·η·g), turned into a learning rate', () => {
    const advice = trappedAdvice(cold);
    const g = advice.temperatureFactor!;
    // η·g raises T by g and the continuous time per step by g: the prediction then just fits the 29 steps
    expect(Math.abs(cold.logPrefactor + cold.exponent / g - Math.log(29 * 0.05 * g))).toBeLessThan(1e-9);
    expect(cold.logPrefactor + cold.exponent / (0.99 * g)).toBeGreaterThan(Math.log(29 * 0.05 * 0.99 * g));
    // ≈ 40: η = 2.0, near the linear scaling rule's 0.05·1024/32 = 1.6, and stable (η·λ ≈ 1.5 < 2)
    expect(g).toBeGreaterThan(35);
    expect(g).toBeLessThan(45);
    expect(advice.remedy).toMatch(/^raise η from 0\.05 to 2 \(T and the step per iteration both grow ×40; at a fixed η no batch size fits the steps left\), so ΔL\/T falls from 79 to 2; or budget 2\.7e36 steps in all$/);
  });

  it('warns when that η would be unstable; Adam keeps the plain answer', () => {
    expect(trappedAdvice({ ...cold, lambdaMax: 2 }).remedy).toContain('— but η_eff·λ_max would be 4 ≥ 2 (unstable)');
    const adam = trappedAdvice({ ...cold, optimizer: 'adam' });
    expect(adam.temperatureFactor).toBeNull();
    expect(adam.remedy).toBe('no temperature fits the prediction in the steps left (the prefactor alone needs more); budget 2.7e36 steps in all');
  });
});
