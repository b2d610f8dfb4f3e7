/**
 * What a live tfjs optimizer's temperature depends on, read from the instance itself: which update rule it runs, its
 * step, momentum or injected diffusion, and for adaptive methods the per-parameter preconditioner from their
 * second-moment state. T_e = η_eff·p_e·C_ee/2 along a unit direction e (derived: the stationary density of
 * θ ← θ − η_eff·P·ĝ along e is ∝ exp(−L/T_e)).
 */
import type * as tf from '@tensorflow/tfjs';
import type { FlatLayoutEntry } from '@kramers/core';

/** An optimizer whose temperature kramers knows how to read, told apart by `kind`. */
export type OptimizerReading =
  | { readonly kind: 'sgd'; readonly className: string; readonly learningRate: number }
  | { readonly kind: 'momentum'; readonly className: string; readonly learningRate: number; readonly momentum: number }
  | { readonly kind: 'sgld'; readonly className: string; readonly learningRate: number; readonly diffusion: number }
  | {
      readonly kind: 'adam';
      readonly className: string;
      readonly learningRate: number;
      /** p_i = 1/(√v̂_i + ε) per flat parameter, from the second moments the last update used. */
      preconditioner(layout: readonly FlatLayoutEntry[]): Float64Array;
    }
  | {
      readonly kind: 'rmsprop';
      readonly className: string;
      readonly learningRate: number;
      readonly momentum: number;
      /** p_i = 1/√(ms_i + ε) per flat parameter (tfjs's form; centered: 1/√(ms_i − mg_i² − ε)). */
      preconditioner(layout: readonly FlatLayoutEntry[]): Float64Array;
    };

export type Unreadable = { readonly kind: 'unknown'; readonly className: string; readonly why: string };

type Slot = { originalName: string; variable: tf.Variable };

/** Identifies the update rule of a tfjs optimizer instance (never steps it). */
export function readOptimizer(optimizer: tf.Optimizer): OptimizerReading | Unreadable {
  const o = optimizer as unknown as Record<string, unknown>;
  const ctor = optimizer.constructor as { className?: string; name?: string };
  const className = typeof ctor.className === 'string' ? ctor.className : (ctor.name ?? 'Optimizer');
  const learningRate = o['learningRate'];
  if (typeof learningRate !== 'number' || !(learningRate > 0)) {
    return { kind: 'unknown', className, why: `its learningRate is ${String(learningRate)}, not a number > 0` };
  }
  // SGLD extends tfjs's SGD: test it first, by class name or by its `diffusion` getter.
  const diffusion = o['diffusion'];
  if (className === 'SGLD' || typeof diffusion === 'number') {
    if (typeof diffusion !== 'number' || !(diffusion >= 0)) return { kind: 'unknown', className, why: `its diffusion is ${String(diffusion)}` };
    return { kind: 'sgld', className, learningRate, diffusion };
  }
  switch (className) {
    case 'SGD':
      return { kind: 'sgd', className, learningRate };
    case 'Momentum': {
      const momentum = o['momentum'];
      if (typeof momentum !== 'number' || !(momentum >= 0 && momentum < 1)) return { kind: 'unknown', className, why: `its momentum is ${String(momentum)}, not in [0, 1)` };
      return { kind: 'momentum', className, learningRate, momentum };
    }
    case 'Adam': {
      const beta2 = o['beta2'] as number;
      const epsilon = o['epsilon'] as number;
      return {
        kind: 'adam',
        className,
        learningRate,
        preconditioner: (layout) => {
          const accBeta2 = (o['accBeta2'] as tf.Variable | undefined)?.dataSync()[0];
          if (accBeta2 === undefined) throw new Error('Adam has no accBeta2 state yet (no update made)');
          // tfjs multiplies accBeta2 by β₂ after each update, so the last update divided v by 1 − accBeta2/β₂ = 1 − β₂ᵗ.
          const correction = 1 - accBeta2 / beta2;
          // Adam: p_i = 1/(√v̂_i + ε) (Kingma & Ba 2015, the update's denominator).
          return diagonal(layout, slots(o['accumulatedSecondMoment'], '/v'), (v) => 1 / (Math.sqrt(v / correction) + epsilon));
        },
      };
    }
    case 'RMSProp': {
      const epsilon = o['epsilon'] as number;
      const momentum = (o['momentum'] as number | undefined) ?? 0;
      const centered = o['centered'] === true;
      return {
        kind: 'rmsprop',
        className,
        learningRate,
        momentum,
        preconditioner: (layout) => {
          const ms = diagonal(layout, slots(o['accumulatedMeanSquares'], '/rms'), (v) => v);
          const mg = centered ? diagonal(layout, slots(o['accumulatedMeanGrads'], '/mg'), (v) => v) : undefined;
          // tfjs RMSProp: g·η/√(ms + ε), centered g·η/√(ms − (mg² + ε)).
          return ms.map((s, i) => 1 / Math.sqrt(mg ? s - (mg[i]! * mg[i]! + epsilon) : s + epsilon));
        },
      };
    }
    default:
      return { kind: 'unknown', className, why: 'kramers reads the temperature of SGD, momentum, SGLD, Adam and RMSProp only' };
  }
}

