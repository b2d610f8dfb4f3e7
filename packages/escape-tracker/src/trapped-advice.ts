/**
 * Why a run is trapped and which knob frees it. Escape time is τ = prefactor·exp(E/T-scale): raising every
 * temperature by a factor f divides the exponent E by f (τ = A·exp(ΔL·(s/T_a + (1−s)/T_b)), derived from
 * Theorem 3.2 of Xie, Sato & Sugiyama 2021 and its unified form). T ∝ η/B for SGD and momentum, ∝ η/√B for Adam and
 * RMSProp (T ≈ η√(H/B)/2), and T = D + ηC/2 for SGLD: the factor becomes a batch size, a step or a diffusion.
 */
import type { OptimizerReading } from './optimizer-temperature.js';

export interface TrappedInput {
  readonly optimizer: OptimizerReading['kind'];
  /** Predicted iterations to escape. */
  readonly predictedSteps: number;
  /** Iterations left in the run. */
  readonly remainingSteps: number;
  readonly barrier: number;
  /** T along the escape direction at the minimum. */
  readonly temperature: number;
  /** ln of the prediction's prefactor (continuous time) and its exponent, τ = e^{logPrefactor + exponent}. */
  readonly logPrefactor: number;
  readonly exponent: number;
  /** Continuous time per iteration (η_eff·p along the escape direction). */
  readonly stepPerIteration: number;
  readonly learningRate: number;
  readonly batchSize: number;
  /** SGLD's D (0 otherwise). */
  readonly diffusion: number;
  /** λ_max, to say when a larger step would be unstable (η_eff·λ ≥ 2). */
  readonly lambdaMax: number;
  /** η_eff. */
  readonly etaEff: number;
}

export interface TrappedAdvice {
  readonly reason: string;
  readonly remedy: string;
  /** f: the factor all temperatures must grow by for the prediction to fit the remaining steps; null when none does. */
  readonly temperatureFactor: number | null;
}

/** A number for a sentence: two significant digits, exponent form outside [1e-3, 1e4). */
export function formatCount(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3)) return x.toExponential(1).replace('e+', 'e');
  return String(Number(x.toPrecision(2)));
}

export function trappedAdvice(input: TrappedInput): TrappedAdvice {
  const f = formatCount;
  const ratio = input.barrier / input.temperature;
  const reason =
    `escape from this valley needs ≈ ${f(input.predictedSteps)} more steps, ${input.remainingSteps < 1e6 ? Math.round(input.remainingSteps) : f(input.remainingSteps)} remain ` +
    `(ΔL = ${f(input.barrier)}, T = ${f(input.temperature)}: ΔL/T = ${f(ratio)})`;
  // Smallest f with logPrefactor + exponent/f ≤ ln(remaining·step), the step held fixed (derived; conservative when η grows too).
  const room = Math.log(Math.max(input.remainingSteps, 1) * input.stepPerIteration) - input.logPrefactor;
  const factor = room > 0 && input.exponent > 0 ? input.exponent / room : null;
  const more = `or budget ${f(Math.max(0, input.predictedSteps - input.remainingSteps))} more steps`;
  const unstable = (etaFactor: number) => input.etaEff * etaFactor * input.lambdaMax >= 2;
  if (factor === null || !Number.isFinite(factor)) {
    // At a fixed step the prefactor alone needs more steps than remain; for SGD and momentum a larger η raises T and
    // the time per step together (T ∝ η), which can still fit (derived: the smallest g with lp + E/g ≤ ln(R·step·g)).
    const g = input.optimizer === 'sgd' || input.optimizer === 'momentum' ? stepFactor(input) : null;
    if (g !== null) {
      const warn = unstable(g) ? ` — but η_eff·λ_max would be ${f(input.etaEff * g * input.lambdaMax)} ≥ 2 (unstable)` : '';
      return {
        reason,
        remedy: `raise η from ${f(input.learningRate)} to ${f(input.learningRate * g)} (T and the step per iteration both grow ×${f(g)}; at a fixed η no batch size fits the steps left)${warn}, so ΔL/T falls from ${f(ratio)} to ${f(ratio / g)}; or budget ${f(input.predictedSteps)} steps in all`,
        temperatureFactor: g,
      };
    }
    return { reason, remedy: `no temperature fits the prediction in the steps left (the prefactor alone needs more); budget ${f(input.predictedSteps)} steps in all`, temperatureFactor: null };
  }
  const lower = `ΔL/T falls from ${f(ratio)} to ${f(ratio / factor)}`;
  const batchKnob = (target: number) =>
    target >= 1
      ? `lower the batch size from ${input.batchSize} to ${Math.floor(target)}`
      : `lowering the batch size cannot do it alone (it would have to be ${f(target)} < 1)`;
  switch (input.optimizer) {
    case 'sgd':
    case 'momentum': {
      // T ∝ η/B, so −log γ ∝ B/η (Xie et al. 2021, Theorem 3.2).
      const eta = input.learningRate * factor;
      const warn = unstable(factor) ? ` — but η_eff·λ_max would be ${f(input.etaEff * factor * input.lambdaMax)} ≥ 2 (unstable)` : '';
      return { reason, remedy: `raise T = ηC/2 by ×${f(factor)}: ${batchKnob(input.batchSize / factor)}, or raise η from ${f(input.learningRate)} to ${f(eta)}${warn}, so ${lower}; ${more}`, temperatureFactor: factor };
    }
    case 'adam':
    case 'rmsprop': {
      // T ≈ η√(H/B)/2: ∝ η and 1/√B (derived, §2 with v ≈ C).
      return { reason, remedy: `raise T ≈ η√(λ/B)/2 by ×${f(factor)}: raise η from ${f(input.learningRate)} to ${f(input.learningRate * factor)}, or ${batchKnob(input.batchSize / (factor * factor))}, so ${lower}; ${more}`, temperatureFactor: factor };
    }
    case 'sgld': {
      // T = D + ηC/2: only D moves when the minibatch noise is held (derived).
      const d = factor * input.temperature - (input.temperature - input.diffusion);
      return { reason, remedy: `raise the diffusion D from ${f(input.diffusion)} to ${f(d)} (T = D + ηC/2 grows ×${f(factor)}), so ${lower}; ${more}`, temperatureFactor: factor };
    }
  }
}

/**
 * The smallest g ≥ 1 with logPrefactor + exponent/g ≤ ln(remaining·step·g): η multiplied by g raises T by g (T ∝ η for
 * SGD) and the continuous time per iteration by g (derived). h(g) = ln(R·step·g) − lp − E/g rises with g, so bisection
 * on log g; null when even g = 10⁶ does not fit or there is no step left.
 */
function stepFactor(input: TrappedInput): number | null {
  const R = input.remainingSteps;
  if (!(R >= 1) || !(input.stepPerIteration > 0) || !(input.exponent >= 0)) return null;
  const h = (g: number) => Math.log(R * input.stepPerIteration * g) - input.logPrefactor - input.exponent / g;
  if (h(1) >= 0) return 1;
  let [lo, hi] = [0, Math.log(1e6)];
  if (h(Math.exp(hi)) < 0) return null;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (h(Math.exp(mid)) >= 0) hi = mid;
    else lo = mid;
  }
  return Math.exp(hi);
}
