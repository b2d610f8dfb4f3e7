/**
 * The update rule every replica follows. Momentum and Adam mirror tfjs's own MomentumOptimizer and AdamOptimizer
 * op for op (tested step for step against them), so a replica behaves exactly as a tfjs training run would.
 */
export type ReplicaOptimizer =
  | { readonly name: 'sgd'; readonly learningRate: number }
  /** Gradient descent plus injected white noise √(2ηD)·ξ: temperature D along every direction. */
  | { readonly name: 'sgld'; readonly learningRate: number; readonly diffusion: number }
  /** tfjs semantics: m ← β·m + g, θ ← θ − η·m. */
  | { readonly name: 'momentum'; readonly learningRate: number; readonly momentum: number }
  | {
      readonly name: 'adam';
      readonly learningRate: number;
      readonly beta1?: number;
      readonly beta2?: number;
      readonly epsilon?: number;
    };

export type ReplicaOptimizerName = ReplicaOptimizer['name'];

export const REPLICA_OPTIMIZERS: readonly ReplicaOptimizerName[] = ['sgd', 'sgld', 'momentum', 'adam'];

/** tfjs's defaults for tf.train.adam. */
export const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

export function checkReplicaOptimizer(where: string, o: ReplicaOptimizer): void {
  const positive = (field: string, v: unknown, example: string): void => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new RangeError(`${where}: optimizer.${field} = ${String(v)}; use a finite number > 0, e.g. ${example}`);
    }
  };
  if (o == null || !REPLICA_OPTIMIZERS.includes(o.name)) {
    throw new RangeError(`${where}: optimizer.name = ${String(o?.name)}; use one of ${REPLICA_OPTIMIZERS.join(', ')}`);
  }
  positive('learningRate', o.learningRate, '0.5');
  if (o.name === 'sgld') positive('diffusion', o.diffusion, '0.05');
  if (o.name === 'momentum' && !(o.momentum >= 0 && o.momentum < 1)) {
    throw new RangeError(`${where}: optimizer.momentum = ${String(o.momentum)}; use a number in [0, 1), e.g. 0.9`);
  }
  if (o.name === 'adam') {
    const { beta1 = ADAM_DEFAULTS.beta1, beta2 = ADAM_DEFAULTS.beta2, epsilon = ADAM_DEFAULTS.epsilon } = o;
    for (const [field, v] of [['beta1', beta1], ['beta2', beta2]] as const) {
      if (!(v >= 0 && v < 1)) throw new RangeError(`${where}: optimizer.${field} = ${String(v)}; use a number in [0, 1), e.g. 0.9`);
    }
    positive('epsilon', epsilon, '1e-7');
  }
}