/** η_eff: η/(1 − β) for tfjs heavy-ball momentum (m ← βm + g; derived, overdamped limit), η otherwise. */
export function effectiveStep(reading: OptimizerReading): number {
  switch (reading.kind) {
    case 'momentum':
    case 'rmsprop':
      // Overdamped heavy ball: the stationary velocity is g/(1 − β) (derived).
      return reading.learningRate / (1 - reading.momentum);
    default:
      return reading.learningRate;
  }
}

/** p_e = Σ_i u_i²·p_i along the unit direction u (derived: uᵀPu for a diagonal P); 1 without a preconditioner. */
export function preconditionerAlong(u: ArrayLike<number>, diagonalP: ArrayLike<number> | undefined): number {
  if (diagonalP === undefined) return 1;
  if (diagonalP.length !== u.length) throw new Error(`preconditionerAlong: direction has ${u.length} entries but the preconditioner ${diagonalP.length}; pass both in one flat layout`);
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i]! * u[i]! * diagonalP[i]!;
  return s;
}

/**
 * T_e = η_eff·p_e·C_ee/2 (derived, the unified temperature); for SGLD the injected D adds: T_e = D + η·C_ee/2
 * (θ ← θ − ηĝ + √(2ηD)ξ: the two noises are independent, so their variances add).
 */
export function directionTemperature(reading: OptimizerReading, noiseVariance: number, preconditioner: number): number {
  const base = (effectiveStep(reading) * preconditioner * noiseVariance) / 2;
  return reading.kind === 'sgld' ? reading.diffusion + base : base;
}

function slots(value: unknown, suffix: string): Map<string, tf.Variable> {
  const map = new Map<string, tf.Variable>();
  if (!Array.isArray(value)) return map;
  for (const slot of value as (Slot | undefined)[]) {
    if (slot?.originalName.endsWith(suffix)) map.set(slot.originalName.slice(0, -suffix.length), slot.variable);
  }
  return map;
}

/** The optimizer's per-variable state, read synchronously and laid out as the flat parameter vector. */
function diagonal(layout: readonly FlatLayoutEntry[], state: Map<string, tf.Variable>, f: (v: number) => number): Float64Array {
  const total = layout.reduce((n, e) => n + e.size, 0);
  const out = new Float64Array(total);
  for (const entry of layout) {
    const variable = state.get(entry.name);
    if (!variable) throw new Error(`the optimizer has no second-moment state for variable "${entry.name}" yet (no update of it made)`);
    const values = variable.dataSync();
    if (values.length !== entry.size) throw new Error(`the optimizer's state for "${entry.name}" has ${values.length} values, the variable ${entry.size}`);
    for (let i = 0; i < entry.size; i++) out[entry.offset + i] = f(values[i]!);
  }
  return out;
}
